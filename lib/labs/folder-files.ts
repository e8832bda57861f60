// The files under a folder of a lab (starter/, solution/, a fixture, a mutant, a step solution),
// as lab paths relative to it (`k8s/deployment.yaml`), sorted; none for a folder that does not exist.
import fs from "node:fs";
import path from "node:path";

export function folderFiles(dir: string, prefix = ""): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      return entry.isDirectory() ? folderFiles(path.join(dir, entry.name), rel) : [rel];
    })
    .sort();
}
