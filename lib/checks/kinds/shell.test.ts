import fs from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { runShellcheck, shellKinds, strictModeOf } from "./shell";
import { contextWith } from "./test-helpers";

const lab = path.join(process.cwd(), "labs/batch-scoring-script");
const starter = fs.readFileSync(path.join(lab, "starter/score.sh"), "utf8");
const solution = fs.readFileSync(path.join(lab, "solution/score.sh"), "utf8");

async function run<K extends keyof typeof shellKinds>(kind: K, params: unknown, text: string) {
  const spec = shellKinds[kind];
  return spec.run(spec.params.parse({ file: "s.sh", ...(params as object) }) as never, contextWith({ "s.sh": text }));
}

test("ShellCheck reads the script from stdin and reports findings with lines", async () => {
  const findings = await runShellcheck('#!/bin/bash\necho $1\n');
  expect(findings).toEqual([expect.objectContaining({ line: 2, code: 2086, level: "info" })]);
  expect(await runShellcheck("#!/bin/bash\necho \"$1\"\n")).toEqual([]);
});

test("a script without a shebang is read as bash; the script is never executed", async () => {
  const marker = path.join(process.cwd(), ".academy-data", `never-${Date.now()}`);
  const findings = await runShellcheck(`touch ${marker}\n`);
  expect(Array.isArray(findings)).toBe(true);
  expect(fs.existsSync(marker)).toBe(false);
});

test("shellcheck check: severity filter, code filter, details link to the wiki", async () => {
  const warning = await run("shell.shellcheck", { severity: "warning" }, starter);
  expect(warning.status).toBe("fail");
  expect(warning.details?.join("\n")).toContain("https://www.shellcheck.net/wiki/SC");
  expect((await run("shell.shellcheck", { severity: "info", codes: [2086] }, "#!/bin/bash\necho $1\n")).status).toBe("fail");
  expect((await run("shell.shellcheck", { severity: "warning" }, "#!/bin/bash\necho $1\n")).status).toBe("pass");
  expect((await run("shell.shellcheck", {}, solution)).status).toBe("pass");
});

test("strict mode: variants, order and the shebang", async () => {
  expect(strictModeOf("#!/usr/bin/env bash\nset -euo pipefail\n")).toMatchObject({ e: true, u: true, pipefail: true });
  expect(strictModeOf("#!/bin/bash\n# comment\nset -e\nset -o nounset -o pipefail\n")).toMatchObject({ e: true, u: true, pipefail: true });
  expect(strictModeOf("#!/bin/bash\necho hi\nset -euo pipefail\n")).toMatchObject({ e: false });
  expect((await run("shell.strictMode", {}, "#!/bin/sh\nset -eu\n")).message).toContain("bash shebang");
  expect((await run("shell.strictMode", {}, "#!/bin/bash\nset -eu\n")).message).toContain("pipefail");
  expect((await run("shell.strictMode", {}, solution)).status).toBe("pass");
});

test("exit codes: counts distinct non-zero codes, ignores comments", async () => {
  expect((await run("shell.exitCodes", { minDistinct: 1 }, "#!/bin/bash\n# exit 3\necho\n")).message).toContain("never exits");
  expect((await run("shell.exitCodes", { minDistinct: 3 }, "#!/bin/bash\nexit 2\nexit 2\nexit 1\n")).message).toContain("2 distinct");
  expect((await run("shell.exitCodes", { minDistinct: 3 }, solution)).status).toBe("pass");
});

test("text.matches: present and absent patterns; invalid regexes are refused as params", async () => {
  expect((await run("text.matches", { pattern: "^\\s*trap\\b", failure: "no trap" }, "trap x EXIT\n")).status).toBe("pass");
  expect((await run("text.matches", { pattern: "eval", present: false, failure: "no eval please" }, "eval $x\n")).message).toBe("no eval please");
  expect(shellKinds["text.matches"].params.safeParse({ file: "a", pattern: "(", failure: "x" }).success).toBe(false);
});
