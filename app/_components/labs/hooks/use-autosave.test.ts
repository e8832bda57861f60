import { expect, test } from "vitest";
import { hasPendingEdits, saveStatusText } from "./use-autosave";

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
