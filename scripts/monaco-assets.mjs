// The browser editor (Monaco) is served from our own origin: there is no CDN to load it from on
// closed networks, and a lab page should not depend on one. next.config.mjs calls this on every
// build, dev and start: it copies node_modules/monaco-editor/min/vs to public/monaco/vs when the
// copy is missing or from another Monaco version. public/monaco/ is not committed.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export function ensureMonacoAssets() {
  const source = path.join(repoRoot, "node_modules/monaco-editor/min/vs");
  const target = path.join(repoRoot, "public/monaco/vs");
  const stamp = path.join(repoRoot, "public/monaco/version");
  if (!fs.existsSync(source)) return;
  const version = JSON.parse(fs.readFileSync(path.join(repoRoot, "node_modules/monaco-editor/package.json"), "utf8")).version;
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === version) return;
  fs.rmSync(path.join(repoRoot, "public/monaco"), { recursive: true, force: true });
  fs.cpSync(source, target, { recursive: true });
  fs.writeFileSync(stamp, version);
}
