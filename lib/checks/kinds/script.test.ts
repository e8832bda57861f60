import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { expect, test } from "vitest";
import type { AnyObject, ExecResult, LiveSandbox } from "../types";
import { IN_WORKSPACE_COMMAND, scriptKinds, scriptPod } from "./script";
import { fakeLive, liveContextWith } from "./test-helpers";

const SCRIPT = "#!/usr/bin/env bash\nset -euo pipefail\necho hi\n";

const params = {
  file: "score.sh",
  tools: { python: "#!/bin/sh\nexit 0\n" },
  cases: [
    { name: "two input files", args: ["in", "out"], files: { "in/a.csv": "x\n", "in/b c.csv": "y\n" }, exitCode: 0, folders: [{ path: "out", names: ["a.scores.csv", "b c.scores.csv"] }] },
    { name: "no arguments", args: [], exitCode: 2, stderr: "usage" },
  ],
};

type Behaviour = { run: (args: string[]) => ExecResult; listing?: (folders: string[]) => string };

/** A live sandbox whose grader pod "runs" the script as `behaviour` says. */
function sandbox(behaviour: Behaviour) {
  const objects: AnyObject[] = [];
  const live = fakeLive({
    async createPod(pod) {
      objects.push({ ...pod, status: { phase: "Running", containerStatuses: [{ name: "run", image: "x", ready: true, restartCount: 0, state: { running: {} } }] } });
      return { ok: true, pod };
    },
    async exec(_pod, _container, command) {
      if (command[0] === "env") return behaviour.run(command.slice(command.indexOf("/work/.script/score.sh") + 1));
      if (command[2]?.includes("@@")) {
        const folders = command.slice(5);
        return { ok: true, exitCode: 0, stdout: behaviour.listing?.(folders) ?? folders.map((f) => `@@ ${f}\n${f === "out" ? "a.scores.csv\nb c.scores.csv\n" : ""}`).join("") + "@@ TMPDIR\n", stderr: "" };
      }
      return { ok: true, exitCode: 0, stdout: "", stderr: "" };
    },
  });
  return { live, ctx: liveContextWith(objects, live, { "score.sh": SCRIPT }) };
}

const good: Behaviour = { run: (args) => (args.length === 2 ? { ok: true, exitCode: 0, stdout: "", stderr: "scored 2 file(s)\n" } : { ok: true, exitCode: 2, stdout: "", stderr: "usage: score.sh <in> <out>\n" }) };

async function run(behaviour: Behaviour, p: unknown = params) {
  const s = sandbox(behaviour);
  const spec = scriptKinds["script.runInPod"];
  return { outcome: await spec.run(spec.params.parse(p), s.ctx), live: s.live };
}

test("runs every case in one locked-down pod, then deletes it", async () => {
  const { outcome, live } = await run(good);
  expect(outcome.status).toBe("pass");
  expect(outcome.message).toContain("against 2 case(s) (two input files; no arguments)");
  expect(live.created).toHaveLength(1);
  expect(live.deleted).toEqual([live.created[0]!.metadata.name]);
  // The script and the tools are copied in (base64, as arguments), then each case runs from its own folder with its own TMPDIR.
  const copy = live.commands[0]!;
  expect(copy).toContain("/work/.script/score.sh");
  expect(copy).toContain(Buffer.from(SCRIPT).toString("base64"));
  const runs = live.commands.filter((c) => c[0] === "env");
  expect(runs[0]!.slice(0, 3)).toEqual(["env", "TMPDIR=/tmp/case-0", "PATH=/work/.tools:/usr/local/bin:/usr/bin:/bin"]);
  expect(runs[0]!.slice(-3)).toEqual(["/work/.script/score.sh", "in", "out"]);
});

test("the grader pod meets the restricted level with no token and small limits", () => {
  const pod = scriptPod("script-check-x", "ghcr.io/academy-labs/workspace:1.0.0");
  const spec = pod.spec as { securityContext: Record<string, unknown>; containers: Array<{ securityContext: Record<string, unknown>; resources: { limits: Record<string, string> } }>; activeDeadlineSeconds: number };
  expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
  expect(spec.containers[0]!.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
  expect(spec.containers[0]!.resources.limits).toEqual({ cpu: "500m", memory: "256Mi" });
  expect(spec.activeDeadlineSeconds).toBeLessThanOrEqual(180);
});

test("a wrong exit code fails with the case, the command and the script's stderr", async () => {
  const { outcome, live } = await run({ run: (args) => (args.length === 2 ? { ok: true, exitCode: 0, stdout: "", stderr: "" } : { ok: true, exitCode: 0, stdout: "done\n", stderr: "" }) });
  expect(outcome.status).toBe("fail");
  expect(outcome.message).toBe("With no arguments, `score.sh` exited with 0; expected 2. It printed to stderr: nothing.");
  expect(live.deleted).toHaveLength(1);
});

test("a half-written output left in the output folder fails", async () => {
  const { outcome } = await run({ ...good, listing: () => "@@ out\na.scores.csv\nb c.scores.csv\n.scoring.Ab12\n@@ TMPDIR\n" });
  expect(outcome.message).toContain('left ".scoring.Ab12" in `out/`');
});

test("leftovers in TMPDIR fail the clean-up", async () => {
  const { outcome } = await run({ ...good, listing: () => "@@ out\na.scores.csv\nb c.scores.csv\n@@ TMPDIR\ntmp.XyZ\n" });
  expect(outcome.message).toContain('left "tmp.XyZ" in its temporary folder');
});

test("a missing output is named", async () => {
  const { outcome } = await run({ ...good, listing: () => "@@ out\na.scores.csv\n@@ TMPDIR\n" });
  expect(outcome.message).toContain('`out/` lacks "b c.scores.csv" (it holds "a.scores.csv")');
});

test("a script that hangs is stopped and said so", async () => {
  const { outcome } = await run({ run: () => ({ ok: false, error: "did not finish within 10 s", stdout: "", stderr: "" }) });
  expect(outcome.message).toContain("did not finish within 10 s");
});

test("an empty script fails before any pod is made", async () => {
  const s = sandbox(good);
  const spec = scriptKinds["script.runInPod"];
  const outcome = await spec.run(spec.params.parse(params), { ...s.ctx, files: { "score.sh": "  " } });
  expect(outcome.status).toBe("fail");
  expect(s.live.created).toEqual([]);
});

test("a refused grader pod is reported with the API server's words", async () => {
  const live = fakeLive({ createPod: async () => ({ ok: false, status: 403, error: "exceeded quota: sandbox" }) });
  const spec = scriptKinds["script.runInPod"];
  const outcome = await spec.run(spec.params.parse(params), liveContextWith([], live, { "score.sh": SCRIPT }));
  expect(outcome.message).toBe("The pod that runs your script could not be created: exceeded quota: sandbox");
});

// script.inWorkspace: an author's script in the learner's workspace pod.

async function inWorkspace(exec: LiveSandbox["exec"], script = "kubectl get deploy web") {
  const live = fakeLive({ exec });
  const spec = scriptKinds["script.inWorkspace"];
  return { outcome: await spec.run(spec.params.parse({ script }), liveContextWith([], live)), live };
}

test("script.inWorkspace runs the script in the workspace's shell container: exit 0 passes, with its output", async () => {
  const seen: Array<[string, string]> = [];
  const { outcome, live } = await inWorkspace(async (pod, container) => {
    seen.push([pod, container]);
    return { ok: true, exitCode: 0, stdout: "NAME   READY\nweb    3/3\n", stderr: "" };
  });
  expect(seen).toEqual([["workspace", "shell"]]);
  expect(live.commands[0]).toEqual(["sh", "-c", IN_WORKSPACE_COMMAND, "_", "kubectl get deploy web"]);
  expect(live.created).toEqual([]);
  expect(outcome).toEqual({ status: "pass", message: "The lab's check script passed: “NAME   READY” “web    3/3”" });
});

test("script.inWorkspace: a non-zero exit fails and its output is the explanation", async () => {
  const { outcome } = await inWorkspace(async () => ({ ok: true, exitCode: 1, stdout: "", stderr: 'Error from server (NotFound): deployments.apps "web" not found\n' }));
  expect(outcome).toEqual({ status: "fail", message: 'The lab\'s check script failed (exit 1) in your workspace: “Error from server (NotFound): deployments.apps "web" not found”' });
});

test("script.inWorkspace: no workspace pod asks the learner to open the terminal; a hang says so", async () => {
  const closed = await inWorkspace(async () => ({ ok: false, error: 'pods "workspace" not found', stdout: "", stderr: "" }));
  expect(closed.outcome).toMatchObject({ status: "fail", message: expect.stringContaining("open the terminal") });
  const hung = await inWorkspace(async () => ({ ok: false, error: "did not finish within 20 s", stdout: "waiting\n", stderr: "" }));
  expect(hung.outcome.message).toBe("The lab's check script did not finish within 20 s in your workspace. It printed “waiting”.");
});

test("the workspace command runs the script with a clean environment, its own folder, the in-cluster address, and removes the folder", () => {
  const script = 'echo "home=$HOME tmp=$TMPDIR pwd=$(pwd) kube=$KUBECONFIG host=$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT secret=${SECRET:-none}"; touch left-behind; exit 3';
  const run = spawnSync("sh", ["-c", IN_WORKSPACE_COMMAND, "_", script], {
    env: { PATH: process.env.PATH, KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443", SECRET: "from-the-learner", KUBECONFIG: "/home/learner/fake", NODE_ENV: "test" },
    encoding: "utf8",
  });
  expect(run.status).toBe(3);
  const home = /home=(\S+)/.exec(run.stdout)![1]!;
  expect(run.stdout).toBe(`home=${home} tmp=${home} pwd=${home} kube=/var/run/secrets/kubernetes.io/serviceaccount/no-kubeconfig host=10.96.0.1:443 secret=none\n`);
  expect(fs.existsSync(home)).toBe(false);
});

test("script.inWorkspace refuses an empty script and unknown params", () => {
  const spec = scriptKinds["script.inWorkspace"];
  expect(spec.params.safeParse({ script: "  " }).success).toBe(false);
  expect(spec.params.safeParse({ script: "true", file: "x.sh" }).success).toBe(false);
});
