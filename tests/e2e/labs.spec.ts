import type { Page } from "@playwright/test";
import { checkUntil, replaceEditorText, solution } from "./support/editor";
import { expect, test } from "./support/fixtures";
const admin = { email: "root@example.com", password: "sandbox keeper 2026" };
test.use({ admin });
/** Every learner in this file signs up with it. */
const password = "containers all the way 7";

test("a learner fixes a Dockerfile lab: the starter fails with reasons and hints, the fixed files build and pass, and it all survives a reload", async ({ page, signUp }) => {
  // Build image, then grading builds and starts the image again, on the real node.
  test.setTimeout(10 * 60_000);
  await signUp(page, { name: "Solomon", email: "solomon@example.com", password });
  await page.goto("/labs");
  await page.getByRole("link", { name: "Containerise the model server" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Containerise the model server" })).toBeVisible();
  await expect(page.getByTestId("code-editor").locator(".monaco-editor")).toBeVisible();

  // Typing goes into the editor and is autosaved.
  await page.getByTestId("code-editor").locator(".view-lines").click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type("\n# my first edit\n");
  await expect(page.getByTestId("save-status")).toHaveText(/Unsaved changes|Saving…/);
  await expect(page.getByTestId("save-status")).toHaveText("All changes saved");

  await checkUntil(page, "Score: 0 of", 120_000);
  const pinned = page.getByTestId("check-base-image-pinned");
  await expect(pinned).toContainText("Failed");
  await expect(pinned).toContainText("Hint");

  await replaceEditorText(page, "containerise-the-model", "Dockerfile", solution("containerise-the-model", "Dockerfile"));
  await replaceEditorText(page, "containerise-the-model", ".dockerignore", solution("containerise-the-model", ".dockerignore"));
  // Build image: the log streams, then the image's name to deploy.
  await page.getByRole("button", { name: "Build image" }).click();
  await expect(page.getByTestId("build-log")).toContainText("STEP 1/4: FROM python:3.11.2-slim-bookworm AS build", { timeout: 120_000 });
  await expect(page.getByTestId("build-result")).toContainText(/registry\.academy\.local\/learners\/[0-9a-f]{16}\/model-server:latest/, { timeout: 240_000 });
  await checkUntil(page, "lab complete", 300_000);

  await page.reload();
  await expect(page.getByTestId("score")).toContainText("lab complete");
  await expect(page.getByRole("table").getByRole("row")).toHaveCount(3); // header + two attempts
  await page.getByRole("button", { name: "History" }).click();
  await expect(page.getByText(/Revision 2/)).toBeVisible();
  await page.goto("/learn/containers");
  await expect(page.getByRole("listitem").filter({ hasText: "Containerise the model server" }).getByText("Completed")).toBeVisible();
});

/** The text of the editor's current model, as Monaco holds it. */
async function editorText(page: Page): Promise<string> {
  await page.waitForFunction(() => Boolean((window as unknown as { monaco?: { editor?: unknown } }).monaco?.editor));
  return page.evaluate(() => {
    const monaco = (window as unknown as { monaco: { editor: { getEditors(): Array<{ getModel(): { getValue(): string } | null }> } } }).monaco;
    return monaco.editor.getEditors()[0]?.getModel()?.getValue() ?? "";
  });
}

test("typing fast into the editor keeps every keystroke, while autosave runs and after a reload", async ({ page, signUp }) => {
  await signUp(page, { name: "Ada Typist", email: "typist@example.com", password });
  await page.goto("/labs/containerise-the-model");
  await expect(page.getByTestId("code-editor").locator(".monaco-editor")).toBeVisible();
  const before = await editorText(page);
  await page.getByTestId("code-editor").locator(".view-lines").click();
  await page.keyboard.press("Control+End");
  // Long enough for several autosaves and re-renders to land in the middle of the typing.
  const typed = "\n# under a content security policy, every character counts: 0123456789 abcdefghij\n# second line\n";
  await page.keyboard.type(typed);
  await expect(page.getByTestId("save-status")).toHaveText("All changes saved");
  expect(await editorText(page)).toBe(before + typed);
  await page.reload();
  await expect(page.getByTestId("code-editor").locator(".monaco-editor")).toBeVisible();
  expect(await editorText(page)).toBe(before + typed);

  // Text replaced from outside the editor does reach it: reset to starter, then restore the typed revision.
  page.once("dialog", (dialog) => void dialog.accept());
  await page.getByRole("button", { name: "Reset to starter" }).click();
  await expect.poll(() => editorText(page)).toBe(before);
  await page.getByRole("button", { name: "History" }).click();
  const typedRevision = page.getByRole("listitem").filter({ hasText: /Revision \d+/ }).filter({ hasNotText: "reset to starter" }).first();
  await typedRevision.getByRole("button", { name: "Restore" }).click();
  await expect.poll(() => editorText(page)).toBe(before + typed);
  await expect(page.getByTestId("save-status")).toHaveText("All changes saved");
});

test("a learner starts a sandbox, applies manifests as themselves, sees a rejection explained, and completes the Kubernetes lab", async ({ page, browser, signUp, signIn }) => {
  test.setTimeout(240_000);
  await signUp(page, { name: "Kelsey", email: "kelsey@example.com", password });
  await page.goto("/labs/deploy-the-model");
  await page.getByRole("button", { name: "Start lab environment" }).click();
  const progress = page.getByRole("list", { name: "Progress" });
  await expect(progress).toContainText("Creating namespace");
  await expect(page.getByTestId("sandbox-state")).toContainText("Ready", { timeout: 60_000 });
  await expect(page.getByTestId("sandbox-state")).toContainText("minutes left");

  // A manifest the API server refuses comes back with its reason, per object.
  const deployment = solution("deploy-the-model", "k8s/deployment.yaml");
  expect(deployment).toContain("replicas: 2");
  await replaceEditorText(page, "deploy-the-model", "k8s/deployment.yaml", deployment.replace("replicas: 2", "replicas: two"));
  await page.getByRole("button", { name: "Apply to sandbox" }).click();
  const applied = page.getByRole("status", { name: "Apply results" });
  await expect(applied).toContainText("Deployment/model-server");
  await expect(applied).toContainText(/Deployment\/model-server .*rejected — .*replicas/);

  await replaceEditorText(page, "deploy-the-model", "k8s/deployment.yaml", deployment);
  await replaceEditorText(page, "deploy-the-model", "k8s/configmap.yaml", solution("deploy-the-model", "k8s/configmap.yaml"));
  await replaceEditorText(page, "deploy-the-model", "k8s/service.yaml", solution("deploy-the-model", "k8s/service.yaml"));
  await page.getByRole("button", { name: "Apply to sandbox" }).click();
  await expect(applied).not.toContainText("rejected");
  await expect(applied).toContainText("Service/model-server");

  // The pods really run on the real node; checking again until the rollout and the behaviour checks pass.
  await checkUntil(page, "lab complete", 120_000);

  const kubeconfig = await page.request.get("/api/labs/deploy-the-model/kubeconfig");
  expect(kubeconfig.status()).toBe(200);
  const text = await kubeconfig.text();
  expect(text).toContain("namespace: lab-deploy-the-model-");
  expect(text).toContain("token:");

  // The administrator sees the sandbox and can delete it.
  const adminContext = await browser.newContext();
  const adminPage = await adminContext.newPage();
  await signIn(adminPage, admin);
  await adminPage.goto("/admin/sandboxes");
  const row = adminPage.getByRole("row", { name: /kelsey@example.com/ });
  await expect(row).toContainText("ready");
  await expect(row).toContainText(/pods: \d+ \/ \d+/);
  adminPage.once("dialog", (dialog) => void dialog.accept());
  await row.getByRole("button", { name: /Delete lab-deploy-the-model-/ }).click();
  // Deleting waits for the namespace to terminate; then the list shows the sandbox as gone.
  await expect(row).toContainText("gone", { timeout: 120_000 });
  await expect(row.getByRole("button", { name: /Delete/ })).toHaveCount(0);
  await adminPage.goto("/instructor/labs");
  await expect(adminPage.getByTestId("insight-summary-deploy-the-model")).toContainText("by 1 learners; 1 completed");
  await adminContext.close();

  await page.reload();
  await expect(page.getByRole("button", { name: "Start lab environment" })).toBeVisible();
});

test("learners cannot reach the instructor or sandbox administration pages", async ({ page, signUp }) => {
  await signUp(page, { name: "Nosy", email: "nosy@example.com", password });
  expect((await page.goto("/instructor/labs"))?.status()).toBe(403);
  expect((await page.goto("/admin/sandboxes"))?.status()).toBe(403);
  const check = await page.request.post("/api/labs/no-such-lab/check");
  expect(check.status()).toBe(404);
});
