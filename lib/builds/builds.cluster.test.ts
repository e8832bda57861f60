// Learner image builds on the real node of the test cluster: the containerise lab's solution
// builds offline and is pushed; a step that never ends hits the deadline; a failing RUN is
// reported with its Dockerfile line and buildah's error. Needs a cluster with a real node
// (READY-REAL-NODE) and the builder image in the Academy registry (`npm run images:build`).
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { testCluster, testInstallation } from "@/tests/support/cluster";
import { BUILDS_NAMESPACE, DEFAULT_BUILD_LIMITS, learnerImageRef, learnerRepository } from "./manifests";
import { runImage } from "./run-image";
import { nodeRegistryAddress, runBuild, type RunBuildInput } from "./runner";

const cluster = testCluster();
const installation = testInstallation("build");
const LAB = path.join(process.cwd(), "labs/containerise-the-model");

function solutionContext(): Record<string, string> {
  const read = (p: string) => fs.readFileSync(p, "utf8");
  return {
    Dockerfile: read(path.join(LAB, "solution/Dockerfile")),
    ".dockerignore": read(path.join(LAB, "solution/.dockerignore")),
    "requirements.txt": read(path.join(LAB, "starter/requirements.txt")),
    "app/main.py": read(path.join(LAB, "starter/app/main.py")),
    "app/train.py": read(path.join(LAB, "starter/app/train.py")),
  };
}

async function build(context: Record<string, string>, deadlineSeconds = DEFAULT_BUILD_LIMITS.deadlineSeconds, storage = DEFAULT_BUILD_LIMITS.storage) {
  const registry = await nodeRegistryAddress(cluster);
  if (!registry) throw new Error("the test cluster has no real node (academy.dev/node=real); start it with the real node");
  const id = randomBytes(5).toString("hex");
  const repository = learnerRepository(installation, `learner-${id}`, "model-server");
  const input: RunBuildInput = {
    id,
    installation,
    context,
    dockerfile: "Dockerfile",
    dockerfileText: context.Dockerfile!,
    repository,
    tag: "latest",
    registry,
    limits: { ...DEFAULT_BUILD_LIMITS, deadlineSeconds, storage },
  };
  const log: string[] = [];
  const phases: string[] = [];
  const started = Date.now();
  const outcome = await runBuild(cluster, input, { onLog: (l) => log.push(l), onPhase: (p) => phases.push(p) });
  return { outcome, log, phases, repository, seconds: (Date.now() - started) / 1000 };
}

async function jobGone(id: string): Promise<boolean> {
  for (let i = 0; i < 40; i++) {
    const pods = await cluster.list("v1", "Pod", { namespace: BUILDS_NAMESPACE, labelSelector: `academy.dev/build=${id}` });
    if (pods.length === 0) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

test("the containerise solution builds offline on the real node, is pushed, and its log streams line by line", async () => {
  const first = await build(solutionContext());
  expect(first.outcome, first.log.slice(-20).join("\n")).toMatchObject({ ok: true });
  if (!first.outcome.ok) return;
  expect(first.log).toContain("[2/2] STEP 7/11: RUN python -m app.train");
  expect(first.log.some((l) => /Requirement already satisfied: scikit-learn==1\.2\.1/.test(l))).toBe(true);
  // (A busy node adds "Waiting for room…" between the last two.)
  expect(first.phases.slice(0, 2)).toEqual(["Sending your files to the builder…", "Starting the builder…"]);
  expect(first.phases.at(-1)).toBe("Building…");
  // The registry on the host holds the image under the learner's path, with the digest the build reported.
  const head = await fetch(`http://127.0.0.1:15000/v2/${first.repository}/manifests/latest`, {
    method: "HEAD",
    headers: { Accept: "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json" },
  });
  expect(head.headers.get("docker-content-digest")).toBe(first.outcome.digest);
  // The image runs as the deploy lab would run it: by its registry.academy.local name, as user 10001,
  // ready at once because the model was trained at build time.
  const ran = await runImage(cluster, { id: `r${randomBytes(4).toString("hex")}`, installation, image: learnerImageRef(first.repository, "latest"), port: 8080, path: "/ready" });
  expect(ran).toMatchObject({ ok: true, status: 200, uid: 10001 });
  expect(ran.ok && ran.body).toMatch(/ready/);
  const second = await build(solutionContext());
  expect(second.outcome.ok).toBe(true);
  console.log(`containerise solution build: first ${first.seconds.toFixed(1)} s (buildah ${first.outcome.buildSeconds} s), again ${second.seconds.toFixed(1)} s`);
}, 300_000);

test("a step that never ends is stopped at the deadline and reported with its line", async () => {
  const context = { Dockerfile: "FROM python:3.11-slim\nWORKDIR /app\nRUN sleep 1000\nCMD [\"python\"]\n" };
  const { outcome, log } = await build(context, 60);
  expect(outcome, log.join("\n")).toMatchObject({ ok: false, reason: "deadline", line: 3 });
  expect(!outcome.ok && outcome.error).toMatch(/more than 1 minute and was stopped at `RUN sleep 1000` \(Dockerfile line 3\)/);
}, 180_000);

test("a failing RUN is reported with its Dockerfile line, its output and buildah's error; nothing is left behind", async () => {
  const context = {
    Dockerfile: "FROM python:3.11-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n",
    "requirements.txt": "fastapi==0.115.4\n",
  };
  const { outcome, log } = await build(context);
  expect(outcome, log.join("\n")).toMatchObject({ ok: false, reason: "step-failed", line: 3 });
  if (outcome.ok) return;
  expect(outcome.error).toBe("`RUN pip install -r requirements.txt` (Dockerfile line 3) failed: exit status 1");
  expect(outcome.details.join("\n")).toMatch(/No matching distribution found for fastapi==0\.115\.4/);
  const jobs = await cluster.list("batch/v1", "Job", { namespace: BUILDS_NAMESPACE, labelSelector: `academy.dev/installation=${installation}` });
  for (const job of jobs) expect(await jobGone(job.metadata.labels!["academy.dev/build"]!)).toBe(true);
}, 180_000);

test("a build that fills its disk is stopped at its storage limit and reported with its line", async () => {
  const context = { Dockerfile: "FROM debian:bookworm-slim\nRUN head -c 2000000000 /dev/zero > /big\nCMD [\"bash\"]\n" };
  const { outcome, log } = await build(context, 300, "1Gi");
  expect(outcome, log.join("\n")).toMatchObject({ ok: false, reason: "disk-full", line: 2 });
  expect(!outcome.ok && outcome.error).toMatch(/filled its 1Gi of disk and was stopped at `RUN head -c 2000000000/);
}, 180_000);

test("an image whose USER was never created builds, but does not start, and the container's own error says why", async () => {
  const context = { Dockerfile: 'FROM python:3.11-slim\nWORKDIR /app\nUSER app\nCMD ["python", "-m", "http.server", "8000"]\n' };
  const built = await build(context);
  expect(built.outcome, built.log.join("\n")).toMatchObject({ ok: true });
  const ran = await runImage(cluster, { id: `r${randomBytes(4).toString("hex")}`, installation, image: learnerImageRef(built.repository, "latest"), port: 8000, path: "/" });
  expect(ran).toMatchObject({ ok: false });
  expect(!ran.ok && ran.error).toMatch(/^Your image does not start: the user its USER names does not exist in the image.*(no users found|unable to find user app)/);
}, 240_000);

test("a base image from a registry the platform does not stand in for is refused before anything is pulled", async () => {
  const { outcome } = await build({ Dockerfile: "FROM 198.18.0.5:8080/evil:1\nRUN true\n" });
  expect(outcome).toMatchObject({ ok: false, reason: "base-image" });
  expect(!outcome.ok && outcome.error).toMatch(/names the registry 198\.18\.0\.5:8080/);
}, 120_000);
