// The size limit of one learner file, checked in the browser before a save is sent and again on
// the server (lib/labs/files.ts), with the same words: the limit and the file's size. The browser
// must check first: a save larger than the server action body limit (next.config.mjs) is refused
// by Next before Academy's code runs, and the page would only learn that "something failed".
// This module runs in the browser, so it imports nothing heavy (lib/labs/schema.ts, which
// re-exports the limits, pulls in zod, and zod probes `new Function` — refused by the CSP).
import { formatBytes, utf8Bytes } from "@/lib/bytes";

/** Limits on what a learner may store. */
export const LEARNER_FILE_LIMITS = {
  maxFileBytes: 64 * 1024,
  maxLabBytes: 256 * 1024,
};

/** Why `content` is too large to be saved as `path`, or null. */
export function fileTooLarge(path: string, content: string): string | null {
  // Cheap first: a UTF-8 character is at most 3 bytes per UTF-16 unit.
  if (content.length * 3 <= LEARNER_FILE_LIMITS.maxFileBytes) return null;
  const bytes = utf8Bytes(content);
  if (bytes <= LEARNER_FILE_LIMITS.maxFileBytes) return null;
  return `"${path}" is ${formatBytes(bytes)}; a lab file may be at most ${formatBytes(LEARNER_FILE_LIMITS.maxFileBytes)}, so it cannot be saved. Remove generated or pasted data.`;
}
