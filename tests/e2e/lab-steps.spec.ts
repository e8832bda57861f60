import fs from "node:fs";
import type { Page } from "@playwright/test";
import path from "node:path";
import { checkUntil, replaceEditorText, solution } from "./support/editor";
import { expect, test } from "./support/fixtures";

// Issue 14's lab authoring, in Chromium, on a lab with steps, a step's setup and runnable
// commands (labs/scale-then-clean-up): a locked step's text is not on the page; Check grades the
// current step only, and a completed step opens the next one's text; the second step's setup
// creates the ConfigMap the third step asks to delete; the third step's command is run with its
// Run in terminal button, in the lab's terminal, and completes the lab.

const LAB = "scale-then-clean-up";
const FILE = "k8s/deployment.yaml";
const stepSolution = (step: string) => fs.readFileSync(path.resolve(import.meta.dirname, "../../labs", LAB, "solution/steps", step, FILE), "utf8");

/**
 * Checks until the step shows as done. (The score line alone cannot tell: after a refused,
 * rate-limited check it still shows the previous step's "step complete".)
 */
async function checkUntilStepDone(page: Page, id: string) {
  await expect(async () => {
    await page.getByRole("button", { name: "Check my work" }).click();
    await expect(page.getByRole("button", { name: "Check my work" })).toBeEnabled({ timeout: 50_000 });
    await expect(page.getByTestId(`step-${id}`)).toContainText("Done", { timeout: 5_000 });
  }).toPass({ timeout: 120_000, intervals: [2_000, 5_000] });
}

test("a lab in steps: each step opens when the one before is done, a step's setup runs, and a runnable command finishes the lab", async ({ page, signUp }) => {
  test.setTimeout(8 * 60_000);
  await signUp(page, { name: "Stella Steps", email: "stella.steps@example.com", password: "one step at a time 4" });
  await page.goto(`/labs/${LAB}`);
  const step = (id: string) => page.getByTestId(`step-${id}`);
  await expect(page.getByRole("heading", { name: /^Steps/ })).toContainText("0 of 3 done");
  await expect(step("create")).toContainText("Current step");
  await expect(step("scale")).toContainText("Locked: complete “Run three replicas for the launch” first.");
  // The server withholds a locked step's text: it is nowhere in the page.
  expect(await page.content()).not.toContain("Debug logging is not meant to stay on");

  await page.getByRole("button", { name: "Start lab environment" }).click();
  await expect(page.getByTestId("sandbox-state")).toContainText("Ready", { timeout: 90_000 });

  // Step 1: three replicas.
  await replaceEditorText(page, LAB, FILE, stepSolution("create"));
  await page.getByRole("button", { name: "Apply to sandbox" }).click();
  await expect(page.getByRole("status", { name: "Apply results" })).toContainText("Deployment/model-server");
  await checkUntilStepDone(page, "create");
  await expect(page.getByTestId("score")).toContainText("step complete: the next step is open");
  await expect(step("scale")).toContainText("Current step");
  await expect(step("scale")).toContainText("Scale the Deployment back to one");

  // Step 2: back to one; completing it applies its setup (the ConfigMap web-debug).
  await replaceEditorText(page, LAB, FILE, solution(LAB, FILE));
  await page.getByRole("button", { name: "Apply to sandbox" }).click();
  await expect(page.getByRole("status", { name: "Apply results" })).toContainText("Deployment/model-server");
  await checkUntilStepDone(page, "scale");
  await expect(step("clean-up")).toContainText("Debug logging is not meant to stay on", { timeout: 30_000 });
  await expect(page.getByRole("heading", { name: /^Steps/ })).toContainText("2 of 3 done");

  // Step 3: the Run in terminal button opens the terminal and runs the command there.
  const block = step("clean-up").locator(".code-block", { hasText: "kubectl delete configmap web-debug" });
  await block.getByRole("button", { name: "Run in terminal" }).click();
  await expect(block.getByRole("status")).toHaveText("Sent to the terminal", { timeout: 180_000 });
  const terminal = page.getByTestId("terminal-panel").getByTestId("terminal");
  await expect(terminal).toContainText('configmap "web-debug" deleted', { timeout: 60_000 });
  await checkUntil(page, "lab complete");
  await expect(page.getByRole("heading", { name: /^Steps/ })).toContainText("3 of 3 done", { timeout: 30_000 });
  await page.screenshot({ path: test.info().outputPath("lab-steps.png"), fullPage: true });
});
