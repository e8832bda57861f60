// The events of a streamed image build (POST /api/labs/[labId]/build), shared by the server and
// the lab page's build panel. Types only, so the browser can import them.
import type { BuildFailure } from "./outcome";

export type BuildEvent =
  /** Waiting for a build slot: `position` 1 is next. */
  | { type: "queued"; position: number; running: number }
  | { type: "started" }
  /** A step of the platform's own work, in words ("Starting the builder…"). */
  | { type: "progress"; words: string }
  /** One line of buildah's output. */
  | { type: "log"; line: string }
  | { type: "done"; image: string; digest: string; durationMs: number; buildSeconds: number | null }
  | ({ type: "failed"; durationMs: number } & Omit<BuildFailure, "ok">);

/** What the lab page shows of a learner's last built image: the name a Deployment uses. */
export type BuiltImageView = { image: string; digest: string; builtAt: string };

/**
 * The reference to deploy: the image's name pinned to this build's digest
 * (`registry.academy.local/learners/<key>/model-server@sha256:…`), so the Deployment runs exactly
 * this build and the deploy lab's "image pinned" check is met; `:latest` moves with every build.
 */
export function pinnedImageRef(image: string, digest: string): string {
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) return image;
  return `${image.replace(/:[^/:@]+$/, "")}@${digest}`;
}
