// Command line of the image tooling. `npm run images:build` runs `build`.
//   build [--force] [--no-push] [--only=python,model-server]   build (or reuse) the images and push them
//   registry start|stop|status|gc                               the loopback registry (gc: drop untagged blobs)
//   smoke                                                        build, push, pull back, run the model server
import { buildImages, mib } from "./build";
import { IMAGES, type ImageName } from "./images";
import { collectRegistryGarbage, registryLayout, registryStatus, startRegistry, stopRegistry } from "./registry";
import { imagesSettingsFromEnv } from "./settings";
import { smokeTest } from "./smoke";

async function main(argv: string[]): Promise<number> {
  const env = imagesSettingsFromEnv();
  if (!env.ok) {
    console.error(`images: ${env.error}`);
    return 2;
  }
  const settings = env.settings;
  const [command, ...rest] = argv;
  const flag = (name: string) => rest.includes(`--${name}`);

  if (command === "build") {
    const only = rest.find((a) => a.startsWith("--only="))?.slice("--only=".length).split(",").filter(Boolean);
    const unknown = (only ?? []).filter((n) => !IMAGES.some((i) => i.name === n));
    if (unknown.length) {
      console.error(`images: no image ${unknown.join(", ")}; the images are ${IMAGES.map((i) => i.name).join(", ")}`);
      return 2;
    }
    const result = await buildImages(settings, { force: flag("force"), push: !flag("no-push"), only: only as ImageName[] | undefined });
    if (!result.ok) {
      console.error(`images: ${result.error}`);
      return 1;
    }
    for (const i of result.images) {
      console.log(
        `images: ${i.name.padEnd(13)} ${i.cached ? "cached " : `${`${i.seconds}s`.padEnd(7)}`} ${mib(i.sizeBytes).padStart(10)} compressed ${mib(i.rootfsBytes).padStart(10)} unpacked  ${i.digest.slice(0, 19)}  key ${i.key}`,
      );
    }
    console.log(`images: pushed ${result.pushed.length} new references to the loopback registry${result.pushed.length ? "" : " (all up to date)"}`);
    console.log(`images: containerd registry hosts (CRI registry.config_path): ${result.hostsDir}`);
    console.log(`images: containerd config.toml fragment: ${registryLayout(settings).criSnippetFile}`);
    console.log(`images: done in ${result.seconds}s (${result.images.every((i) => i.cached) ? "warm: nothing to build" : "built what changed"})`);
    return 0;
  }

  if (command === "registry") {
    const action = rest[0];
    if (action === "start") {
      const r = await startRegistry(settings);
      if (!r.ok) {
        console.error(`images: ${r.error}`);
        return 1;
      }
      console.log(`images: registry ${r.started ? "started" : "already running"} on http://${r.address} (pid ${r.pid})`);
      return 0;
    }
    if (action === "stop") {
      const r = await stopRegistry(settings);
      console.log(r.stopped ? `images: registry stopped (pid ${r.pid})` : "images: registry was not running");
      return 0;
    }
    if (action === "gc") {
      const r = await collectRegistryGarbage(settings);
      if (!r.ok) {
        console.error(`images: ${r.error}`);
        return 1;
      }
      console.log(`images: registry garbage collected: ${r.output}`);
      return 0;
    }
    if (action === "status") {
      const s = await registryStatus(settings);
      console.log(`images: registry on http://${s.address}: ${s.detail}${s.pid ? ` (pid ${s.pid})` : ""}`);
      return s.running ? 0 : 3;
    }
  }

  if (command === "smoke") return (await smokeTest(settings)) ? 0 : 1;

  console.error("usage: tsx tools/images/main.ts build [--force] [--no-push] [--only=a,b] | registry start|stop|status|gc | smoke");
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
