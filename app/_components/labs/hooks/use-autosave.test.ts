import { expect, test } from "vitest";
import { LEARNER_FILE_LIMITS } from "@/lib/labs/file-size";
import { hasPendingEdits, saveOnce, saveStatusText } from "./use-autosave";

test("the save status line says where the open file stands", () => {
  expect(saveStatusText(undefined, false)).toBe("All changes saved");
  expect(saveStatusText({ status: "saved" }, false)).toBe("All changes saved");
  expect(saveStatusText({ status: "unsaved" }, false)).toBe("Unsaved changes");
  expect(saveStatusText({ status: "saving" }, false)).toBe("Saving…");
  expect(saveStatusText({ status: "error", error: "The file is larger than 1 MiB." }, false)).toBe("Not saved: The file is larger than 1 MiB.");
  expect(saveStatusText({ status: "error", error: "ignored" }, true)).toBe("Read-only: provided for context.");
});

test("a tab shows pending edits while they are unsaved or saving, not once saved or failed", () => {
  expect(hasPendingEdits({ status: "unsaved" })).toBe(true);
  expect(hasPendingEdits({ status: "saving" })).toBe(true);
  expect(hasPendingEdits({ status: "saved" })).toBe(false);
  expect(hasPendingEdits({ status: "error", error: "x" })).toBe(false);
  expect(hasPendingEdits(undefined)).toBe(false);
});

test("a file over the size limit is refused before it is sent, with its size and the limit, never as a lost connection", async () => {
  let sent = 0;
  const save = async () => {
    sent += 1;
    return { ok: true as const, revision: 1, savedAt: "" };
  };
  const sixMiB = "a".repeat(6 * 1024 * 1024);
  const state = await saveOnce("k8s/configmap.yaml", sixMiB, save);
  expect(state).toEqual({
    status: "error",
    error: '"k8s/configmap.yaml" is 6 MiB; a lab file may be at most 64 KiB, so it cannot be saved. Remove generated or pasted data.',
  });
  expect(sent).toBe(0);
  // Multi-byte text is counted in UTF-8 bytes, as the server counts it.
  const justOver = "é".repeat(LEARNER_FILE_LIMITS.maxFileBytes / 2 + 1);
  expect(await saveOnce("a.yaml", justOver, save)).toMatchObject({ status: "error", error: expect.stringContaining("is 65 KiB; a lab file may be at most 64 KiB") });
  expect(await saveOnce("a.yaml", "a".repeat(LEARNER_FILE_LIMITS.maxFileBytes), save)).toEqual({ status: "saved" });
  expect(sent).toBe(1);
});

test("a refusal from the server keeps its words; only a failed request reads as a lost connection", async () => {
  const refused = async () => ({ ok: false as const, code: "too-large" as const, error: "Together the lab's files would be 300 KiB; the limit is 256 KiB." });
  expect(await saveOnce("a.yaml", "x", refused)).toEqual({ status: "error", error: "Together the lab's files would be 300 KiB; the limit is 256 KiB." });
  const lost = async (): Promise<never> => {
    throw new TypeError("Failed to fetch");
  };
  expect(await saveOnce("a.yaml", "x", lost)).toMatchObject({ status: "error", error: expect.stringMatching(/^Could not reach the server/) });
});

test("a save refused by the rate limit says when to try again, is retried by itself, and never reads as a lost connection", async () => {
  const limited = async () => ({
    ok: false as const,
    code: "rate-limited" as const,
    error: "Too many saves (at most 120 a minute). Try again in 12 seconds.",
    retryAfterSeconds: 12,
  });
  const state = await saveOnce("a.yaml", "x", limited);
  expect(state).toEqual({
    status: "error",
    error: "Too many saves (at most 120 a minute). Try again in 12 seconds. Your change is kept here and saved by itself then.",
    retryInSeconds: 12,
  });
  expect(saveStatusText(state, false)).toMatch(/^Not saved: Too many saves .* Try again in 12 seconds\./);
  expect(saveStatusText(state, false)).not.toMatch(/reach the server/);
});
