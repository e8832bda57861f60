import fs from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { isolatedEnv, runIsolated, runShellcheck, shellKinds, strictModeOf, withoutDirectives } from "./shell";
import { parseShell } from "./shell-syntax";
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
  expect((await run("shell.exitCodes", { minDistinct: 3 }, "#!/bin/bash\n[[ -d a ]] || exit 2\n[[ -d b ]] || exit 2\n[[ -d c ]] || exit 1\n")).message).toContain("2 distinct");
  expect((await run("shell.exitCodes", { minDistinct: 3 }, solution)).status).toBe("pass");
});

test("text.matches: present and absent patterns; invalid regexes are refused as params", async () => {
  expect((await run("text.matches", { pattern: "^\\s*trap\\b", failure: "no trap" }, "trap x EXIT\n")).status).toBe("pass");
  expect((await run("text.matches", { pattern: "eval", present: false, failure: "no eval please" }, "eval $x\n")).message).toBe("no eval please");
  expect(shellKinds["text.matches"].params.safeParse({ file: "a", pattern: "(", failure: "x" }).success).toBe(false);
});

// Review finding H1: the payload that scored 100/100 by exiting first and hiding behind a directive.
const H1_PAYLOAD = `#!/usr/bin/env bash
# shellcheck disable=all
set -euo pipefail
trap true EXIT
: "$# mktemp mv"
exit 1; exit 2; exit 3
for f in $(ls $1); do cat $f > $2/$f; done
`;

test("H1: learner `# shellcheck` directives do not switch off ShellCheck", async () => {
  const findings = await runShellcheck(H1_PAYLOAD);
  expect(findings.map((f) => f.code)).toEqual(expect.arrayContaining([2045, 2086]));
  for (const directive of ["# shellcheck disable=SC2086", "#shellcheck disable=all", "echo hi # shellcheck disable=SC2086", "# shellcheck shell=sh"]) {
    const text = `#!/bin/bash\n${directive}\necho $1\n`;
    expect((await run("shell.shellcheck", { severity: "info", codes: [2086] }, text)).status, directive).toBe("fail");
  }
  // Columns stay right: the directive is made inert in place.
  expect(withoutDirectives("# shellcheck disable=all\n").length).toBe("# shellcheck disable=all\n".length);
});

test("H1: the payload fails every structural check of the lab", async () => {
  for (const [kind, params] of [
    ["shell.strictMode", {}],
    ["shell.exitCodes", { minDistinct: 3 }],
    ["shell.checksArguments", {}],
    ["shell.runs", { commands: ["mktemp", "mv"], inOrder: true, failure: "no mktemp/mv" }],
    ["shell.trap", { signal: "EXIT", runs: ["rm"], failure: "no trap" }],
    ["shell.shellcheck", { severity: "warning" }],
  ] as const) {
    expect((await run(kind, params, H1_PAYLOAD)).status, kind).toBe("fail");
  }
  expect((await run("shell.strictMode", {}, H1_PAYLOAD)).message).toContain("line 6");
});

test("an exit before the work fails; a conditional exit or one at the end does not", async () => {
  const early = "#!/usr/bin/env bash\nset -euo pipefail\nexit 0\nmktemp\nmv a b\n";
  expect((await run("shell.strictMode", {}, early)).message).toContain("always ends the script");
  expect((await run("shell.runs", { commands: ["mktemp", "mv"], failure: "x" }, early)).status).toBe("fail");
  const fine = "#!/usr/bin/env bash\nset -euo pipefail\n[[ $# -eq 1 ]] || exit 2\nif [[ -z $1 ]]; then exit 3; fi\ntmp=$(mktemp)\nmv \"$tmp\" out\nexit 0\n";
  expect((await run("shell.strictMode", {}, fine)).status).toBe("pass");
  expect((await run("shell.runs", { commands: ["mktemp", "mv"], inOrder: true, failure: "x" }, fine)).status).toBe("pass");
  expect((await run("shell.checksArguments", {}, fine)).status).toBe("pass");
  expect((await run("shell.exitCodes", { minDistinct: 2 }, fine)).status).toBe("pass");
});

test("strict mode counts only a real top-level `set` before any other command", async () => {
  const off = (body: string) => strictModeOf(`#!/usr/bin/env bash\n${body}\n`).pipefail;
  expect(off("# set -euo pipefail")).toBe(false);
  expect(off(': "set -euo pipefail"')).toBe(false);
  expect(off("strict() {\nset -euo pipefail\n}")).toBe(false);
  expect(off("cat <<EOF\nset -euo pipefail\nEOF")).toBe(false);
  expect(off("true && set -euo pipefail")).toBe(false);
  expect(off("if true; then set -euo pipefail; fi")).toBe(false);
  expect(off("set -euo pipefail # strict")).toBe(true);
});

test("commands in comments, strings, heredocs and uncalled functions are not run", async () => {
  const runs = (body: string) => run("shell.runs", { commands: ["mktemp", "mv"], failure: "no" }, `#!/usr/bin/env bash\n${body}\n`);
  expect((await runs("# mktemp; mv")).status).toBe("fail");
  expect((await runs("echo 'mktemp' \"mv\"")).status).toBe("fail");
  expect((await runs("cat <<'EOF'\nmktemp\nmv a b\nEOF")).status).toBe("fail");
  expect((await runs("never() { mktemp; mv a b; }")).status).toBe("fail");
  expect((await runs("work() { t=$(mktemp); mv \"$t\" b; }\nwork")).status).toBe("pass");
  const trap = (body: string) => run("shell.trap", { runs: ["rm"], failure: "no" }, `#!/usr/bin/env bash\n${body}\n`);
  expect((await trap("trap true EXIT")).status).toBe("fail");
  expect((await trap("# trap 'rm -f x' EXIT")).status).toBe("fail");
  expect((await trap("trap 'rm -f \"$tmp\"' EXIT")).status).toBe("pass");
  expect((await trap("cleanup() { rm -rf \"$d\"; }\ntrap cleanup EXIT")).status).toBe("pass");
  expect((await run("shell.checksArguments", {}, '#!/usr/bin/env bash\n: "$#"\necho "$#"\n')).status).toBe("fail");
  expect((await run("shell.checksArguments", {}, '#!/usr/bin/env bash\n: "${1:?usage: s.sh DIR}"\n')).status).toBe("pass");
});

test("exit codes after an unconditional exit or inside uncalled functions do not count", async () => {
  expect((await run("shell.exitCodes", { minDistinct: 2 }, "#!/bin/bash\nf() { exit 3; }\n[[ -d x ]] || exit 2\n")).status).toBe("fail");
  expect((await run("shell.exitCodes", { minDistinct: 2 }, "#!/bin/bash\necho 'exit 4'\n[[ -d x ]] || exit 2\n")).status).toBe("fail");
});

test("I1: ShellCheck's process gets a minimal environment, none of the server's", async () => {
  process.env.ACADEMY_TEST_SECRET_FOR_CHILD = "do-not-leak";
  try {
    const { stdout } = await runIsolated("env", [], "");
    const names = stdout.trim().split("\n").map((l) => l.split("=")[0]).sort();
    expect(names).toEqual(["HOME", "LANG", "LC_ALL", "PATH"]);
    expect(stdout).not.toContain("do-not-leak");
    expect(isolatedEnv().HOME).not.toBe(process.env.HOME);
  } finally {
    delete process.env.ACADEMY_TEST_SECRET_FOR_CHILD;
  }
});

test("text.matches runs on RE2: linear on crafted input; backtracking-only syntax is refused", async () => {
  const crafted = `#!/usr/bin/env bash\ntrap${" ".repeat(65_000)}`;
  const started = performance.now();
  expect((await run("text.matches", { pattern: "^\\s*trap\\s+.+\\bEXIT\\b", failure: "no trap" }, crafted)).status).toBe("fail");
  expect(performance.now() - started).toBeLessThan(1_000);
  expect(shellKinds["text.matches"].params.safeParse({ file: "a", pattern: "(a)\\1", failure: "x" }).success).toBe(false);
});

test("parseShell keeps what joins commands: `!`, the and-or and pipe operators, and heredoc bodies", () => {
  const script = parseShell("! kubectl get svc old\nkubectl get deploy web && exit 1 || true\ncat <<'EOF' | kubectl apply -f -\nkind: ConfigMap\n  name: x\nEOF\necho done\n");
  expect(script.commands.map((c) => [c.words.join(" "), c.negated, c.operator, c.heredoc])).toEqual([
    ["kubectl get svc old", true, null, null],
    ["kubectl get deploy web", false, null, null],
    ["exit 1", false, "&&", null],
    ["true", false, "||", null],
    ["cat", false, null, "kind: ConfigMap\n  name: x\n"],
    ["kubectl apply -f -", false, "|", null],
    ["echo done", false, null, null],
  ]);
});
