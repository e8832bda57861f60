// The lab page's editor and grading, driven as a learner would: replace a file's text as a paste
// does (through the editor's own model), and press "Check my work" until the score says `expected`.
import fs from "node:fs";
import path from "node:path";
import { expect, type Page } from "@playwright/test";

const labsRoot = path.resolve(import.meta.dirname, "../../../labs");

/** A file of a lab's reference solution. */
export function solution(labId: string, file: string): string {
  return fs.readFileSync(path.join(labsRoot, labId, "solution", file), "utf8");
}

/** Replaces the open file's text as a paste would, and waits for the autosave. */
export async function replaceEditorText(page: Page, labId: string, file: string, text: string) {
  await setEditorText(page, labId, file, text);
  await expect(page.getByTestId("save-status")).toHaveText("All changes saved");
}

/** Replaces the open file's text as a paste would; the autosave is under way, not done. */
export async function setEditorText(page: Page, labId: string, file: string, text: string) {
  await page.getByRole("tab", { name: file }).click();
  await page.waitForFunction(() => Boolean((window as unknown as { monaco?: unknown }).monaco));
  // The model the editor shows once the tab is open (the one whose edits reach the page).
  await page.waitForFunction((uri) => {
    const monaco = (window as unknown as { monaco: { editor: { getEditors(): Array<{ getModel(): { uri: { path: string } } | null }> } } }).monaco;
    return monaco.editor.getEditors()[0]?.getModel()?.uri.path.endsWith(uri) ?? false;
  }, `${labId}/${file}`);
  await page.evaluate((value) => {
    const monaco = (window as unknown as { monaco: { editor: { getEditors(): Array<{ getModel(): { setValue(v: string): void } | null }> } } }).monaco;
    monaco.editor.getEditors()[0]!.getModel()!.setValue(value);
  }, text);
  await expect(page.getByTestId("save-status")).toHaveText(/Unsaved changes|Saving…/);
}

/** Checks the work; grading is rate limited per learner, so a refusal is waited out and retried. */
export async function checkUntil(page: Page, expected: string | RegExp, timeout = 60_000) {
  await expect(async () => {
    await page.getByRole("button", { name: "Check my work" }).click();
    // A lab that builds its image grades for as long as the build takes.
    await expect(page.getByRole("button", { name: "Check my work" })).toBeEnabled({ timeout: Math.max(30_000, timeout - 10_000) });
    await expect(page.getByTestId("score")).toContainText(expected, { timeout: 1_000 });
  }).toPass({ timeout, intervals: [2_000, 5_000] });
}
