import path from "node:path";
import os from "node:os";
import { expect, test } from "vitest";
import { compileMdx } from "./compile";
import { commandsOf } from "./console";
import { parseCodeMeta } from "./mdx-plugins";

test("a fence's meta: a quoted title, the runnable mark, and anything else as written", () => {
  expect(parseCodeMeta(undefined)).toEqual({ title: null, runnable: false, unknown: [] });
  expect(parseCodeMeta('title="deploy it.sh" runnable')).toEqual({ title: "deploy it.sh", runnable: true, unknown: [] });
  expect(parseCodeMeta("runnable title='a.py'")).toEqual({ title: "a.py", runnable: true, unknown: [] });
  expect(parseCodeMeta("runable linenos=1 {1,3} title=bare")).toEqual({ title: null, runnable: false, unknown: ["runable", "linenos=1", "{1,3}", "title=bare"] });
  // `runnable` is a bare word: with a value it means nothing.
  expect(parseCodeMeta('runnable="yes"')).toEqual({ title: null, runnable: false, unknown: ['runnable="yes"'] });
});

test("what a runnable block sends: the code, or a transcript's commands without prompts or output", () => {
  expect(commandsOf("bash", "kubectl get pods\nkubectl get svc\n")).toBe("kubectl get pods\nkubectl get svc");
  expect(commandsOf("console", "$ kubectl get pods\nNAME READY\n$ kubectl logs \\\n  deploy/x\n")).toBe("kubectl get pods\nkubectl logs \\\n  deploy/x");
  expect(commandsOf("console", "no prompt here\n")).toBe("");
});

test("the compiler marks runnable blocks on their <pre> and records each block's mark, meta and commands with its line", async () => {
  const source = [
    "---",
    "title: x",
    "---",
    "",
    "```bash runnable",
    "kubectl get pods",
    "```",
    "",
    '```console title="Try it" runnable',
    "$ echo hi",
    "hi",
    "```",
    "",
    "```yaml linenos",
    "a: 1",
    "```",
    "",
  ].join("\n");
  const compiled = await compileMdx(source, { file: path.join(os.tmpdir(), "academy-plugins-test", "lab.mdx") });
  expect(compiled.analysis.codeBlocks).toEqual([
    { language: "bash", runnable: true, unknownMeta: [], commands: "kubectl get pods", line: 5, column: 1 },
    { language: "console", runnable: true, unknownMeta: [], commands: "echo hi", line: 9, column: 1 },
    { language: "yaml", runnable: false, unknownMeta: ["linenos"], commands: "", line: 14, column: 1 },
  ]);
  expect(compiled.code.match(/"data-runnable":"true"/g)).toHaveLength(2);
  expect(compiled.code).toContain('"data-title":"Try it"');
});
