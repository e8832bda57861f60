import AxeBuilder from "@axe-core/playwright";
import { replaceEditorText, solution as solutionOf } from "./support/editor";
import { expect, test } from "./support/fixtures";

// The lab page's Workloads panel: it appears once the sandbox is ready, lists the learner's pods
// after an apply with their status, owner, node and the server's own log lines, explains a Deployment that outgrows the sandbox quota, and stops asking while the tab is
// hidden.

const LAB = "deploy-the-model";
const solution = (file: string) => solutionOf(LAB, file);

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

  await replaceEditorText(page, LAB, "k8s/configmap.yaml", solution("k8s/configmap.yaml"));
  await replaceEditorText(page, LAB, "k8s/deployment.yaml", solution("k8s/deployment.yaml"));
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
  // The deploy lab's pods really run (workloads: real): the panel shows the real node and the server's own log.
  await expect(first).toContainText("node academy-node");
  await first.getByText("Logs", { exact: true }).click();
  await expect(first.getByTestId("pod-logs")).toContainText("model churn-classifier 1.4.2 loaded", { timeout: 15_000 });
  await first.getByText(/^Events \(\d+\)$/).click();
  await expect(first).toContainText("Scheduled");

  // Ten replicas (the most a sandbox admits) ask for more memory than its quota holds: the
  // ReplicaSet's refusal is explained once, on the Deployment.
  await replaceEditorText(page, LAB, "k8s/deployment.yaml", solution("k8s/deployment.yaml").replace("replicas: 2", "replicas: 10"));
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
