// The images' end-to-end check, run by `tsx tools/images/main.ts smoke` (not part of Vitest: it
// builds images, which takes minutes cold). It builds (or reuses) every image, pushes to the
// loopback registry, pulls each manifest back over HTTP under every name, then runs the model
// server's root filesystem with no container runtime (steps/in-root.sh: own namespaces,
// read-only root, tmpfs /tmp, user 10001, the image's own Env and Cmd) and calls its API on
// loopback. Prints one JSON line of figures at the end.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { buildImages, mib, OCI_ACCEPT, readImageConfig } from "./build";
import { imageSpec, pushRefs } from "./images";
import { formatImageRef } from "./references";
import { registryAnswers, startRegistry, stopRegistry } from "./registry";
import { type ImagesSettings, registryAddress } from "./settings";

function curl(args: string[]): { status: number; body: string; headers: string } {
  const r = spawnSync("curl", ["-sS", "--max-time", "5", "-D", "-", ...args], { encoding: "utf8" });
  const text = r.stdout ?? "";
  const split = text.indexOf("\r\n\r\n");
  const headers = split >= 0 ? text.slice(0, split) : text;
  const status = Number(/^HTTP\/\S+ (\d{3})/.exec(headers)?.[1] ?? 0);
  return { status, headers, body: split >= 0 ? text.slice(split + 4) : "" };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      const port = typeof address === "object" && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function smokeTest(settings: ImagesSettings): Promise<boolean> {
  const failures: string[] = [];
  const check = (ok: boolean, what: string) => {
    console.log(`smoke: ${ok ? "ok  " : "FAIL"} ${what}`);
    if (!ok) failures.push(what);
  };
  const address = registryAddress(settings);
  const wasUp = await registryAnswers(address);
  const reg = await startRegistry(settings);
  if (!reg.ok) {
    console.error(`smoke: ${reg.error}`);
    return false;
  }
  const work = path.join(settings.imagesDir, `.smoke-${process.pid}`);
  let server: ReturnType<typeof spawn> | null = null;
  const figures: Record<string, unknown> = {};
  try {
    const built = await buildImages(settings, { push: true, log: (l) => console.log(l) });
    if (!built.ok) {
      check(false, `build: ${built.error}`);
      return false;
    }
    figures.buildSeconds = built.seconds;
    figures.images = Object.fromEntries(built.images.map((i) => [i.name, { compressed: mib(i.sizeBytes), unpacked: mib(i.rootfsBytes) }]));

    // 1. Every name answers with the manifest that was built, and its config blob downloads.
    for (const image of built.images) {
      for (const ref of pushRefs(imageSpec(image.name), address)) {
        const url = `http://${address}/v2/${ref.repository}/manifests/${ref.tag}`;
        const res = curl(["-H", `Accept: ${OCI_ACCEPT}`, url]);
        const digest = /docker-content-digest: (\S+)/i.exec(res.headers)?.[1];
        const mediaType = /content-type: (\S+)/i.exec(res.headers)?.[1];
        let configOk = false;
        try {
          const manifest = JSON.parse(res.body) as { config: { digest: string } };
          const blob = curl(["-o", "/dev/null", `http://${address}/v2/${ref.repository}/blobs/${manifest.config.digest}`]);
          configOk = mediaType === "application/vnd.oci.image.manifest.v1+json" && blob.status === 200;
        } catch {
          configOk = false;
        }
        check(res.status === 200 && digest === image.digest && configOk, `pull ${formatImageRef(ref)} -> ${image.digest.slice(0, 19)}`);
      }
    }

    // 2. The model server image runs as its config says and serves its API.
    const model = built.images.find((i) => i.name === "model-server");
    if (!model) throw new Error("model-server was not built");
    fs.rmSync(work, { recursive: true, force: true });
    fs.mkdirSync(work, { recursive: true });
    const bundle = path.join(work, "bundle");
    const unpack = spawnSync("umoci", ["unpack", "--image", `${model.layout}:image`, bundle], { encoding: "utf8" });
    if (unpack.status !== 0) throw new Error(`umoci unpack: ${unpack.stderr}`);
    const config = readImageConfig(model.layout);
    check(config.User === "10001:10001", `image runs as user 10001 (User ${config.User})`);
    const port = await freePort();
    // The image's own command, bound to loopback on a free port instead of 0.0.0.0:8080.
    const cmd = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
    const host = cmd.indexOf("--host");
    const portArg = cmd.indexOf("--port");
    check(host > 0 && cmd[portArg + 1] === "8080", `image command listens on 8080 (${cmd.join(" ")})`);
    cmd[host + 1] = "127.0.0.1";
    cmd[portArg + 1] = String(port);
    const env = [...(config.Env ?? []), "MODEL_NAME=churn-smoke", "PREDICTION_THRESHOLD=0.5", "LOG_LEVEL=info", "MODEL_LOAD_DELAY_SECONDS=2"];
    const args = [path.join(settings.repoRoot, "tools/images/steps/in-root.sh"), path.join(bundle, "rootfs"), "--net", "--read-only"];
    args.push("--user", config.User ?? "10001:10001", "--workdir", config.WorkingDir ?? "/app");
    for (const e of env) args.push("--env", e);
    const started = Date.now();
    const log = fs.openSync(path.join(work, "server.log"), "w");
    server = spawn("bash", [...args, "--", ...cmd], { stdio: ["ignore", log, log] });
    fs.closeSync(log);

    const base = `http://127.0.0.1:${port}`;
    let healthz = curl([`${base}/healthz`]);
    while (healthz.status !== 200 && Date.now() - started < 30_000 && server.exitCode === null) {
      await sleep(50);
      healthz = curl([`${base}/healthz`]);
    }
    figures.healthzMs = Date.now() - started;
    check(healthz.status === 200, `GET /healthz 200 after ${figures.healthzMs} ms`);
    const early = curl([`${base}/ready`]);
    check(early.status === 503, `GET /ready 503 while the model loads (got ${early.status} ${early.body.trim()})`);
    let ready = early;
    while (ready.status !== 200 && Date.now() - started < 30_000 && server.exitCode === null) {
      await sleep(100);
      ready = curl([`${base}/ready`]);
    }
    figures.readyMs = Date.now() - started;
    check(ready.status === 200, `GET /ready 200 after ${figures.readyMs} ms (load delay 2000 ms)`);
    const json = ["-H", "Content-Type: application/json", "-X", "POST", `${base}/predict`];
    const risky = curl([...json, "-d", '{"tenure_months": 2, "monthly_charges": 99.5, "contract": "month-to-month"}']);
    const loyal = curl([...json, "-d", '{"tenure_months": 70, "monthly_charges": 20, "contract": "two-year"}']);
    let p1 = -1;
    let p2 = -1;
    try {
      const a = JSON.parse(risky.body) as { churn_probability: number; model_name: string; model_version: string };
      const b = JSON.parse(loyal.body) as { churn_probability: number };
      p1 = a.churn_probability;
      p2 = b.churn_probability;
      check(a.model_name === "churn-smoke" && a.model_version === "1.4.2", `POST /predict names the model from MODEL_NAME (${a.model_name} ${a.model_version})`);
    } catch {
      check(false, `POST /predict answers JSON (got ${risky.status} ${risky.body.slice(0, 200)})`);
    }
    figures.predict = { risky: p1, loyal: p2 };
    check(risky.status === 200 && p1 > p2 && p1 >= 0 && p1 <= 1, `POST /predict 200: churn ${p1} for a new monthly customer > ${p2} for a loyal one`);
    const bad = curl([...json, "-d", '{"tenure_months": -3, "contract": "weekly"}']);
    check(bad.status === 422, `POST /predict with bad input 422 (got ${bad.status})`);
  } catch (error) {
    check(false, error instanceof Error ? error.message : String(error));
  } finally {
    if (server?.pid && server.exitCode === null) {
      server.kill("SIGTERM");
      for (let i = 0; i < 50 && server.exitCode === null; i++) await sleep(100);
    }
    const serverLog = path.join(work, "server.log");
    if (failures.length && fs.existsSync(serverLog)) console.log(`smoke: server log:\n${fs.readFileSync(serverLog, "utf8")}`);
    fs.rmSync(work, { recursive: true, force: true });
    if (!wasUp && reg.started) await stopRegistry(settings);
  }
  const passed = failures.length === 0;
  console.log(JSON.stringify({ smoke: passed ? "passed" : "failed", failures: failures.length, ...figures }));
  return passed;
}
