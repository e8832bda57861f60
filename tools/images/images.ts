// The catalogue of images the platform builds offline: what each holds, what it is called (locally
// and by its public names, which lab text uses) and which files its build reads. Pure data.
import { type ImageRef, parseImageRef } from "./references";

export const DEBIAN_SUITE = "bookworm";
/** Debian bookworm's python3. The Python image's tags promise it and the build checks it. */
export const PYTHON_VERSION = "3.11.2";
export const KUBERNETES_VERSION = "v1.37.2";
export const PAUSE_VERSION = "3.10.2";
export const MODEL_SERVER_VERSION = "1.4.2";
/** Debian bookworm's buildah, which the builder image runs. */
export const BUILDAH_VERSION = "1.28.2";

export type ImageName = "debian" | "python" | "pause" | "workspace" | "model-server" | "builder";

export type ImageConfig = {
  entrypoint?: string[];
  cmd?: string[];
  user?: string;
  workingDir?: string;
  env?: Record<string, string>;
  exposedPorts?: string[];
  labels?: Record<string, string>;
};

export type ImageSpec = {
  name: ImageName;
  description: string;
  /** The platform's own name, under academy/ in the registry, e.g. academy/python. */
  localRepository: string;
  tags: string[];
  /** Names learners write, resolved to the loopback registry through containerd mirrors. */
  publicRefs: string[];
  base: ImageName | null;
  /** Debian packages installed on top of the base (apt-get install, no Recommends). */
  packages: string[];
  /** Packages replaced by empty stand-ins (see steps/debian-rootfs.sh). */
  stubPackages: string[];
  /** Repository files (or folders) the build reads; their contents are part of the cache key. */
  inputs: string[];
  config: ImageConfig;
};

const PATH_ENV = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const labels = (title: string, version: string) => ({
  "org.opencontainers.image.title": title,
  "org.opencontainers.image.version": version,
  "org.opencontainers.image.vendor": "Academy",
});
const STEPS = ["tools/images/steps/debian-rootfs.sh"];

export const IMAGES: readonly ImageSpec[] = [
  {
    name: "debian",
    description: "Debian bookworm, minimal (debootstrap minbase), like debian:bookworm-slim",
    localRepository: "academy/debian",
    tags: ["bookworm-slim", "12-slim"],
    publicRefs: ["docker.io/library/debian:bookworm-slim", "docker.io/library/debian:12-slim"],
    base: null,
    packages: [],
    stubPackages: [],
    inputs: STEPS,
    config: { cmd: ["bash"], env: { PATH: PATH_ENV, LANG: "C.UTF-8" }, labels: labels("debian", DEBIAN_SUITE) },
  },
  {
    name: "python",
    description: `Python ${PYTHON_VERSION} (Debian's python3) with the labs' scientific and web packages, pip working offline`,
    localRepository: "academy/python",
    tags: ["3.11-slim", "3.11-slim-bookworm", `${PYTHON_VERSION}-slim-bookworm`],
    publicRefs: [
      "docker.io/library/python:3.11-slim",
      "docker.io/library/python:3.11-slim-bookworm",
      `docker.io/library/python:${PYTHON_VERSION}-slim`,
      `docker.io/library/python:${PYTHON_VERSION}-slim-bookworm`,
    ],
    base: "debian",
    packages: [
      "python3", "python3-pip", "python3-venv", "python-is-python3", "ca-certificates",
      "python3-fastapi", "python3-uvicorn", "python3-pydantic", "python3-httpx", "python3-requests",
      "python3-numpy", "python3-pandas", "python3-sklearn", "python3-joblib", "python3-pytest",
    ],
    // python3-scipy depends on the pythran compiler (g++, Boost headers: ~500 MB); nothing imports it at run time.
    stubPackages: ["python3-pythran"],
    inputs: [...STEPS, "tools/images/steps/python-offline-pip.sh", "tools/images/steps/in-root.sh"],
    config: {
      cmd: ["python3"],
      env: { PATH: PATH_ENV, LANG: "C.UTF-8", PYTHONUNBUFFERED: "1" },
      labels: labels("python", PYTHON_VERSION),
    },
  },
  {
    name: "pause",
    description: "The pod sandbox image: one static Go binary that sleeps and reaps children",
    localRepository: "academy/pause",
    tags: [PAUSE_VERSION],
    publicRefs: [`registry.k8s.io/pause:${PAUSE_VERSION}`, "registry.k8s.io/pause:3.10"],
    base: null,
    packages: [],
    stubPackages: [],
    inputs: ["tools/images/pause/main.go", "tools/images/pause/go.mod"],
    config: { entrypoint: ["/pause"], user: "65535:65535", labels: labels("pause", PAUSE_VERSION) },
  },
  {
    name: "workspace",
    description: `A learner's shell: bash, coreutils, curl, python3 with pytest, FastAPI and httpx, and kubectl ${KUBERNETES_VERSION}`,
    localRepository: "academy/workspace",
    tags: ["1.0.0"],
    publicRefs: ["ghcr.io/academy-labs/workspace:1.0.0"],
    base: "debian",
    packages: ["bash", "coreutils", "curl", "ca-certificates", "python3", "python3-pytest", "python3-fastapi", "python3-httpx", "less", "procps"],
    stubPackages: [],
    inputs: [...STEPS, "tools/images/kubectl/main.go", "tools/images/kubectl/go.mod", "tools/images/kubectl/go.sum"],
    config: {
      cmd: ["bash"],
      user: "10001:10001",
      workingDir: "/home/learner",
      env: { PATH: PATH_ENV, LANG: "C.UTF-8", HOME: "/home/learner" },
      labels: labels("workspace", "1.0.0"),
    },
  },
  {
    name: "model-server",
    description: "The labs' churn model server: FastAPI, a scikit-learn model trained at build time",
    localRepository: "academy/model-server",
    tags: [MODEL_SERVER_VERSION],
    publicRefs: [`ghcr.io/academy-labs/model-server:${MODEL_SERVER_VERSION}`],
    base: "python",
    packages: [],
    stubPackages: [],
    inputs: ["tools/images/model-server", "tools/images/steps/in-root.sh"],
    config: {
      cmd: ["python3", "-m", "uvicorn", "server.main:app", "--host", "0.0.0.0", "--port", "8080"],
      user: "10001:10001",
      workingDir: "/app",
      env: {
        PATH: PATH_ENV,
        LANG: "C.UTF-8",
        PYTHONUNBUFFERED: "1",
        // The root filesystem may be read-only; bytecode is compiled at build time.
        PYTHONDONTWRITEBYTECODE: "1",
        MODEL_PATH: "/app/model/model.joblib",
      },
      exposedPorts: ["8080/tcp"],
      labels: labels("model-server", MODEL_SERVER_VERSION),
    },
  },
  {
    name: "builder",
    description: `The learner image builder: buildah ${BUILDAH_VERSION} (vfs storage, chroot isolation) and its build script`,
    localRepository: "academy/builder",
    tags: [BUILDAH_VERSION],
    publicRefs: [`ghcr.io/academy-labs/builder:${BUILDAH_VERSION}`],
    base: "debian",
    // No fuse-overlayfs, runc or crun: vfs storage and chroot isolation need neither.
    packages: ["buildah", "ca-certificates", "tar", "util-linux"],
    stubPackages: [],
    inputs: [...STEPS, "tools/images/builder/academy-build.sh"],
    config: {
      entrypoint: ["/usr/local/bin/academy-build"],
      workingDir: "/",
      env: { PATH: PATH_ENV, LANG: "C.UTF-8", BUILDAH_ISOLATION: "chroot", STORAGE_DRIVER: "vfs" },
      labels: labels("builder", BUILDAH_VERSION),
    },
  },
];

export function imageSpec(name: ImageName): ImageSpec {
  const spec = IMAGES.find((i) => i.name === name);
  if (!spec) throw new Error(`no image ${name} in the catalogue`);
  return spec;
}

/** Images in build order: every base before the images on top of it. */
export function buildOrder(names: readonly ImageName[], catalogue: readonly ImageSpec[] = IMAGES): ImageName[] {
  const out: ImageName[] = [];
  const visit = (name: ImageName, trail: ImageName[]) => {
    if (out.includes(name)) return;
    if (trail.includes(name)) throw new Error(`image base cycle: ${[...trail, name].join(" -> ")}`);
    const spec = catalogue.find((i) => i.name === name);
    if (!spec) throw new Error(`no image ${name} in the catalogue`);
    if (spec.base) visit(spec.base, [...trail, name]);
    out.push(name);
  };
  for (const n of names) visit(n, []);
  return out;
}

/** Every reference an image is pushed under: its local names and its public names, mirrored. */
export function pushRefs(spec: ImageSpec, registryAddress: string): ImageRef[] {
  const local = spec.tags.map((tag) => ({ registry: registryAddress, repository: spec.localRepository, tag }));
  const mirrored = spec.publicRefs.map((name) => {
    const parsed = parseImageRef(name);
    if (!parsed.ok) throw new Error(parsed.error);
    return { registry: registryAddress, repository: parsed.ref.repository, tag: parsed.ref.tag };
  });
  return [...local, ...mirrored];
}

/** The parsed public names of the whole catalogue (for mirror configuration and collision checks). */
export function publicRefs(catalogue: readonly ImageSpec[] = IMAGES): ImageRef[] {
  return catalogue.flatMap((spec) =>
    spec.publicRefs.map((name) => {
      const parsed = parseImageRef(name);
      if (!parsed.ok) throw new Error(parsed.error);
      return parsed.ref;
    }),
  );
}
