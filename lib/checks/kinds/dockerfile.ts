// Static Dockerfile and .dockerignore checks, on the parse tree from `dockerfile-ast` (the parser
// behind the Dockerfile language server), so continuation lines, JSON forms and stage names are
// understood the way Docker understands them. Nothing is built.
import { DockerfileParser, ModifiableInstruction, type Dockerfile, type Instruction } from "dockerfile-ast";
import { z } from "zod";
import { fail, pass, type CheckContext, type CheckOutcome } from "../types";
import { FileParam, defineKind, fileText, missingFile } from "./kind";
import { imageProblem } from "./k8s";
import { learnerPattern, type LearnerPattern } from "../pattern";

type Stage = { name: string | null; image: string; line: number; instructions: Instruction[] };

export type ParsedDockerfile = { dockerfile: Dockerfile; stages: Stage[] };

export function parseDockerfile(text: string): ParsedDockerfile {
  const dockerfile = DockerfileParser.parse(text);
  const args = new Map<string, string>();
  for (const arg of dockerfile.getInitialARGs()) {
    const [name, ...value] = (arg.getArgumentsContent() ?? "").split("=");
    if (name) args.set(name.trim(), QUOTES.replaceAll(value.join("=").trim(), ""));
  }
  const stages: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    if (keyword === "FROM") {
      const from = dockerfile.getFROMs().find((f) => f.getRange().start.line === instruction.getRange().start.line)!;
      const raw = VARIABLE.replaceAll(from.getImage() ?? "", ([m, v]) => args.get(v!) ?? m!);
      stages.push({ name: from.getBuildStage(), image: raw, line: instruction.getRange().start.line + 1, instructions: [] });
    } else if (stages.length > 0) {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return { dockerfile, stages };
}

const FileOption = { file: FileParam.default("Dockerfile") };

function withDockerfile(
  ctx: CheckContext,
  file: string,
  judge: (parsed: ParsedDockerfile) => CheckOutcome,
): CheckOutcome {
  const text = fileText(ctx, file);
  if (text === null) return missingFile(file);
  const parsed = parseDockerfile(text);
  if (parsed.stages.length === 0) return fail(`\`${file}\` has no FROM instruction, so it does not build an image. Start with \`FROM <image>:<tag>\`.`);
  return judge(parsed);
}

const lineOfInstruction = (i: Instruction) => i.getRange().start.line + 1;
const argsOf = (i: Instruction) => (i.getArgumentsContent() ?? "").trim();

/** True for `["a", "b"]` (exec form); false for shell form. */
export function isExecForm(args: string): boolean {
  if (!args.startsWith("[")) return false;
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.length > 0 && parsed.every((a) => typeof a === "string");
  } catch {
    return false;
  }
}

const INSTALL = learnerPattern(String.raw`\b(pip3?|uv|poetry|pipenv|conda|npm|yarn|pnpm|bundle|go)\b[^\n]*\b(install|ci|sync|download)\b`);
const SECRET_NAME = learnerPattern("(^|_)(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)(_|$)", "i");
const SECRET_VALUE = learnerPattern("(AKIA[0-9A-Z]{16}|ghp_[A-Za-z0-9]{20,}|sk-[A-Za-z0-9]{20,}|xox[baprs]-[A-Za-z0-9-]{10,}|-----BEGIN [A-Z ]*PRIVATE KEY)");
const QUOTES = learnerPattern(`^["']|["']$`);
const VARIABLE = learnerPattern(String.raw`\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?`);
const LEADING_FLAGS = learnerPattern(String.raw`^(--\S+\s+)*`);
const DOT_SLASH = learnerPattern("^\\./");
const ENV_NAME = learnerPattern(String.raw`(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)(=|\s|$)`);
const BLANKS = learnerPattern(String.raw`\s+`);
const NEWLINE = learnerPattern(String.raw`\r?\n`);
const NONE = learnerPattern("^NONE$", "i");
const CMD_PREFIX = learnerPattern("^CMD\\s+", "i");
const INSTALLS_PACKAGE = learnerPattern(String.raw`\b(apt-get|apt|apk)\b[^\n]*\b(install|add)\b`);

/** Sources of a COPY/ADD (everything but flags and the destination) and its --from stage. */
function copySources(i: Instruction): { from: string | null; sources: string[] } {
  const flags = i instanceof ModifiableInstruction ? i.getFlags() : [];
  const from = flags.find((f) => f.getName().toLowerCase() === "from")?.getValue() ?? null;
  const content = LEADING_FLAGS.replaceFirst(argsOf(i), "");
  if (isExecForm(content)) return { from, sources: (JSON.parse(content) as string[]).slice(0, -1) };
  const args = i.getArguments().map((a) => a.getValue()).filter((a) => !a.startsWith("--"));
  return { from, sources: args.slice(0, -1) };
}

const NUMERIC = learnerPattern("^[0-9]+$");
const COMMAND_SEPARATOR = learnerPattern(String.raw`&&|\|\||;|\||\r?\n`);
const USER_CREATORS = new Set(["useradd", "adduser"]);

/** The stage and the stages it is built FROM (`FROM build AS final` inherits build's users), final first. */
function stagesOf(stages: Stage[], stage: Stage): Stage[] {
  const chain = [stage];
  let current = stage;
  for (;;) {
    const index = stages.indexOf(current);
    const parent = stages.slice(0, index).findLast((s) => s.name !== null && s.name.toLowerCase() === current.image.toLowerCase());
    if (!parent || chain.includes(parent)) return chain;
    chain.push(parent);
    current = parent;
  }
}

/** Whether a RUN in these stages runs `useradd`/`adduser` with `user` as the login (its last argument). Exec-form RUN is not read. */
function createsUser(stages: Stage[], user: string): boolean {
  return stages.some((stage) =>
    stage.instructions.some((i) => {
      if (i.getKeyword() !== "RUN") return false;
      const text = argsOf(i).replaceAll("\\\n", " ");
      return COMMAND_SEPARATOR.split(text).some((command) => {
        const words = BLANKS.split(command.trim()).filter(Boolean);
        // The command itself (not an argument of `echo`), optionally through sudo.
        const program = words[0] === "sudo" ? words[1] : words[0];
        return program !== undefined && USER_CREATORS.has(program.split("/").at(-1)!) && words.length > 1 && words.at(-1) === user;
      });
    }),
  );
}

/** The port a server's exec-form arguments set (`--port 8000`, `--port=8000`, `--bind 0.0.0.0:8000`, `-b :8000`), or null. */
function portArgument(args: string[]): number | null {
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i]!.split("=", 2) as [string, string | undefined];
    const value = inline ?? args[i + 1];
    if (value === undefined) continue;
    if (flag === "--port") return NUMERIC.test(value) ? Number(value) : null;
    if (flag === "--bind" || flag === "-b") {
      const port = value.split(":").at(-1)!;
      return NUMERIC.test(port) ? Number(port) : null;
    }
  }
  return null;
}

/** HTTP clients that Docker's slim (Debian) base images do not ship. */
const NOT_IN_SLIM = new Set(["curl", "wget"]);

/**
 * The program a HEALTHCHECK runs when the image cannot have it: curl or wget in a final stage
 * built on a `-slim` image (which ships neither) that no RUN installs it in. Null otherwise,
 * including whenever the base is not known to lack it.
 */
function missingHealthcheckTool(stages: Stage[], hc: Instruction): string | null {
  const command = LEADING_FLAGS.replaceFirst(argsOf(hc).replaceAll("\\\n", " "), "");
  const words = CMD_PREFIX.test(command) ? CMD_PREFIX.replaceFirst(command, "") : null;
  if (words === null) return null;
  const first = isExecForm(words) ? (JSON.parse(words) as string[])[0]! : BLANKS.split(words.trim())[0] ?? "";
  const program = first.split("/").at(-1)!;
  if (!NOT_IN_SLIM.has(program)) return null;
  const chain = stagesOf(stages, stages.at(-1)!);
  const root = chain.at(-1)!;
  if (!root.image.toLowerCase().includes("slim")) return null;
  const installs = chain.some((stage) =>
    stage.instructions.some((i) => i.getKeyword() === "RUN" && INSTALLS_PACKAGE.test(argsOf(i)) && BLANKS.split(argsOf(i).replaceAll("\\\n", " ")).includes(program)),
  );
  return installs ? null : program;
}

export const dockerfileKinds = {
  "dockerfile.pinnedBase": defineKind({
    params: z.object(FileOption),
    needsCluster: false,
    async run(p, ctx) {
      return withDockerfile(ctx, p.file, ({ stages }) => {
        const names = new Set<string>();
        const problems: string[] = [];
        for (const stage of stages) {
          if (!names.has(stage.image.toLowerCase()) && stage.image !== "scratch") {
            const problem = stage.image.includes("$") ? `"${stage.image}" uses a build argument without a default` : imageProblem(stage.image);
            if (problem) problems.push(`line ${stage.line}: ${problem}`);
          }
          if (stage.name) names.add(stage.name.toLowerCase());
        }
        return problems.length
          ? fail(`Base image not pinned — ${problems.join("; ")}.`, problems)
          : pass("Every base image is pinned to a version.");
      });
    },
  }),

  "dockerfile.nonRootUser": defineKind({
    params: z.object(FileOption),
    needsCluster: false,
    async run(p, ctx) {
      return withDockerfile(ctx, p.file, ({ stages }) => {
        const final = stages.at(-1)!;
        const users = final.instructions.filter((i) => i.getKeyword() === "USER");
        const last = users.at(-1);
        if (!last) return fail(`The final stage (line ${final.line}) never sets USER, so the container runs as root. Create a user and switch to it with \`USER\`.`);
        const user = argsOf(last).split(":")[0]!.trim();
        if (user === "root" || user === "0") return fail(`Line ${lineOfInstruction(last)}: \`USER ${argsOf(last)}\` is root. Switch to an unprivileged user.`);
        // A name must exist in the image's /etc/passwd, or the container does not start ("unable to
        // find user"). A numeric uid needs no entry; `nobody` is in every Debian and Alpine base.
        if (!NUMERIC.test(user) && user !== "nobody" && !createsUser(stagesOf(stages, final), user)) {
          return fail(
            `Line ${lineOfInstruction(last)}: \`USER ${argsOf(last)}\` switches to "${user}", but no RUN in the final stage (or a stage it builds on) creates that user, so the container fails to start with "unable to find user ${user}". ` +
              `Create it in the final stage (\`RUN useradd --uid 10001 ${user}\`) or use a numeric uid.`,
          );
        }
        return pass(`The container runs as "${user}".`);
      });
    },
  }),

  "dockerfile.dependenciesFirst": defineKind({
    params: z.object({ ...FileOption, manifests: z.array(z.string().min(1)).min(1).default(["requirements.txt"]) }),
    needsCluster: false,
    async run(p, ctx) {
      return withDockerfile(ctx, p.file, ({ stages }) => {
        const isManifest = (src: string) => p.manifests.some((m) => DOT_SLASH.replaceFirst(src, "") === m || src.endsWith(`/${m}`));
        for (const stage of stages) {
          const ins = stage.instructions;
          const installAt = ins.findIndex((i) => i.getKeyword() === "RUN" && INSTALL.test(argsOf(i)));
          if (installAt === -1) continue;
          const copies = ins
            .map((i, index) => ({ i, index }))
            .filter(({ i }) => i.getKeyword() === "COPY" || i.getKeyword() === "ADD")
            .map(({ i, index }) => ({ index, line: lineOfInstruction(i), ...copySources(i) }))
            .filter((c) => c.from === null);
          const manifestCopy = copies.find((c) => c.sources.length > 0 && c.sources.every(isManifest));
          const broadBefore = copies.find((c) => c.index < installAt && !c.sources.every(isManifest));
          if (broadBefore) {
            return fail(
              `Line ${broadBefore.line} copies the source (${broadBefore.sources.join(" ")}) before dependencies are installed (line ${lineOfInstruction(ins[installAt]!)}), ` +
                "so any code change re-runs the install. Copy only the dependency files first, install, then copy the rest.",
            );
          }
          if (!manifestCopy || manifestCopy.index > installAt) {
            return fail(`The install on line ${lineOfInstruction(ins[installAt]!)} runs before ${p.manifests.join(", ")} is copied in.`);
          }
          return pass("Dependencies are installed in their own layer before the source is copied, so code changes reuse the cache.");
        }
        return fail(`No RUN instruction installs dependencies (e.g. \`pip install -r ${p.manifests[0]}\`).`);
      });
    },
  }),

  "dockerfile.noSecrets": defineKind({
    params: z.object(FileOption),
    needsCluster: false,
    async run(p, ctx) {
      return withDockerfile(ctx, p.file, ({ dockerfile }) => {
        const problems: string[] = [];
        for (const i of dockerfile.getInstructions()) {
          const keyword = i.getKeyword();
          if (keyword !== "ENV" && keyword !== "ARG") continue;
          const content = argsOf(i);
          const names = envNames(content);
          const secretName = names.find((n) => SECRET_NAME.test(n));
          if (secretName) problems.push(`line ${lineOfInstruction(i)}: ${keyword} ${secretName} bakes a secret into the image history`);
          else if (SECRET_VALUE.test(content)) problems.push(`line ${lineOfInstruction(i)}: ${keyword} holds what looks like a credential`);
        }
        return problems.length
          ? fail(`${problems.join("; ")}. Pass secrets at run time (environment from a Secret) or at build time with \`RUN --mount=type=secret\`.`, problems)
          : pass("No secrets in ENV or ARG.");
      });
    },
  }),

  "dockerfile.instructions": defineKind({
    params: z.object({
      ...FileOption,
      expose: z.number().int().min(1).max(65535).optional(),
      execForm: z.boolean().default(true),
      healthcheck: z.boolean().default(false),
    }),
    needsCluster: false,
    async run(p, ctx) {
      return withDockerfile(ctx, p.file, ({ stages }) => {
        const final = stages.at(-1)!.instructions;
        const problems: string[] = [];
        if (p.expose !== undefined) {
          const exposed = final
            .filter((i) => i.getKeyword() === "EXPOSE")
            .flatMap((i) => BLANKS.split(argsOf(i)))
            .map((port) => Number(port.split("/")[0]));
          if (!exposed.includes(p.expose)) problems.push(`EXPOSE ${p.expose} is missing (the server listens on ${p.expose})`);
        }
        if (p.execForm) {
          const start = final.filter((i) => i.getKeyword() === "CMD" || i.getKeyword() === "ENTRYPOINT").at(-1);
          if (!start) problems.push("there is no CMD or ENTRYPOINT, so the image does not say how to start the server");
          else if (!isExecForm(argsOf(start))) {
            problems.push(
              `line ${lineOfInstruction(start)}: ${start.getKeyword()} is in shell form, so the server runs under /bin/sh and does not receive SIGTERM; write it as a JSON list, e.g. ["python", "-m", "app"]`,
            );
          }
        }
        // The port the start command tells the server to listen on (uvicorn/gunicorn/flask
        // `--port N`, `--bind host:N`) must be the one the image is for.
        const start = final.filter((i) => i.getKeyword() === "CMD" || i.getKeyword() === "ENTRYPOINT").at(-1);
        const listens = start && p.expose !== undefined && isExecForm(argsOf(start)) ? portArgument(JSON.parse(argsOf(start)) as string[]) : null;
        if (start && listens !== null && listens !== p.expose) {
          problems.push(`line ${lineOfInstruction(start)}: the start command makes the server listen on port ${listens}, but it must listen on ${p.expose} (what the image exposes and its clients call)`);
        }
        if (p.healthcheck) {
          const hc = final.filter((i) => i.getKeyword() === "HEALTHCHECK").at(-1);
          if (!hc) problems.push("there is no HEALTHCHECK");
          else if (NONE.test(argsOf(hc))) problems.push(`line ${lineOfInstruction(hc)}: HEALTHCHECK NONE disables the health check`);
          else {
            const missing = missingHealthcheckTool(stages, hc);
            if (missing) problems.push(`line ${lineOfInstruction(hc)}: the HEALTHCHECK runs ${missing}, which ${missing === "curl" ? "a slim base image does not have" : "the base image does not have"} and no RUN installs, so the container is never healthy; use the image's own Python (\`python -c "import urllib.request; …"\`) or install ${missing}`);
          }
        }
        return problems.length ? fail(`${problems.join("; ")}.`, problems) : pass("EXPOSE, the start command and the health check are in place.");
      });
    },
  }),

  "dockerfile.multiStage": defineKind({
    params: z.object({ ...FileOption, minStages: z.number().int().min(2).default(2) }),
    needsCluster: false,
    async run(p, ctx) {
      return withDockerfile(ctx, p.file, ({ stages }) => {
        if (stages.length < p.minStages) {
          return fail(`The Dockerfile has ${stages.length} stage(s); build in a separate stage and copy only what runs into the final one (${p.minStages} stages).`);
        }
        const copiesFromBuilder = stages.at(-1)!.instructions.some((i) => (i.getKeyword() === "COPY") && copySources(i).from !== null);
        if (!copiesFromBuilder) return fail("The final stage does not `COPY --from=<builder>` anything, so the build stage is wasted.");
        return pass(`${stages.length} stages; the final image only gets what it needs from the build.`);
      });
    },
  }),

  "dockerignore.excludes": defineKind({
    params: z.object({
      file: FileParam.default(".dockerignore"),
      /** Paths that must stay out of the build context ("data/", ".venv"). */
      paths: z.array(z.string().min(1)).min(1),
      /** Paths that must still be sent (so `*` does not pass). */
      keep: z.array(z.string().min(1)).default([]),
    }),
    needsCluster: false,
    async run(p, ctx) {
      const text = fileText(ctx, p.file);
      if (text === null) return missingFile(p.file);
      const rules = parseDockerignore(text);
      const leaking = p.paths.filter((path) => !isIgnored(rules, path));
      const dropped = p.keep.filter((path) => isIgnored(rules, path));
      const problems = [
        ...leaking.map((path) => `${path} is sent to the build context`),
        ...dropped.map((path) => `${path} is ignored, but the image needs it`),
      ];
      return problems.length ? fail(`\`${p.file}\`: ${problems.join("; ")}.`, problems) : pass(`\`${p.file}\` keeps ${p.paths.join(", ")} out of the build.`);
    },
  }),
};

const LEADING_SLASHES = learnerPattern("^/+");
const TRAILING_SLASHES = learnerPattern("/+$");

/** Names an ENV/ARG line sets (`A=1 B=2`, `A 1`). */
function envNames(content: string): string[] {
  return ENV_NAME.matchAll(content).map((m) => m[1]!);
}

type IgnoreRule = { negate: boolean; regex: LearnerPattern };

export function parseDockerignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of NEWLINE.split(text)) {
    let line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const negate = line.startsWith("!");
    if (negate) line = line.slice(1).trim();
    line = DOT_SLASH.replaceFirst(TRAILING_SLASHES.replaceFirst(LEADING_SLASHES.replaceFirst(line, ""), ""), "");
    if (!line) continue;
    let re = "";
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (c === "*" && line[i + 1] === "*") {
        i++;
        if (line[i + 1] === "/") {
          re += "(?:.*/)?";
          i++;
        } else re += ".*";
      } else if (c === "*") re += "[^/]*";
      else if (c === "?") re += "[^/]";
      else re += ".+^${}()|[]\\".includes(c) ? `\\${c}` : c;
    }
    // Learner text becomes a pattern here: RE2 keeps `*a*a*a*…` linear.
    rules.push({ negate, regex: learnerPattern(`^${re}$`) });
  }
  return rules;
}

/** Docker's rule: the last matching pattern wins; a pattern matching a directory covers its contents. */
export function isIgnored(rules: IgnoreRule[], path: string): boolean {
  const clean = TRAILING_SLASHES.replaceFirst(DOT_SLASH.replaceFirst(path, ""), "");
  const parts = clean.split("/");
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join("/"));
  let ignored = false;
  for (const rule of rules) {
    if (candidates.some((c) => rule.regex.test(c))) ignored = !rule.negate;
  }
  return ignored;
}
