import fs from "node:fs";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";

// The lab page's Workloads panel: it appears once the sandbox is ready, lists the learner's pods
// after an apply with their status and owner, says in words why a pod on a simulated node has no
// logs, explains a Deployment that outgrows the sandbox quota, and stops asking while the tab is
// hidden.

const labsRoot = path.resolve(import.meta.dirname, "../../labs");
const LAB = "deploy-the-model";

function solution(file: string): string {
  return fs.readFileSync(path.join(labsRoot, LAB, "solution", file), "utf8");
}

/** Replaces the open file's text as a paste would, through the editor's own model. */
async function replaceEditorText(page: Page, file: string, text: string) {
  await page.getByRole("tab", { name: file }).click();
  await page.waitForFunction(() => Boolean((window as unknown as { monaco?: unknown }).monaco));
  await page.waitForFunction((uri) => {
    const monaco = (window as unknown as { monaco: { editor: { getEditors(): Array<{ getModel(): { uri: { path: string } } | null }> } } }).monaco;
    return monaco.editor.getEditors()[0]?.getModel()?.uri.path.endsWith(uri) ?? false;
  }, `${LAB}/${file}`);
  await page.evaluate((value) => {
    const monaco = (window as unknown as { monaco: { editor: { getEditors(): Array<{ getModel(): { setValue(v: string): void } | null }> } } }).monaco;
    monaco.editor.getEditors()[0]!.getModel()!.setValue(value);
  }, text);
  await expect(page.getByTestId("save-status")).toHaveText("All changes saved");
}

test("the Workloads panel lists the learner's pods, explains a quota refusal, and pauses while the tab is hidden", async ({ page, signUp }) => {
  test.setTimeout(240_000);
  await signUp(page, { name: "Wanda Workloads", email: "wanda@example.com", password: "pods in plain words 9" });
  await page.goto(`/labs/${LAB}`);
  const panel = page.getByTestId("workloads-panel");
  await expect(panel).toHaveCount(0);
  await page.getByRole("button", { name: "Start lab environment" }).click();
  await expect(page.getByTestId("sandbox-state")).toContainText("Ready", { timeout: 60_000 });

  await expect(panel.getByRole("heading", { name: "Workloads" })).toBeVisible();
  await expect(panel).toContainText("No pods in your namespace yet");

  await replaceEditorText(page, "k8s/configmap.yaml", solution("k8s/configmap.yaml"));
  await replaceEditorText(page, "k8s/deployment.yaml", solution("k8s/deployment.yaml"));
  await page.getByRole("button", { name: "Apply to sandbox" }).click();
  await expect(page.getByRole("status", { name: "Apply results" })).toContainText("Deployment/model-server");

  const pods = panel.getByRole("list", { name: "Pods" }).getByRole("listitem").filter({ has: page.getByRole("heading", { level: 3 }) });
  await expect(pods).toHaveCount(2, { timeout: 30_000 });
  await expect(panel.getByTestId("workloads-summary")).toHaveText("2 pods: 2 ready or done.", { timeout: 30_000 });
  const first = pods.first();
  await expect(first.getByRole("heading", { level: 3 })).toContainText(/model-server-[a-z0-9]+-[a-z0-9]{5}/);
  await expect(first.getByTestId("pod-status")).toHaveText("Running");
  await expect(first).toContainText("Deployment model-server");
  await expect(first).toContainText("ready 1/1");
  await expect(first).toContainText("simulated node");
  await first.getByText("Logs", { exact: true }).click();
  await expect(first.getByTestId("pod-logs")).toContainText("No logs: this pod is on a simulated node");
  await first.getByText(/^Events \(\d+\)$/).click();
  await expect(first).toContainText("Scheduled");

  // Ten replicas (the most a sandbox admits) ask for more memory than its quota holds: the
  // ReplicaSet's refusal is explained once, on the Deployment.
  await replaceEditorText(page, "k8s/deployment.yaml", solution("k8s/deployment.yaml").replace("replicas: 2", "replicas: 10"));
  await page.getByRole("button", { name: "Apply to sandbox" }).click();
  const refused = panel.getByRole("list", { name: "Workloads with problems" }).getByRole("listitem").filter({ has: page.getByRole("heading", { level: 3 }) });
  await expect(refused).toHaveCount(1, { timeout: 60_000 });
  await expect(refused.getByRole("heading", { level: 3 })).toContainText("Deployment model-server");
  await expect(refused.getByTestId("workload-problems")).toContainText(/cannot create its pods: they would exceed your sandbox's quota “sandbox-quota”/);
  await expect(panel.getByTestId("workloads-summary")).toContainText("1 workload has a problem.");
  await expect(panel.getByTestId("pod-problems")).toHaveCount(0);
  await panel.screenshot({ path: test.info().outputPath("workloads-panel.png") });

  // With events and logs open, in both colour schemes, the panel has no serious accessibility faults.
  await refused.getByText(/^Events \(\d+\)$/).click();
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const results = await new AxeBuilder({ page }).include('[data-testid="workloads-panel"]').analyze();
    const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
    expect(serious, scheme).toEqual([]);
  }

  // A hidden tab stops asking; shown again, it asks at once.
  const reads: number[] = [];
  page.on("request", (request) => {
    if (request.url().endsWith(`/api/labs/${LAB}/workloads`)) reads.push(Date.now());
  });
  const setVisibility = (state: "hidden" | "visible") =>
    page.evaluate((value) => {
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => value });
      document.dispatchEvent(new Event("visibilitychange"));
    }, state);
  await expect.poll(() => reads.length, { timeout: 15_000 }).toBeGreaterThan(0);
  await setVisibility("hidden");
  await page.waitForTimeout(1_000); // a read already on its way may still land
  const whileHidden = reads.length;
  await page.waitForTimeout(9_000);
  expect(reads.length).toBe(whileHidden);
  await setVisibility("visible");
  await expect.poll(() => reads.length, { timeout: 3_000 }).toBeGreaterThan(whileHidden);
});
