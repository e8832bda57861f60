import { expect, test } from "vitest";
import { buildOutcome, dockerfileLine, lastStep, type BuildObservation } from "./outcome";

const limits = { deadlineSeconds: 600, memory: "1536Mi", storage: "3Gi" };
const none: BuildObservation = {
  terminationMessage: null,
  containerReason: null,
  exitCode: null,
  podReason: null,
  podMessage: null,
  jobFailedReason: null,
  logTail: [],
};

const MULTI_STAGE = `# Build stage
FROM python:3.11.2-slim-bookworm AS build
WORKDIR /build
COPY requirements.txt .
RUN python -m venv /opt/venv \\
 && /opt/venv/bin/pip install --no-cache-dir -r requirements.txt

FROM python:3.11.2-slim-bookworm
RUN useradd --create-home --uid 10001 app
COPY app/ ./app/
RUN sleep 1000
CMD ["python"]
`;

test("buildah's step numbers map to Dockerfile lines, stage by stage, continuation lines and all", () => {
  expect(dockerfileLine(MULTI_STAGE, { stage: 1, step: 4, text: "RUN python -m venv /opt/venv  && /opt/venv/bin/pip install --no-cache-dir -r requirements.txt" })).toBe(5);
  expect(dockerfileLine(MULTI_STAGE, { stage: 2, step: 4, text: "RUN sleep 1000" })).toBe(11);
  expect(dockerfileLine(MULTI_STAGE, { stage: 2, step: 1, text: "FROM python:3.11.2-slim-bookworm" })).toBe(8);
  // A step numbered differently (a skipped stage) is found by its text.
  expect(dockerfileLine(MULTI_STAGE, { stage: 1, step: 3, text: "RUN sleep 1000" })).toBe(11);
  expect(lastStep(["[1/2] STEP 1/4: FROM x AS build", "[2/2] STEP 3/5: COPY app/ ./app/", "output"])).toEqual({ stage: 2, step: 3, text: "COPY app/ ./app/" });
  expect(lastStep(["STEP 2/2: RUN false"])).toEqual({ stage: 1, step: 2, text: "RUN false" });
});

test("a failing RUN names its line, buildah's error and the step's own output", () => {
  const outcome = buildOutcome(
    {
      ...none,
      terminationMessage: '{"ok":false,"reason":"build","message":"buildah exited 1"}',
      containerReason: "Error",
      exitCode: 1,
      logTail: [
        "academy-build: building Dockerfile (buildah 1.28.2, no network)",
        "STEP 1/3: FROM python:3.11-slim",
        "STEP 2/3: RUN pip install requests==2.99",
        "ERROR: Could not find a version that satisfies the requirement requests==2.99 (from versions: none)",
        "ERROR: No matching distribution found for requests==2.99",
        "subprocess exited with status 1",
        'Error: building at STEP "RUN pip install requests==2.99": exit status 1',
        'academy-build: {"ok":false,"reason":"build","message":"buildah exited 1"}',
      ],
    },
    "FROM python:3.11-slim\nRUN pip install requests==2.99\nCMD [\"python\"]\n",
    limits,
  );
  expect(outcome).toMatchObject({ ok: false, reason: "step-failed", line: 2 });
  if (outcome.ok) throw new Error("expected a failure");
  expect(outcome.error).toBe("`RUN pip install requests==2.99` (Dockerfile line 2) failed: exit status 1");
  expect(outcome.details).toContain("ERROR: No matching distribution found for requests==2.99");
  expect(outcome.details.some((d) => d.startsWith("subprocess exited") || d.startsWith("academy-build:"))).toBe(false);
});

test("a COPY of a missing file and an unknown instruction say what buildah said", () => {
  const copy = buildOutcome(
    {
      ...none,
      terminationMessage: '{"ok":false,"reason":"build","message":"buildah exited 125"}',
      logTail: ["STEP 2/2: COPY missing.txt /", 'Error: building at STEP "COPY missing.txt /": checking on sources under "/var/lib/academy-build/context": copier: stat: "/missing.txt": no such file or directory'],
    },
    "FROM python:3.11-slim\nCOPY missing.txt /\n",
    limits,
  );
  expect(copy).toMatchObject({ ok: false, reason: "step-failed", line: 2 });
  expect(!copy.ok && copy.error).toMatch(/missing\.txt.*no such file or directory/);
  const unknown = buildOutcome(
    {
      ...none,
      terminationMessage: '{"ok":false,"reason":"build","message":"buildah exited 125"}',
      logTail: ["STEP 2/2: RUNN x", 'Error: building at STEP "RUNN ": Build error: Unknown instruction: "RUNN" &imagebuilder.Step{Env:[]string{"PATH=/usr/bin"}}'],
    },
    "FROM python:3.11-slim\nRUNN x\n",
    limits,
  );
  expect(!unknown.ok && unknown.error).toBe('`RUNN` (Dockerfile line 2) failed: Build error: Unknown instruction: "RUNN"');
});

test("the deadline, the memory limit and a full disk are reported as such, with the step that was running", () => {
  const log = ["[2/2] STEP 4/5: RUN sleep 1000"];
  const deadline = buildOutcome({ ...none, jobFailedReason: "DeadlineExceeded", logTail: log }, MULTI_STAGE, limits);
  expect(deadline).toMatchObject({ ok: false, reason: "deadline", line: 11 });
  expect(!deadline.ok && deadline.error).toMatch(/more than 10 minutes and was stopped at `RUN sleep 1000` \(Dockerfile line 11\)/);
  const oom = buildOutcome({ ...none, containerReason: "OOMKilled", exitCode: 137, logTail: log }, MULTI_STAGE, limits);
  expect(oom).toMatchObject({ ok: false, reason: "out-of-memory", line: 11 });
  expect(!oom.ok && oom.error).toMatch(/more than its 1536Mi of memory/);
  const evicted = buildOutcome(
    { ...none, podReason: "Evicted", podMessage: 'Usage of EmptyDir volume "storage" exceeds the limit "3Gi". ', logTail: log },
    MULTI_STAGE,
    limits,
  );
  expect(evicted).toMatchObject({ ok: false, reason: "disk-full" });
  expect(!evicted.ok && evicted.error).toMatch(/filled its 3Gi of disk/);
  const watched = buildOutcome(
    { ...none, terminationMessage: '{"ok":false,"reason":"disk","message":"the build\'s storage passed 2764 MiB"}', logTail: log },
    MULTI_STAGE,
    limits,
  );
  expect(watched).toMatchObject({ ok: false, reason: "disk-full", line: 11 });
  const enospc = buildOutcome({ ...none, logTail: [...log, "write /x: no space left on device"] }, MULTI_STAGE, limits);
  expect(enospc).toMatchObject({ ok: false, reason: "disk-full" });
});

test("a base image the registry lacks, success, and a pod that vanished", () => {
  const pull = buildOutcome(
    { ...none, terminationMessage: '{"ok":false,"reason":"pull","message":"the base image node:20 is not in the Academy registry"}', logTail: ["Error: initializing source docker://node:20: manifest unknown"] },
    "FROM node:20\n",
    limits,
  );
  expect(pull).toMatchObject({ ok: false, reason: "base-image" });
  expect(!pull.ok && pull.error).toMatch(/^the base image node:20 is not in the Academy registry\. Builds have no internet/);
  expect(buildOutcome({ ...none, terminationMessage: '{"ok":true,"digest":"sha256:abc","buildSeconds":12}' }, "FROM x\n", limits)).toEqual({
    ok: true,
    digest: "sha256:abc",
    buildSeconds: 12,
  });
  expect(buildOutcome(none, "FROM x\n", limits)).toMatchObject({ ok: false, reason: "unknown" });
});

test("a disk filled by a RUN is blamed on that RUN, even when buildah was already past it", () => {
  const dockerfile = 'FROM debian:bookworm-slim\nRUN head -c 2000000000 /dev/zero > /big\nCMD ["bash"]\n';
  const log = [
    "STEP 1/3: FROM debian:bookworm-slim",
    "STEP 2/3: RUN head -c 2000000000 /dev/zero > /big",
    'STEP 3/3: CMD ["bash"]',
    "COMMIT 198.19.254.41:5000/learners/k/model-server:latest",
    "academy-build: the build's storage reached 2111 MiB of its 921 MiB; stopping the build",
  ];
  const outcome = buildOutcome({ ...none, terminationMessage: '{"ok":false,"reason":"disk","message":"the build\'s storage passed 921 MiB"}', logTail: log }, dockerfile, limits);
  expect(outcome).toMatchObject({ ok: false, reason: "disk-full", line: 2 });
  expect(!outcome.ok && outcome.error).toMatch(/stopped at `RUN head -c 2000000000 \/dev\/zero > \/big` \(Dockerfile line 2\)/);
});
