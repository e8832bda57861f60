// Builds the catalogue's images (images.ts) offline from Debian packages and the repository's
// sources, as OCI layouts under <imagesDir>/<image>/<cache key>/, and pushes them to the loopback
// registry under their local and public names. Debian root filesystems come from debootstrap and
// apt in a chroot (steps/debian-rootfs.sh); layers, configs and tags from umoci; pushes from skopeo.
// A build whose key (cache-key.ts) is already on disk is reused as it is, so a warm run takes seconds.
// One file on purpose: the build steps run in order over one layout and share its helpers.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { cacheKey, type FileDigest } from "./cache-key";
import { containerdHostsFiles, renderCriRegistrySnippet } from "./containerd-hosts";
import { debianMirror, imageSourcesList, parseDeb822Sources, parseSourcesList, type AptSource } from "./debian-sources";
import {
  buildOrder,
  DEBIAN_SUITE,
  IMAGES,
  imageSpec,
  type ImageName,
  type ImageSpec,
  KUBERNETES_VERSION,
  PAUSE_VERSION,
  publicRefs,
  pushRefs,
  PYTHON_VERSION,
} from "./images";
import { formatImageRef, pathCollisions, upstreamRegistries } from "./references";
import { registryAnswers, registryLayout, startRegistry, stopRegistry } from "./registry";
import { commandEnv, type ImagesSettings, registryAddress } from "./settings";

const TAG = "image"; // the one tag inside each build's OCI layout
export const OCI_ACCEPT = [
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

export type BuiltImage = {
  name: ImageName;
  key: string;
  layout: string;
  /** The manifest digest: equal in the layout and in the registry after a push. */
  digest: string;
  /** Compressed layers + config: what a pull transfers and the registry stores. */
  sizeBytes: number;
  /** The unpacked root filesystem, all layers. */
  rootfsBytes: number;
  cached: boolean;
  seconds: number;
};

export type BuildOptions = {
  /** These images and their bases; default all. */
  only?: ImageName[];
  /** Rebuild even when the cache holds the key (the `only` images, or all). */
  force?: boolean;
  push?: boolean;
  /**
   * Leave the registry running after the push (the cluster start needs it next). Without it, a
   * registry this build started is stopped again; stopping and at once restarting it raced the old
   * process for the port on a fresh machine.
   */
  keepRegistry?: boolean;
  log?: (line: string) => void;
};

export type BuildResult =
  | { ok: true; images: BuiltImage[]; pushed: string[]; hostsDir: string; seconds: number }
  | { ok: false; error: string; code: "not-root" | "missing-tools" | "locked" | "build-failed" | "push-failed" | "registry" };

class StepError extends Error {}

const STEPS_DIR = (s: ImagesSettings) => path.join(s.repoRoot, "tools/images/steps");

// ---------------------------------------------------------------------------------------------
// Commands

/** Runs a command, its output prefixed and passed through; rejects with the last lines on failure. */
function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; log: (l: string) => void; label: string }) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? commandEnv(), stdio: ["ignore", "pipe", "pipe"] });
    const tail: string[] = [];
    const emit = (line: string) => {
      if (!line.trim()) return;
      tail.push(line);
      if (tail.length > 30) tail.shift();
      opts.log(`  [${opts.label}] ${line}`);
    };
    // Whole lines only: progress output (pytest's dots) arrives in pieces.
    const lineReader = () => {
      let partial = "";
      return {
        data: (chunk: Buffer) => {
          const lines = (partial + chunk.toString("utf8")).split("\n");
          partial = lines.pop() ?? "";
          lines.forEach(emit);
        },
        end: () => emit(partial),
      };
    };
    const out = lineReader();
    const err = lineReader();
    child.stdout.on("data", out.data);
    child.stderr.on("data", err.data);
    child.on("error", (e) => reject(new StepError(`${cmd}: ${e.message}`)));
    child.on("close", (code) => {
      out.end();
      err.end();
      if (code === 0) resolve();
      else reject(new StepError(`${opts.label}: \`${cmd} ${args.join(" ")}\` exited ${code}:\n${tail.slice(-12).join("\n")}`));
    });
  });
}

function capture(cmd: string, args: string[], cwd?: string): string {
  const r = spawnSync(cmd, args, { cwd, env: commandEnv(), encoding: "utf8" });
  if (r.status !== 0) throw new StepError(`\`${cmd} ${args.join(" ")}\` failed: ${(r.stderr || r.stdout || "").trim()}`);
  return r.stdout.trim();
}

function hasCommand(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { env: commandEnv() }).status === 0;
}

// ---------------------------------------------------------------------------------------------
// Tools

/** Debian packages the build needs, by the command each provides. */
const TOOL_PACKAGES: Record<string, string> = {
  debootstrap: "debootstrap",
  umoci: "umoci",
  skopeo: "skopeo",
  "docker-registry": "docker-registry",
  unshare: "util-linux",
  "dpkg-deb": "dpkg",
};

export function missingToolPackages(has: (cmd: string) => boolean): string[] {
  return [...new Set(Object.entries(TOOL_PACKAGES).filter(([cmd]) => !has(cmd)).map(([, pkg]) => pkg))];
}

function ensureTools(log: (l: string) => void): { ok: true } | { ok: false; error: string; code: "not-root" | "missing-tools" } {
  if (process.getuid?.() !== 0) {
    return {
      ok: false,
      code: "not-root",
      error: "building images needs root (debootstrap and chroot); run `npm run images:build` as root, e.g. in CI",
    };
  }
  const missing = missingToolPackages(hasCommand);
  if (missing.length && hasCommand("apt-get")) {
    log(`images: installing from Debian: ${missing.join(" ")}`);
    const env = commandEnv({ DEBIAN_FRONTEND: "noninteractive" });
    // policy-rc.d keeps docker-registry's package from starting a system-wide service.
    for (const args of [["update", "-qq"], ["install", "-y", "-qq", "--no-install-recommends", ...missing]]) {
      const r = spawnSync("apt-get", args, { env, stdio: ["ignore", "ignore", "inherit"] });
      if (r.status !== 0) return { ok: false, code: "missing-tools", error: `apt-get ${args.join(" ")} failed` };
    }
  }
  const still = missingToolPackages(hasCommand);
  if (still.length) {
    return { ok: false, code: "missing-tools", error: `install these Debian packages first: apt-get install ${still.join(" ")}` };
  }
  if (!hasCommand("go")) return { ok: false, code: "missing-tools", error: "Go is not installed (need Go >= 1.26 on PATH or in /usr/local/go)" };
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------
// Inputs and keys

function listFiles(root: string, rel: string): string[] {
  const abs = path.join(root, rel);
  const st = fs.statSync(abs);
  if (st.isFile()) return [rel];
  return fs
    .readdirSync(abs)
    .filter((e) => !["__pycache__", ".pytest_cache", "node_modules"].includes(e) && !e.endsWith(".pyc"))
    .flatMap((e) => listFiles(root, path.join(rel, e)));
}

export function hashInputs(repoRoot: string, inputs: readonly string[]): FileDigest[] {
  return inputs
    .flatMap((i) => listFiles(repoRoot, i))
    .sort()
    .map((rel) => ({ path: rel, sha256: createHash("sha256").update(fs.readFileSync(path.join(repoRoot, rel))).digest("hex") }));
}

function readAptSources(): AptSource[] {
  const out: AptSource[] = [];
  if (fs.existsSync("/etc/apt/sources.list")) out.push(...parseSourcesList(fs.readFileSync("/etc/apt/sources.list", "utf8")));
  const dir = "/etc/apt/sources.list.d";
  for (const f of fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []) {
    const text = fs.readFileSync(path.join(dir, f), "utf8");
    if (f.endsWith(".sources")) out.push(...parseDeb822Sources(text));
    else if (f.endsWith(".list")) out.push(...parseSourcesList(text));
  }
  return out;
}

type Debian = { mirror: string; sourcesList: string };

function debianFor(settings: ImagesSettings): Debian {
  const sources = readAptSources();
  const mirror = settings.debianMirror ?? debianMirror(sources, DEBIAN_SUITE);
  if (!mirror) {
    throw new StepError(`no apt source for Debian ${DEBIAN_SUITE} main on this machine; set ACADEMY_DEBIAN_MIRROR to a Debian mirror URL`);
  }
  return { mirror, sourcesList: imageSourcesList(sources, DEBIAN_SUITE, mirror) };
}

function goVersion(): string {
  return capture("go", ["env", "GOVERSION"]);
}

function keyFor(spec: ImageSpec, settings: ImagesSettings, debian: Debian, keys: Map<ImageName, string>): string {
  const usesGo = spec.name === "pause" || spec.name === "workspace";
  return cacheKey({
    image: spec.name,
    // Names and tags are left out: renaming an image re-pushes it but does not rebuild it.
    recipe: {
      packages: spec.packages,
      stubPackages: spec.stubPackages,
      config: spec.config,
      suite: DEBIAN_SUITE,
      sourcesList: spec.base === null && spec.name === "debian" ? debian.sourcesList : undefined,
      python: spec.name === "python" ? PYTHON_VERSION : undefined,
      kubernetes: spec.name === "workspace" ? KUBERNETES_VERSION : undefined,
      pause: spec.name === "pause" ? PAUSE_VERSION : undefined,
    },
    baseKey: spec.base ? (keys.get(spec.base) ?? null) : null,
    files: hashInputs(settings.repoRoot, [...spec.inputs, "tools/images/build.ts"]),
    tools: usesGo ? { go: goVersion() } : {},
  });
}

// ---------------------------------------------------------------------------------------------
// OCI layouts (umoci)

type Meta = Omit<BuiltImage, "cached" | "seconds" | "layout"> & { seconds: number; builtAt: string; tags: string[] };

function readManifest(layout: string): { digest: string; sizeBytes: number; configDigest: string } {
  const index = JSON.parse(fs.readFileSync(path.join(layout, "index.json"), "utf8")) as {
    manifests: { digest: string; annotations?: Record<string, string> }[];
  };
  const entry = index.manifests.find((m) => m.annotations?.["org.opencontainers.image.ref.name"] === TAG) ?? index.manifests[0];
  if (!entry) throw new StepError(`${layout}: empty OCI index`);
  const blob = (digest: string) => path.join(layout, "blobs", ...digest.split(":"));
  const manifest = JSON.parse(fs.readFileSync(blob(entry.digest), "utf8")) as {
    config: { digest: string; size: number };
    layers: { size: number }[];
  };
  const sizeBytes = manifest.config.size + manifest.layers.reduce((n, l) => n + l.size, 0);
  return { digest: entry.digest, sizeBytes, configDigest: manifest.config.digest };
}

/** The image config (Env, Cmd, User...) of a built layout, as a runtime reads it. */
export function readImageConfig(layout: string): {
  Env?: string[];
  Cmd?: string[];
  Entrypoint?: string[];
  User?: string;
  WorkingDir?: string;
} {
  const { configDigest } = readManifest(layout);
  const config = JSON.parse(fs.readFileSync(path.join(layout, "blobs", ...configDigest.split(":")), "utf8")) as { config?: object };
  return config.config ?? {};
}

/** A layout that starts from the base image: blobs are content-addressed and never rewritten, so hard links are safe. */
function layoutFromBase(base: string, dest: string) {
  fs.mkdirSync(path.join(dest, "blobs", "sha256"), { recursive: true });
  for (const f of ["oci-layout", "index.json"]) fs.copyFileSync(path.join(base, f), path.join(dest, f));
  const blobs = path.join(base, "blobs", "sha256");
  for (const b of fs.readdirSync(blobs)) {
    try {
      fs.linkSync(path.join(blobs, b), path.join(dest, "blobs", "sha256", b));
    } catch {
      fs.copyFileSync(path.join(blobs, b), path.join(dest, "blobs", "sha256", b));
    }
  }
}

function configArgs(spec: ImageSpec): string[] {
  const c = spec.config;
  const args = ["--clear=config.cmd", "--clear=config.entrypoint"];
  for (const v of c.entrypoint ?? []) args.push(`--config.entrypoint=${v}`);
  for (const v of c.cmd ?? []) args.push(`--config.cmd=${v}`);
  if (c.user) args.push(`--config.user=${c.user}`);
  if (c.workingDir) args.push(`--config.workingdir=${c.workingDir}`);
  for (const [k, v] of Object.entries(c.env ?? {})) args.push(`--config.env=${k}=${v}`);
  for (const p of c.exposedPorts ?? []) args.push(`--config.exposedports=${p}`);
  for (const [k, v] of Object.entries(c.labels ?? {})) args.push(`--config.label=${k}=${v}`);
  return args;
}

function dirBytes(dir: string): number {
  return Number(capture("du", ["-sb", dir]).split(/\s+/)[0] ?? 0);
}

// ---------------------------------------------------------------------------------------------
// The builds

type Ctx = {
  settings: ImagesSettings;
  debian: Debian;
  debs: string;
  work: string; // the build's temporary folder
  layout: string;
  bundle: string;
  log: (l: string) => void;
  built: Map<ImageName, BuiltImage>;
};

const rootfs = (ctx: Ctx) => path.join(ctx.bundle, "rootfs");
const step = (ctx: Ctx, label: string, cmd: string, args: string[], cwd?: string) => run(cmd, args, { log: ctx.log, label, cwd });
const inRoot = (ctx: Ctx, label: string, args: string[]) =>
  step(ctx, label, "nice", ["-n", "10", "bash", path.join(STEPS_DIR(ctx.settings), "in-root.sh"), rootfs(ctx), ...args]);

async function unpack(ctx: Ctx) {
  await step(ctx, "umoci", "umoci", ["unpack", "--image", `${ctx.layout}:${TAG}`, ctx.bundle]);
}

async function repack(ctx: Ctx, createdBy: string) {
  await step(ctx, "umoci", "nice", ["-n", "10", "umoci", "repack", "--history.created_by", createdBy, "--image", `${ctx.layout}:${TAG}`, ctx.bundle]);
}

async function goBuild(ctx: Ctx, moduleDir: string, out: string, ldflags: string) {
  await run("nice", ["-n", "10", "go", "build", `-ldflags=-s -w ${ldflags}`, "-o", out, "."], {
    cwd: path.join(ctx.settings.repoRoot, moduleDir),
    env: commandEnv({ GOFLAGS: "-trimpath -mod=readonly", CGO_ENABLED: "0" }),
    log: ctx.log,
    label: "go build",
  });
}

async function installPackages(ctx: Ctx, spec: ImageSpec) {
  await step(ctx, "apt", "bash", [
    path.join(STEPS_DIR(ctx.settings), "debian-rootfs.sh"),
    "install",
    rootfs(ctx),
    ctx.debs,
    spec.stubPackages.join(","),
    ...spec.packages,
  ]);
}

const builders: Record<ImageName, (ctx: Ctx, spec: ImageSpec) => Promise<void>> = {
  async debian(ctx) {
    await step(ctx, "umoci", "umoci", ["init", "--layout", ctx.layout]);
    await step(ctx, "umoci", "umoci", ["new", "--image", `${ctx.layout}:${TAG}`]);
    await unpack(ctx);
    const sources = path.join(ctx.work, "sources.list");
    fs.writeFileSync(sources, ctx.debian.sourcesList);
    await step(ctx, "debootstrap", "bash", [
      path.join(STEPS_DIR(ctx.settings), "debian-rootfs.sh"),
      "bootstrap",
      rootfs(ctx),
      DEBIAN_SUITE,
      ctx.debian.mirror,
      sources,
      ctx.debs,
    ]);
    await repack(ctx, `debootstrap --variant=minbase ${DEBIAN_SUITE}`);
  },

  async python(ctx, spec) {
    await unpack(ctx);
    await installPackages(ctx, spec);
    await step(ctx, "pip", "bash", [path.join(STEPS_DIR(ctx.settings), "python-offline-pip.sh"), rootfs(ctx), PYTHON_VERSION]);
    await repack(ctx, `apt-get install ${spec.packages.join(" ")}; offline pip`);
  },

  async pause(ctx) {
    await step(ctx, "umoci", "umoci", ["init", "--layout", ctx.layout]);
    await step(ctx, "umoci", "umoci", ["new", "--image", `${ctx.layout}:${TAG}`]);
    await unpack(ctx);
    await goBuild(ctx, "tools/images/pause", path.join(rootfs(ctx), "pause"), `-X main.version=${PAUSE_VERSION}`);
    await repack(ctx, "go build tools/images/pause");
  },

  async workspace(ctx, spec) {
    const kubectl = path.join(ctx.work, "kubectl");
    const minor = KUBERNETES_VERSION.split(".")[1];
    const ld = ["k8s.io/component-base/version", "k8s.io/client-go/pkg/version"]
      .map((p) => `-X ${p}.gitVersion=${KUBERNETES_VERSION} -X ${p}.gitMajor=1 -X ${p}.gitMinor=${minor} -X ${p}.gitTreeState=clean`)
      .join(" ");
    ctx.log(`  kubectl ${KUBERNETES_VERSION} from Go modules (tools/images/kubectl); about a minute with a warm Go build cache`);
    await goBuild(ctx, "tools/images/kubectl", kubectl, ld);
    await unpack(ctx);
    await installPackages(ctx, spec);
    fs.copyFileSync(kubectl, path.join(rootfs(ctx), "usr/local/bin/kubectl"));
    fs.chmodSync(path.join(rootfs(ctx), "usr/local/bin/kubectl"), 0o755);
    await inRoot(ctx, "user", ["--", "useradd", "--uid", "10001", "--user-group", "--create-home", "--home-dir", "/home/learner", "--shell", "/bin/bash", "learner"]);
    await inRoot(ctx, "check", ["--user", "10001:10001", "--", "sh", "-c", "kubectl version --client && curl --version | head -1 && python3 -m pytest --version"]);
    await repack(ctx, `apt-get install ${spec.packages.join(" ")}; kubectl ${KUBERNETES_VERSION}; user learner (10001)`);
  },

  async builder(ctx, spec) {
    await unpack(ctx);
    await installPackages(ctx, spec);
    const script = path.join(rootfs(ctx), "usr/local/bin/academy-build");
    fs.copyFileSync(path.join(ctx.settings.repoRoot, "tools/images/builder/academy-build.sh"), script);
    fs.chmodSync(script, 0o755);
    await inRoot(ctx, "check", ["--", "sh", "-c", "buildah --version && unshare --version"]);
    await repack(ctx, `apt-get install ${spec.packages.join(" ")}; academy-build`);
  },

  async "model-server"(ctx) {
    await unpack(ctx);
    const src = path.join(ctx.settings.repoRoot, "tools/images/model-server");
    const app = path.join(rootfs(ctx), "app");
    fs.mkdirSync(app, { recursive: true });
    for (const entry of ["server", "tests", "pytest.ini"]) {
      fs.cpSync(path.join(src, entry), path.join(app, entry), { recursive: true, filter: (f) => !f.includes("__pycache__") });
    }
    await inRoot(ctx, "user", ["--", "useradd", "--uid", "10001", "--user-group", "--no-create-home", "--home-dir", "/app", "--shell", "/usr/sbin/nologin", "app"]);
    // Like a Dockerfile RUN step with no network: train on generated data, then run the unit tests.
    await inRoot(ctx, "train", ["--workdir", "/app", "--", "python3", "-m", "server.train", "/app/model/model.joblib"]);
    await inRoot(ctx, "pytest", ["--workdir", "/app", "--", "python3", "-m", "pytest", "-q"]);
    fs.rmSync(path.join(app, "tests"), { recursive: true, force: true });
    fs.rmSync(path.join(app, "pytest.ini"), { force: true });
    await inRoot(ctx, "compile", ["--workdir", "/app", "--", "python3", "-m", "compileall", "-q", "/app/server"]);
    await step(ctx, "chmod", "chmod", ["-R", "a+rX,go-w", app]);
    await repack(ctx, "tools/images/model-server: app, model trained at build time (python3 -m server.train)");
  },
};

async function buildOne(spec: ImageSpec, key: string, ctx0: Omit<Ctx, "work" | "layout" | "bundle">): Promise<BuiltImage> {
  const started = Date.now();
  const imageDir = path.join(ctx0.settings.imagesDir, spec.name);
  const final = path.join(imageDir, key);
  const work = path.join(imageDir, `.build-${key}-${process.pid}`);
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const ctx: Ctx = { ...ctx0, work, layout: path.join(work, "oci"), bundle: path.join(work, "bundle") };
  try {
    if (spec.base) {
      const base = ctx.built.get(spec.base);
      if (!base) throw new StepError(`${spec.name}: base ${spec.base} was not built`);
      layoutFromBase(base.layout, ctx.layout);
    }
    await builders[spec.name](ctx, spec);
    const rootfsBytes = dirBytes(rootfs(ctx));
    await step(ctx, "umoci", "umoci", ["config", "--image", `${ctx.layout}:${TAG}`, "--author", "Academy tools/images", ...configArgs(spec)]);
    await step(ctx, "umoci", "umoci", ["gc", "--layout", ctx.layout]);
    fs.rmSync(ctx.bundle, { recursive: true, force: true });
    const { digest, sizeBytes } = readManifest(ctx.layout);
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    const meta: Meta = { name: spec.name, key, digest, sizeBytes, rootfsBytes, seconds, builtAt: new Date().toISOString(), tags: spec.tags };
    fs.writeFileSync(path.join(work, "image.json"), `${JSON.stringify(meta, null, 2)}\n`);
    fs.rmSync(final, { recursive: true, force: true });
    fs.renameSync(work, final);
    // Older builds of this image are superseded; only the current one is kept (disk is shared).
    for (const e of fs.readdirSync(imageDir)) {
      if (e !== key && !e.startsWith(".build-")) fs.rmSync(path.join(imageDir, e), { recursive: true, force: true });
    }
    return { name: spec.name, key, layout: path.join(final, "oci"), digest, sizeBytes, rootfsBytes, cached: false, seconds };
  } catch (error) {
    fs.rmSync(work, { recursive: true, force: true });
    throw error;
  }
}

function cachedBuild(settings: ImagesSettings, name: ImageName, key: string): BuiltImage | null {
  const dir = path.join(settings.imagesDir, name, key);
  try {
    const meta = JSON.parse(fs.readFileSync(path.join(dir, "image.json"), "utf8")) as Meta;
    const layout = path.join(dir, "oci");
    if (meta.key !== key || readManifest(layout).digest !== meta.digest) return null;
    return { name, key, layout, digest: meta.digest, sizeBytes: meta.sizeBytes, rootfsBytes: meta.rootfsBytes, cached: true, seconds: 0 };
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Push and mirrors

/** The manifest digest the registry holds for repository:tag, or null. */
export async function registryDigest(address: string, repository: string, tag: string): Promise<string | null> {
  try {
    const res = await fetch(`http://${address}/v2/${repository}/manifests/${tag}`, {
      method: "HEAD",
      headers: { Accept: OCI_ACCEPT },
      signal: AbortSignal.timeout(5000),
    });
    return res.ok ? res.headers.get("docker-content-digest") : null;
  } catch {
    return null;
  }
}

async function push(image: BuiltImage, address: string, log: (l: string) => void): Promise<string[]> {
  const pushed: string[] = [];
  for (const ref of pushRefs(imageSpec(image.name), address)) {
    const name = formatImageRef(ref);
    if ((await registryDigest(address, ref.repository, ref.tag)) === image.digest) continue;
    await run("skopeo", ["copy", "--quiet", "--dest-tls-verify=false", `oci:${image.layout}:${TAG}`, `docker://${name}`], {
      log,
      label: "skopeo",
    });
    const got = await registryDigest(address, ref.repository, ref.tag);
    if (got !== image.digest) throw new StepError(`pushed ${name} but the registry holds ${got ?? "nothing"}, not ${image.digest}`);
    pushed.push(name);
  }
  return pushed;
}

/**
 * Writes containerd's registry host files (<registryDir>/containerd/certs.d/<host>/hosts.toml) and
 * a config.toml fragment that uses them, for the real node. Returns the hosts folder.
 */
export function writeContainerdHosts(settings: ImagesSettings): string {
  const collisions = pathCollisions(publicRefs());
  if (collisions.length) throw new StepError(`public names share a registry path: ${collisions.map((c) => c.join(" and ")).join("; ")}`);
  const l = registryLayout(settings);
  for (const f of containerdHostsFiles(upstreamRegistries(publicRefs()), l.address)) {
    fs.mkdirSync(path.join(l.hostsDir, f.dir), { recursive: true });
    fs.writeFileSync(path.join(l.hostsDir, f.dir, "hosts.toml"), f.content);
  }
  const pause = imageSpec("pause").publicRefs[0] ?? `registry.k8s.io/pause:${PAUSE_VERSION}`;
  fs.writeFileSync(l.criSnippetFile, renderCriRegistrySnippet(l.hostsDir, pause));
  return l.hostsDir;
}

// ---------------------------------------------------------------------------------------------

/** How long a build waits for another process's images build (one machine-wide cache). */
const LOCK_WAIT_MS = 30 * 60_000;

function tryLock(file: string): (() => void) | number {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: "wx" });
      return () => fs.rmSync(file, { force: true });
    } catch {
      const pid = Number(fs.readFileSync(file, "utf8").trim());
      try {
        process.kill(pid, 0);
        return pid;
      } catch {
        fs.rmSync(file, { force: true }); // left by a build that died
      }
    }
  }
  return -1;
}

/**
 * The machine-wide images lock. Another build holding it (a second data directory's cluster, CI
 * beside a developer's cluster) is waited for, saying so, rather than failing the start.
 */
async function lock(settings: ImagesSettings, log: (line: string) => void, waitMs = LOCK_WAIT_MS): Promise<(() => void) | string> {
  fs.mkdirSync(settings.imagesDir, { recursive: true });
  const file = path.join(settings.imagesDir, ".lock");
  const deadline = Date.now() + waitMs;
  let said = 0;
  for (;;) {
    const taken = tryLock(file);
    if (typeof taken === "function") return taken;
    if (taken === -1) return `could not take ${file}`;
    if (Date.now() >= deadline) {
      return `another images build (pid ${taken}) still runs after ${Math.round(waitMs / 60_000)} minutes; wait for it or remove ${file} if it is gone`;
    }
    if (Date.now() - said >= 60_000) {
      log(`images: waiting for another images build to finish (pid ${taken}); its results are reused`);
      said = Date.now();
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

export async function buildImages(settings: ImagesSettings, opts: BuildOptions = {}): Promise<BuildResult> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const started = Date.now();
  const names = buildOrder(opts.only?.length ? opts.only : IMAGES.map((i) => i.name));
  const keys = new Map<ImageName, string>();
  let debian: Debian;
  try {
    debian = debianFor(settings);
    for (const name of names) keys.set(name, keyFor(imageSpec(name), settings, debian, keys));
  } catch (error) {
    return { ok: false, code: "build-failed", error: error instanceof Error ? error.message : String(error) };
  }

  const built = new Map<ImageName, BuiltImage>();
  // --force rebuilds the images asked for; their bases are reused when their keys still match.
  const forced = new Set<ImageName>(opts.force ? (opts.only?.length ? opts.only : names) : []);
  const notCached = () => names.filter((n) => {
    const hit = forced.has(n) ? null : cachedBuild(settings, n, keys.get(n) ?? "");
    if (hit) built.set(n, hit);
    return !hit;
  });
  let toBuild = notCached();
  let unlock: (() => void) | null = null;
  if (toBuild.length) {
    const tools = ensureTools(log);
    if (!tools.ok) return tools;
    const taken = await lock(settings, log);
    if (typeof taken === "string") return { ok: false, code: "locked", error: taken };
    unlock = taken;
    // A build this one waited for may have built some of the same keys.
    toBuild = notCached();
  }
  try {
    const debs = path.join(settings.imagesDir, "debian-packages");
    for (const name of toBuild) {
      const spec = imageSpec(name);
      log(`images: building ${name} (${spec.description}); key ${keys.get(name)}`);
      const image = await buildOne(spec, keys.get(name) ?? "", { settings, debian, debs, log, built });
      built.set(name, image);
      log(`images: ${name} built in ${image.seconds}s, ${mib(image.sizeBytes)} compressed, ${mib(image.rootfsBytes)} unpacked`);
    }
  } catch (error) {
    return { ok: false, code: "build-failed", error: error instanceof Error ? error.message : String(error) };
  } finally {
    unlock?.();
  }

  let hostsDir: string;
  try {
    hostsDir = writeContainerdHosts(settings);
  } catch (error) {
    return { ok: false, code: "build-failed", error: error instanceof Error ? error.message : String(error) };
  }
  const images = names.map((n) => built.get(n)).filter((i): i is BuiltImage => i !== undefined);
  const pushed: string[] = [];
  if (opts.push !== false) {
    const address = registryAddress(settings);
    const wasUp = await registryAnswers(address);
    const reg = await startRegistry(settings);
    if (!reg.ok) return { ok: false, code: "registry", error: reg.error };
    try {
      for (const image of images) pushed.push(...(await push(image, address, log)));
    } catch (error) {
      return { ok: false, code: "push-failed", error: error instanceof Error ? error.message : String(error) };
    } finally {
      // A registry this build started for its push is stopped again; one that was up stays up.
      if (!wasUp && reg.started && !opts.keepRegistry) await stopRegistry(settings);
    }
  }
  return { ok: true, images, pushed, hostsDir, seconds: Math.round((Date.now() - started) / 100) / 10 };
}

export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
