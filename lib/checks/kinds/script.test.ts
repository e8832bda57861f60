import { expect, test } from "vitest";
import type { AnyObject, ExecResult } from "../types";
import { scriptKinds, scriptPod } from "./script";
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
