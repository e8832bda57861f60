import { checkUntil, replaceEditorText, solution } from "./support/editor";
import { expect, test } from "./support/fixtures";

// Issue 9's promise, in Chromium: what a learner builds really runs. A Dockerfile whose USER was
// never created fails with the container's own error; the fixed one builds in the containerise
// lab, and the deploy lab runs that very image, whose /predict answers through the learner's
// Service.

const BUILD = "containerise-the-model";
const DEPLOY = "deploy-the-model";

test("a learner builds their image, a missing USER fails with the container's own error, and the deploy lab serves /predict from that image", async ({ page, signUp }) => {
  test.setTimeout(15 * 60_000);
  await signUp(page, { name: "Grace Builder", email: "grace.builder@example.com", password: "images that really run 4" });

  // 1. USER app without creating the account: the image builds, but its container cannot start.
  await page.goto(`/labs/${BUILD}`);
  await expect(page.getByTestId("code-editor").locator(".monaco-editor")).toBeVisible();
  const dockerfile = solution(BUILD, "Dockerfile");
  const createsUser = "RUN groupadd --gid 10001 app \\\n && useradd --uid 10001 --gid 10001 --create-home --shell /usr/sbin/nologin app\n";
  expect(dockerfile).toContain(createsUser);
  expect(dockerfile).toContain("USER 10001:10001\n");
  await replaceEditorText(page, BUILD, "Dockerfile", dockerfile.replace(createsUser, "").replace("USER 10001:10001\n", "USER app\n"));
  await replaceEditorText(page, BUILD, ".dockerignore", solution(BUILD, ".dockerignore"));
  await checkUntil(page, /Score: \d+ of/, 10 * 60_000);
  const runs = page.getByTestId("check-image-runs");
  await expect(runs).toContainText("Failed");
  await expect(runs).toContainText(/no users found|user .*app.* does not exist/i);
  await expect(page.getByTestId("check-image-builds")).toContainText("Passed");
  await page.screenshot({ path: test.info().outputPath("missing-user.png"), fullPage: true });

  // 2. The fixed Dockerfile: Build image streams the log and names the image, pinned by digest.
  await replaceEditorText(page, BUILD, "Dockerfile", dockerfile);
  await page.getByRole("button", { name: "Build image" }).click();
  await expect(page.getByTestId("build-log")).toContainText("FROM python:3.11.2-slim-bookworm", { timeout: 180_000 });
  const pinned = page.getByTestId("build-image-pinned");
  await expect(pinned).toHaveText(/^registry\.academy\.local\/learners\/[0-9a-f]{16}\/model-server@sha256:[0-9a-f]{64}$/, { timeout: 300_000 });
  const image = (await pinned.textContent())!.trim();

  // 3. The deploy lab with the learner's own image instead of the published one.
  await page.goto(`/labs/${DEPLOY}`);
  await page.getByRole("button", { name: "Start lab environment" }).click();
  await expect(page.getByTestId("sandbox-state")).toContainText("Ready", { timeout: 60_000 });
  const deployment = solution(DEPLOY, "k8s/deployment.yaml");
  expect(deployment).toContain("image: ghcr.io/academy-labs/model-server:1.4.2");
  await replaceEditorText(page, DEPLOY, "k8s/deployment.yaml", deployment.replace("image: ghcr.io/academy-labs/model-server:1.4.2", `image: ${image}`));
  await replaceEditorText(page, DEPLOY, "k8s/configmap.yaml", solution(DEPLOY, "k8s/configmap.yaml"));
  await replaceEditorText(page, DEPLOY, "k8s/service.yaml", solution(DEPLOY, "k8s/service.yaml"));
  await page.getByRole("button", { name: "Apply to sandbox" }).click();
  const applied = page.getByRole("status", { name: "Apply results" });
  await expect(applied).toContainText("Service/model-server");
  await expect(applied).not.toContainText("rejected");

  // The Workloads panel shows the learner's own image running on the real node.
  const panel = page.getByTestId("workloads-panel");
  await expect(panel.getByTestId("workloads-summary")).toHaveText("2 pods: 2 ready or done.", { timeout: 90_000 });
  await expect(panel).toContainText("node academy-node");

  await expect(async () => {
    await page.getByRole("button", { name: "Check my work" }).click();
    await expect(page.getByRole("button", { name: "Check my work" })).toBeEnabled({ timeout: 120_000 });
    await expect(page.getByTestId("check-predict-answers")).toContainText("Passed", { timeout: 1_000 });
  }).toPass({ timeout: 5 * 60_000, intervals: [2_000, 5_000] });
  await expect(page.getByTestId("check-healthz-answers")).toContainText("Passed");
  await expect(page.getByTestId("check-runs-as-app-user")).toContainText("Passed");
  await page.screenshot({ path: test.info().outputPath("own-image-predicts.png"), fullPage: true });
});
