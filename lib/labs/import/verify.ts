// A Killercoda verify.sh → the checks of a step. The script is parsed (parseShell), and each
// statement is matched against the few shapes that a built-in kind expresses exactly:
//   kubectl get KIND NAME              → k8s.exists        (! kubectl get … / … && exit 1 → k8s.absent)
//   test/[ "$(kubectl get KIND NAME -o jsonpath='{.path}')" OP VALUE ]   → k8s.field
//   … jsonpath='{…containers[…].env[?(@.name=="X")].value}' = V           → k8s.containerEnv
//   test/[ "$(kubectl get KIND -l k=v --no-headers | wc -l)" OP N ]      → k8s.selected / k8s.absent
// (also through a variable: `n=$(…)` then `[ "$n" -eq 3 ]`). `set …`, `echo …` and a final
// `exit 0` are ignored. When any statement is something else, the whole script becomes one
// script.inWorkspace check (it runs as written, in the learner's workspace pod, with the learner's
// kubectl), and the report says which lines were not understood.
import { parseShell, type ShellCommand } from "@/lib/checks/kinds/shell-syntax";
import { WORKLOAD_KINDS } from "@/lib/checks/workloads";
import { fieldPath, readJsonPath, readKubectlGet, type JsonPathStep, type KubectlGet } from "./kubectl";

/** A check the step needs, before the lab gives it an id. */
export type DraftCheck = {
  /** Words for its id (`deployment-web-exists`). */
  slug: string;
  /** What it verifies, for its title. */
  what: string;
  kind: string;
  params: Record<string, unknown>;
  /** The verify line(s) it comes from. */
  lines: number[];
  source: string;
};

export type LineOutcome =
  | { line: number; source: string; outcome: "mapped"; kind: string; note?: string }
  | { line: number; source: string; outcome: "ignored"; why: string }
  | { line: number; source: string; outcome: "unmapped"; why: string };

export type VerifyMapping = {
  checks: DraftCheck[];
  lines: LineOutcome[];
  /** True when the script runs as a whole (script.inWorkspace) because a line is not mapped. */
  asScript: boolean;
  notes: string[];
};

type Statement = { line: number; source: string; commands: ShellCommand[] };
type Mapped = { checks: DraftCheck[]; note?: string };
type Capture = { type: "field"; get: KubectlGet; steps: JsonPathStep[] } | { type: "count"; get: KubectlGet };

const NUMERIC_OPS: Record<string, "eq" | "ge" | "gt" | "le" | "lt"> = { "-eq": "eq", "-ge": "ge", "-gt": "gt", "-le": "le", "-lt": "lt" };
const FLIPPED = { eq: "eq", ge: "le", gt: "lt", le: "ge", lt: "gt" } as const;

export function mapVerify(text: string): VerifyMapping {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const script = parseShell(text);
  const statements: Statement[] = [];
  for (const command of script.commands.filter((c) => !c.substitution)) {
    if (command.operator === null || statements.length === 0) statements.push({ line: command.line, source: (lines[command.line - 1] ?? "").trim(), commands: [command] });
    else statements.at(-1)!.commands.push(command);
  }
  const variables = new Map<string, { capture: Capture | null; why: string; line: number }>();
  const outcomes: LineOutcome[] = [];
  const checks: DraftCheck[] = [];
  const notes: string[] = [];
  let strict = false;
  let assertions = 0;
  statements.forEach((statement, index) => {
    const { line, source } = statement;
    const first = statement.commands[0]!;
    const words = first.words;
    const single = statement.commands.length === 1 && !first.negated;
    const ignored = (why: string) => outcomes.push({ line, source, outcome: "ignored", why });
    const unmapped = (why: string) => outcomes.push({ line, source, outcome: "unmapped", why });
    if (statement.commands.some((c) => c.depth > 0 || c.inFunction)) return unmapped("it is inside an `if`, a loop or a function, which the importer does not map");
    if (single && words[0] === "set") {
      if (words.slice(1).some((w) => /^-[a-z]*e/.test(w))) strict = true;
      return ignored("a shell option");
    }
    if (single && (words[0] === "echo" || words[0] === "printf")) return ignored("output only");
    if (single && words[0] === "exit" && (words[1] ?? "0") === "0" && index === statements.length - 1) return ignored("the script's end");
    if (single && words.length === 1 && /^[A-Za-z_]\w*=/.test(words[0]!)) {
      const [name, value] = [words[0]!.slice(0, words[0]!.indexOf("=")), words[0]!.slice(words[0]!.indexOf("=") + 1)];
      const capture = captureOf(value);
      variables.set(name, { capture: capture.ok ? capture.capture : null, why: capture.ok ? "" : capture.why, line });
      return ignored(`sets $${name}, which a later line compares`);
    }
    assertions++;
    const mapped = mapStatement(statement, variables);
    if (!mapped.ok) return unmapped(mapped.why);
    const kinds = [...new Set(mapped.checks.map((c) => c.kind))].join(", ");
    outcomes.push({ line, source, outcome: "mapped", kind: kinds, ...(mapped.note ? { note: mapped.note } : {}) });
    checks.push(...mapped.checks.map((c) => ({ ...c, lines: [line], source })));
  });
  if (assertions > 1 && !strict) notes.push("The script has no `set -e`, so in Killercoda only its last command decided; here every line is a check of its own, which is stricter.");
  const asScript = outcomes.some((o) => o.outcome === "unmapped") || checks.length === 0;
  if (!asScript) return { checks, lines: outcomes, asScript, notes };
  const all = outcomes.map((o) => o.line);
  // Lines the importer understood still run as part of the script: say what each alone would be.
  for (const [i, o] of outcomes.entries()) {
    if (o.outcome === "mapped") outcomes[i] = { ...o, kind: "script.inWorkspace", note: `part of the script; on its own it would be ${o.kind}` };
  }
  return {
    checks: [{ slug: "verify-script", what: "the step's verify script passes", kind: "script.inWorkspace", params: { script: text }, lines: all, source: "verify.sh" }],
    lines: outcomes,
    asScript,
    notes: [...notes, checks.length === 0 && !outcomes.some((o) => o.outcome === "unmapped") ? "The script checks nothing the importer could see; it runs as written." : "The whole script runs as written in the learner's workspace pod (script.inWorkspace), because the lines marked \"needs the author\" have no built-in equivalent."],
  };
}

function mapStatement(statement: Statement, variables: Map<string, { capture: Capture | null; why: string; line: number }>): { ok: true; checks: Mapped["checks"]; note?: string } | { ok: false; why: string } {
  let commands = statement.commands;
  let negated = commands[0]!.negated;
  const last = commands.at(-1)!;
  const exitsNonZero = (c: ShellCommand) => (c.words[0] === "exit" || c.words[0] === "return") && c.words.length <= 2 && (c.words[1] ?? "1") !== "0";
  if (commands.length === 2 && exitsNonZero(last) && last.operator === "||") commands = [commands[0]!];
  else if (commands.length === 2 && exitsNonZero(last) && last.operator === "&&") {
    commands = [commands[0]!];
    negated = !negated;
  }
  if (commands.length !== 1) return { ok: false, why: commands.some((c) => c.operator === "|") ? "it pipes one command into another" : "it chains commands in a way the importer does not map" };
  const words = commands[0]!.words;
  if (words[0] === "kubectl") {
    const read = readKubectlGet(words);
    if (!read.ok) return read;
    const { get } = read;
    if (get.selector) return { ok: false, why: "`kubectl get -l …` succeeds even when nothing matches; compare a count instead (`… --no-headers | wc -l`)" };
    if (get.names.length === 0) return { ok: false, why: "it names no object" };
    const note = get.notes.join("; ") || undefined;
    return {
      ok: true,
      note,
      checks: get.names.map((name) =>
        negated
          ? { slug: `${get.resource.kind}-${name}-absent`, what: `${get.resource.kind} "${name}" does not exist`, kind: "k8s.absent", params: { ...get.resource, name }, lines: [], source: "" }
          : { slug: `${get.resource.kind}-${name}-exists`, what: `${get.resource.kind} "${name}" exists`, kind: "k8s.exists", params: { ...get.resource, name }, lines: [], source: "" },
      ),
    };
  }
  if (negated) return { ok: false, why: "a negated test has no built-in equivalent" };
  const operands = testOperands(words);
  if (!operands) return { ok: false, why: `\`${words[0]}\` is not a command the importer maps` };
  const [left, op, right] = operands;
  const sides = [left, right].map((w) => sideOf(w, variables));
  const captureAt = sides.findIndex((s) => s.type === "capture");
  if (captureAt === -1) return { ok: false, why: sides.find((s) => s.type === "unknown")?.why ?? "it compares no kubectl output" };
  const other = sides[1 - captureAt]!;
  if (other.type !== "literal") return { ok: false, why: other.type === "unknown" ? other.why : "it compares two kubectl outputs" };
  const capture = (sides[captureAt] as { type: "capture"; capture: Capture }).capture;
  const numeric = NUMERIC_OPS[op];
  const relation = numeric ? (captureAt === 0 ? numeric : FLIPPED[numeric]) : op === "=" || op === "==" ? "equals" : null;
  if (!relation) return { ok: false, why: `the comparison \`${op}\` has no built-in equivalent` };
  return capture.type === "count" ? countCheck(capture.get, relation, other.value) : fieldCheck(capture.get, capture.steps, relation, other.value);
}

/** `test A op B`, `[ A op B ]`, `[[ A op B ]]` → [A, op, B]. */
function testOperands(words: string[]): [string, string, string] | null {
  const inner = words[0] === "test" ? words.slice(1) : words[0] === "[" && words.at(-1) === "]" ? words.slice(1, -1) : words[0] === "[[" && words.at(-1) === "]]" ? words.slice(1, -1) : null;
  return inner && inner.length === 3 ? (inner as [string, string, string]) : null;
}

type Side = { type: "capture"; capture: Capture } | { type: "literal"; value: string } | { type: "unknown"; why: string };

function sideOf(word: string, variables: Map<string, { capture: Capture | null; why: string; line: number }>): Side {
  const variable = /^\$\{?([A-Za-z_]\w*)\}?$/.exec(word);
  if (variable) {
    const bound = variables.get(variable[1]!);
    if (!bound) return { type: "unknown", why: `$${variable[1]} is not set by an earlier line of the script` };
    return bound.capture ? { type: "capture", capture: bound.capture } : { type: "unknown", why: `$${variable[1]} (line ${bound.line}) ${bound.why}` };
  }
  if (word.startsWith("$(")) {
    const capture = captureOf(word);
    return capture.ok ? { type: "capture", capture: capture.capture } : { type: "unknown", why: capture.why };
  }
  if (/[$`]/.test(word)) return { type: "unknown", why: "it compares a value the importer cannot read" };
  return { type: "literal", value: word };
}

/** `$(kubectl get … -o jsonpath=…)` or `$(kubectl get … | wc -l)`. */
function captureOf(word: string): { ok: true; capture: Capture } | { ok: false; why: string } {
  if (!word.startsWith("$(") || !word.endsWith(")")) return { ok: false, why: "is not the output of a kubectl command" };
  const commands = parseShell(word.slice(2, -1)).commands.filter((c) => !c.substitution);
  const [get, count] = commands;
  if (!get) return { ok: false, why: "is empty" };
  const read = readKubectlGet(get.words);
  if (!read.ok) return read;
  if (commands.length === 2 && count!.operator === "|" && count!.words.join(" ") === "wc -l") {
    if (!read.get.selector) return { ok: false, why: "counts objects without a label selector (k8s.selected needs one)" };
    if (!read.get.linePerObject) return { ok: false, why: "counts the lines of `kubectl get` with its header line (add `--no-headers`)" };
    if (read.get.jsonpath) return { ok: false, why: "counts the lines of a jsonpath output" };
    return { ok: true, capture: { type: "count", get: read.get } };
  }
  if (commands.length !== 1) return { ok: false, why: "pipes kubectl's output into another command" };
  if (!read.get.jsonpath) return { ok: false, why: "compares the table `kubectl get` prints; use `-o jsonpath=…`" };
  if (read.get.names.length !== 1 || read.get.selector) return { ok: false, why: "reads a field of more than one object" };
  const steps = readJsonPath(read.get.jsonpath);
  if (!steps) return { ok: false, why: `the jsonpath \`${read.get.jsonpath}\` is not one field (ranges, wildcards or several fields)` };
  return { ok: true, capture: { type: "field", get: read.get, steps } };
}

type Relation = "equals" | "eq" | "ge" | "gt" | "le" | "lt";

function integer(value: string): number | null {
  return /^-?\d+$/.test(value) ? Number(value) : null;
}

function countCheck(get: KubectlGet, relation: Relation, value: string): { ok: true; checks: DraftCheck[]; note?: string } | { ok: false; why: string } {
  const n = integer(value);
  if (n === null) return { ok: false, why: `it compares a count with "${value}", which is not a number` };
  const selector = get.selector!;
  const labels = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(",");
  const base = { ...get.resource, selector };
  const slug = `${get.resource.kind}-${Object.values(selector).join("-")}`;
  const absent = (): DraftCheck => ({ slug: `${slug}-none`, what: `no ${get.resource.kind} labelled ${labels} exists`, kind: "k8s.absent", params: base, lines: [], source: "" });
  const count = (c: number | { min: number; max?: number }, words: string): DraftCheck => ({ slug: `${slug}-count`, what: `${words} ${get.resource.kind}(s) labelled ${labels}`, kind: "k8s.selected", params: { ...base, count: c }, lines: [], source: "" });
  const min = relation === "gt" ? n + 1 : n;
  const max = relation === "lt" ? n - 1 : n;
  let check: DraftCheck;
  if (relation === "equals" || relation === "eq") check = n === 0 ? absent() : count(n, `exactly ${n}`);
  else if (relation === "ge" || relation === "gt") {
    if (min <= 0) return { ok: false, why: "the count is always at least that: the line checks nothing" };
    check = count({ min }, `at least ${min}`);
  } else {
    if (max < 0) return { ok: false, why: "no count is below 0: the line always fails" };
    check = max === 0 ? absent() : count({ min: 0, max }, `at most ${max}`);
  }
  const note = [...get.notes, get.resource.kind === "Pod" ? "the grader's own pods and the workspace pod are never counted" : ""].filter(Boolean).join("; ");
  return { ok: true, checks: [check], ...(note ? { note } : {}) };
}

function fieldCheck(get: KubectlGet, steps: JsonPathStep[], relation: Relation, value: string): { ok: true; checks: DraftCheck[]; note?: string } | { ok: false; why: string } {
  const name = get.names[0]!;
  const notes = [...get.notes];
  const env = envOf(get, steps);
  if (env) {
    if (!env.ok) return env;
    if (relation !== "equals") return { ok: false, why: "it compares an environment variable with a number" };
    if (env.note) notes.push(env.note);
    const from = env.from === "literal" ? { from: "literal", value } : env.from === "configMap" ? { from: "configMap", configMap: value } : { from: "secret", secret: value };
    const params = { workload: { kind: get.resource.kind, name }, ...(env.container ? { container: env.container } : {}), variable: env.variable, ...from };
    notes.push("the variable is resolved as the kubelet resolves it (`env` over `envFrom`), not only from the `env` list the jsonpath read");
    return { ok: true, note: notes.join("; "), checks: [{ slug: `${get.resource.kind}-${name}-env-${env.variable}`, what: `${get.resource.kind} "${name}" sets ${env.variable}${env.from === "literal" ? ` to "${value}"` : ` from ${env.from === "configMap" ? "ConfigMap" : "Secret"} "${value}"`}`, kind: "k8s.containerEnv", params, lines: [], source: "" }] };
  }
  const path = fieldPath(steps);
  if (!path) return { ok: false, why: "its jsonpath filters a list (`[?(…)]`), which k8s.field cannot" };
  const rule = ruleOf(relation, value, path);
  if (!rule.ok) return rule;
  if (rule.note) notes.push(rule.note);
  const last = path.split(/[.[\]"]+/).filter(Boolean).at(-1) ?? "field";
  return {
    ok: true,
    ...(notes.length ? { note: notes.join("; ") } : {}),
    checks: [{ slug: `${get.resource.kind}-${name}-${last}`, what: `${get.resource.kind} "${name}": \`${path}\` ${rule.words}`, kind: "k8s.field", params: { ...get.resource, name, path, ...rule.rule }, lines: [], source: "" }],
  };
}

function ruleOf(relation: Relation, value: string, path: string): { ok: true; rule: Record<string, unknown>; words: string; note?: string } | { ok: false; why: string } {
  if (relation === "equals") {
    if (value === "") return { ok: false, why: "it compares with empty text (a field that is not set prints nothing too)" };
    const text = /^(metadata\.(labels|annotations)|data|stringData)\b/.test(path);
    if (!text && integer(value) !== null) return { ok: true, rule: { equals: Number(value) }, words: `is ${value}`, note: `compared as the number ${value}: a field holding the text "${value}" fails the check where the script passed` };
    if (!text && (value === "true" || value === "false")) return { ok: true, rule: { equals: value === "true" }, words: `is ${value}`, note: `compared as the boolean ${value}: a field holding the text "${value}" fails the check where the script passed` };
    return { ok: true, rule: { equals: value }, words: `is "${value}"` };
  }
  const n = integer(value);
  if (n === null) return { ok: false, why: `\`-${relation}\` compares with "${value}", which is not a whole number` };
  const rule = relation === "eq" ? { min: n, max: n } : relation === "ge" ? { min: n } : relation === "gt" ? { min: n + 1 } : relation === "le" ? { max: n } : { max: n - 1 };
  const words = relation === "eq" ? `is ${n}` : "min" in rule ? `is at least ${rule.min}` : `is at most ${rule.max}`;
  return { ok: true, rule, words };
}

type EnvRead = { ok: true; variable: string; container: string | null; from: "literal" | "configMap" | "secret"; note?: string } | { ok: false; why: string };

/** `…containers[0|?(@.name=="c")].env[?(@.name=="X")].value` (or `.valueFrom.configMapKeyRef.name` / `secretKeyRef.name`) of a workload; null when the path is not about env. */
function envOf(get: KubectlGet, steps: JsonPathStep[]): EnvRead | null {
  const at = steps.findIndex((s) => "key" in s && s.key === "env");
  if (at === -1 || !steps.some((s) => "filter" in s)) return null;
  if (!(WORKLOAD_KINDS as readonly string[]).includes(get.resource.kind)) return { ok: false, why: `reads the env of a ${get.resource.kind}, not of a workload` };
  const keys = (list: JsonPathStep[]) => list.map((s) => ("key" in s ? s.key : "index" in s ? `[${s.index}]` : "?")).join(".");
  const template = get.resource.kind === "CronJob" ? "spec.jobTemplate.spec.template.spec.containers" : "spec.template.spec.containers";
  if (keys(steps.slice(0, at - 1)) !== template) return { ok: false, why: "reads env from somewhere other than the pod template's containers" };
  const container = steps[at - 1]!;
  const variable = steps[at + 1];
  if (!variable || !("filter" in variable) || variable.filter.field !== "name") return { ok: false, why: "reads the env list without picking one variable by name" };
  const rest = keys(steps.slice(at + 2));
  const from = rest === "value" ? "literal" : rest === "valueFrom.configMapKeyRef.name" ? "configMap" : rest === "valueFrom.secretKeyRef.name" ? "secret" : null;
  if (!from) return { ok: false, why: `reads \`${rest}\` of an env variable, which k8s.containerEnv does not compare` };
  if ("filter" in container) {
    if (container.filter.field !== "name") return { ok: false, why: "picks a container by something other than its name" };
    return { ok: true, variable: variable.filter.equals, container: container.filter.equals, from };
  }
  if ("index" in container && container.index === 0) return { ok: true, variable: variable.filter.equals, container: null, from, note: "the script read the first container; the check judges every container (name the container in `params.container` if the pod has several)" };
  return { ok: false, why: "picks a container by position other than the first" };
}
