import { expect, test } from "vitest";
import { planSync, type SyncInput } from "./file-sync";

const sha = (c: string) => c.repeat(64);
const lab = new Map([
  ["score.py", { sha256: sha("a"), readonly: false }],
  ["k8s/job.yaml", { sha256: sha("b"), readonly: false }],
  ["data/input.csv", { sha256: sha("c"), readonly: true }],
]);
const input = (over: Partial<SyncInput>): SyncInput => ({ podFiles: [], labFiles: lab, baseline: new Map(), maxFileBytes: 1000, ...over });

test("a file unchanged since it was last in step is not imported, even when the editor has moved on", () => {
  // The editor saved a newer score.py (sha d) that has not reached the pod yet: the pod's copy is stale, not new.
  const plan = planSync(input({ labFiles: new Map([...lab, ["score.py", { sha256: sha("d"), readonly: false }]]), podFiles: [{ path: "score.py", bytes: 10, sha256: sha("a") }], baseline: new Map([["score.py", sha("a")]]) }));
  expect(plan).toEqual({ imports: [], inStep: [], problems: [] });
});

test("a file changed in the terminal is imported; one changed to the editor's text only moves the baseline", () => {
  const plan = planSync(
    input({
      podFiles: [
        { path: "score.py", bytes: 10, sha256: sha("e") },
        { path: "k8s/job.yaml", bytes: 10, sha256: sha("b") },
      ],
      baseline: new Map([
        ["score.py", sha("a")],
        ["k8s/job.yaml", sha("f")],
      ]),
    }),
  );
  expect(plan.imports).toEqual([{ path: "score.py", sha256: sha("e") }]);
  expect(plan.inStep).toEqual([{ path: "k8s/job.yaml", sha256: sha("b") }]);
});

test("a lab file created in the terminal (no baseline) is imported; files that are not lab files are ignored", () => {
  const plan = planSync(
    input({
      podFiles: [
        { path: "k8s/job.yaml", bytes: 5, sha256: sha("9") },
        { path: "notes.txt", bytes: 5, sha256: sha("1") },
        { path: "__pycache__/score.cpython-311.pyc", bytes: 5, sha256: sha("2") },
        { path: "score.py.academy-new", bytes: 5, sha256: sha("3") },
      ],
    }),
  );
  expect(plan).toEqual({ imports: [{ path: "k8s/job.yaml", sha256: sha("9") }], inStep: [], problems: [] });
});

test("too large and read-only files are reported in words, not imported", () => {
  const plan = planSync(
    input({
      podFiles: [
        { path: "score.py", bytes: 5000, sha256: null },
        { path: "data/input.csv", bytes: 10, sha256: sha("7") },
      ],
      baseline: new Map([["data/input.csv", sha("c")]]),
    }),
  );
  expect(plan.imports).toEqual([]);
  expect(plan.problems).toEqual([
    '"score.py" in the terminal is 5000 bytes; a lab file may be at most 1000 bytes, so it was not brought into the editor.',
    '"data/input.csv" is provided by the lab: your change in the terminal stays there and is not saved.',
  ]);
});
