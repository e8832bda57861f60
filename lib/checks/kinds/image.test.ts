import { expect, test } from "vitest";
import type { ImageBuildVerdict, ImageRunVerdict } from "../types";
import { builtinKind } from "./index";
import { contextWith } from "./test-helpers";

const kind = builtinKind("image.builds")!;
const withBuild = (verdict: ImageBuildVerdict) => ({ ...contextWith({ Dockerfile: "FROM x\n" }), buildImage: async () => verdict });

test("image.builds runs in the grading process with a build-sized time limit, and needs no sandbox", () => {
  expect(kind.needsCluster).toBe(false);
  expect(kind.inProcess).toBe(true);
  expect(kind.timeoutMs).toBeGreaterThan(10 * 60_000);
});

test("a built image passes with its name; a failing build fails with buildah's words and the step's output", async () => {
  const passed = await kind.run({}, withBuild({ ok: true, image: "registry.academy.local/learners/k/model-server:latest", digest: "sha256:1", durationMs: 21_400 }));
  expect(passed).toEqual({
    status: "pass",
    message: "Your image builds: `registry.academy.local/learners/k/model-server:latest` (21 s).",
    details: ["Digest sha256:1"],
  });
  const failed = await kind.run(
    {},
    withBuild({ ok: false, error: "`RUN pip install x==9` (Dockerfile line 4) failed: exit status 1", details: ["ERROR: No matching distribution found for x==9"], line: 4 }),
  );
  expect(failed).toEqual({
    status: "fail",
    message: "Your image does not build. `RUN pip install x==9` (Dockerfile line 4) failed: exit status 1",
    details: ["ERROR: No matching distribution found for x==9"],
  });
});

test("a build the platform could not run is an error, not the learner's fail; so is a lab with no build", async () => {
  const platform = await kind.run({}, withBuild({ ok: false, error: "The lab cluster cannot be reached right now.", details: [], platform: true }));
  expect(platform.status).toBe("error");
  const none = await kind.run({}, contextWith({ Dockerfile: "FROM x\n" }));
  expect(none.status).toBe("error");
});

const runs = builtinKind("image.runs")!;
const ctxRun = (build: ImageBuildVerdict, run: ImageRunVerdict) => ({
  ...contextWith({ Dockerfile: "FROM x\n" }),
  buildImage: async () => build,
  runBuiltImage: async () => run,
});
const built: ImageBuildVerdict = { ok: true, image: "registry.academy.local/learners/k/m:latest", digest: "sha256:1", durationMs: 1 };
const params = runs.params.parse({ port: 8000 });

test("image.runs passes an image that answers as a non-root user, and fails root, a dead container and a broken build", async () => {
  expect(await runs.run(params, ctxRun(built, { ok: true, status: 200, body: "{}", uid: 10001 }))).toEqual({
    status: "pass",
    message: "Your image starts and answers GET /healthz on port 8000 as uid 10001, not root.",
  });
  expect(await runs.run(params, ctxRun(built, { ok: true, status: 200, body: "{}", uid: 0 }))).toMatchObject({ status: "fail", message: expect.stringMatching(/runs as root/) });
  const dead = await runs.run(params, ctxRun(built, { ok: false, error: "Your image does not start: CreateContainerError: unable to find user app.", details: ["log line"] }));
  expect(dead).toEqual({ status: "fail", message: "Your image does not start: CreateContainerError: unable to find user app.", details: ["log line"] });
  const broken = await runs.run(params, ctxRun({ ok: false, error: "RUN false failed", details: [] }, { ok: true, status: 200, body: "", uid: 1 }));
  expect(broken).toMatchObject({ status: "fail", message: expect.stringMatching(/does not build/) });
});
