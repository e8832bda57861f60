import type { Page } from "@playwright/test";
import { replaceEditorText, solution } from "./support/editor";
import { expect, test } from "./support/fixtures";

// Issue 10's promise for the terminal, in Chromium, through `next start`, proxy.ts and the terminal
// service, under the page's Content-Security-Policy (a violation fails the test): a learner opens
// the terminal (the workspace pod starts on demand), runs `kubectl get pods` and `curl` against
// their own Service, runs a runnable block of the lab's text with its Run button, edits a lab file
// in the terminal and sees it in the editor; a pod in another learner's sandbox, listening, does
// not answer them.

const LAB = "deploy-the-model";

async function openTerminal(page: Page) {
  await page.bringToFront();
  const panel = page.getByTestId("terminal-panel");
  await panel.getByRole("button", { name: "Open terminal" }).click();
  await expect(panel.getByTestId("terminal-status")).toHaveText("Connected", { timeout: 120_000 });
  const terminal = panel.getByTestId("terminal");
  await terminal.click();
  // The shell is there: Enter gives a fresh prompt line.
  await page.keyboard.press("Enter");
  await expect(terminal).toContainText("learner@workspace", { timeout: 30_000 });
  return { panel, terminal };
}

async function startLab(page: Page) {
  await page.goto(`/labs/${LAB}`);
  await page.getByRole("button", { name: "Start lab environment" }).click();
  await expect(page.getByTestId("sandbox-state")).toContainText("Ready", { timeout: 90_000 });
}

test("a learner uses the terminal: kubectl, curl to their Service, a file edited there reaches the editor, another sandbox is unreachable", async ({ page, browser, signUp }) => {
  test.setTimeout(10 * 60_000);
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content[- ]Security[- ]Policy|Refused to (connect|load|apply)/i.test(message.text())) violations.push(message.text());
  });
  await signUp(page, { name: "Tess Terminal", email: "tess.terminal@example.com", password: "a shell in the page 7" });
  await startLab(page);
  for (const file of ["k8s/configmap.yaml", "k8s/deployment.yaml", "k8s/service.yaml"]) {
    await replaceEditorText(page, LAB, file, solution(LAB, file));
  }
  await page.getByRole("button", { name: "Apply to sandbox" }).click();
  await expect(page.getByRole("status", { name: "Apply results" })).toContainText("Service/model-server");

  const { terminal } = await openTerminal(page);
  // The pty has the panel's size, not the 80×24 default.
  await page.keyboard.type("echo answer-$((6*7)) size=$(stty size | tr ' ' x)\n");
  await expect(terminal).toContainText("answer-42", { timeout: 30_000 });
  await expect(terminal).not.toContainText("size=24x80");

  // kubectl as the learner, in their namespace: the workspace and their model server's pods.
  await page.keyboard.type("kubectl get pods\n");
  await expect(terminal).toContainText(/model-server-[a-z0-9]+-[a-z0-9]+/, { timeout: 30_000 });
  await expect(terminal).toContainText(/workspace\s+1\/1\s+Running/);
  // A runnable block of the lab's text: Run types its two lines into the terminal and presses Enter.
  const runnable = page.locator(".code-block", { hasText: "kubectl rollout status deployment/model-server --timeout=120s" });
  await runnable.getByRole("button", { name: "Run in terminal" }).click();
  await expect(runnable.getByRole("status")).toHaveText("Sent to the terminal");
  await expect(terminal).toContainText(/deployment "model-server" (successfully rolled out|rollout to finish)/, { timeout: 60_000 });
  // curl to their own Service, by its name, once the model server is ready.
  await page.keyboard.type("kubectl rollout status deployment/model-server --timeout=240s && curl -s -m 10 http://model-server/healthz; echo\n");
  await expect(terminal).toContainText('{"status":"ok"}', { timeout: 300_000 });

  // A file changed in the terminal comes back to the editor as a new revision.
  await page.keyboard.type("printf '# scaled from the terminal\\n' >> ~/lab/k8s/service.yaml && tail -n 1 ~/lab/k8s/service.yaml\n");
  await expect(terminal).toContainText("# scaled from the terminal");
  await page.getByRole("tab", { name: "k8s/service.yaml" }).click();
  await page.waitForFunction((text) => {
    const monaco = (window as unknown as { monaco?: { editor: { getEditors(): Array<{ getModel(): { getValue(): string; uri: { path: string } } | null }> } } }).monaco;
    const model = monaco?.editor.getEditors()[0]?.getModel();
    return Boolean(model?.uri.path.endsWith("k8s/service.yaml") && model.getValue().includes(text));
  }, "# scaled from the terminal", { timeout: 30_000 });
  await page.screenshot({ path: test.info().outputPath("terminal.png"), fullPage: true });

  // Another learner's pod listens (their own curl gets an answer), and this learner's cannot reach it.
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await signUp(otherPage, { name: "Olga Other", email: "olga.other@example.com", password: "a shell in the page 8" });
  await startLab(otherPage);
  const { terminal: otherTerminal } = await openTerminal(otherPage);
  await otherPage.keyboard.type("cd /tmp && (python3 -m http.server 8000 >/dev/null 2>&1 &) && sleep 2 && echo IP=$(hostname -i) && curl -s -o /dev/null -w 'own=%{http_code}\\n' http://$(hostname -i):8000/\n");
  await expect(otherTerminal).toContainText("own=200", { timeout: 60_000 });
  const ip = /IP=(\d+\.\d+\.\d+\.\d+)/.exec((await otherTerminal.textContent()) ?? "")?.[1];
  expect(ip, "the other learner's pod IP").toBeDefined();
  await page.bringToFront();
  await terminal.click();
  await page.keyboard.type(`curl -s -o /dev/null -m 5 -w 'code=%{http_code}\\n' http://${ip}:8000/; echo exit=$?\n`);
  // Refused (7) or dropped (28) by the policy: no HTTP answer either way.
  await expect(terminal).toContainText(/code=000\s*exit=(7|28)\b/, { timeout: 30_000 });
  await otherPage.screenshot({ path: test.info().outputPath("other-learner.png"), fullPage: true });
  await page.screenshot({ path: test.info().outputPath("unreachable.png"), fullPage: true });
  await other.close();

  const panel = page.getByTestId("terminal-panel");
  await panel.getByRole("button", { name: "Close terminal" }).click();
  await expect(panel.getByTestId("terminal-status")).toHaveText("Closed: you closed the terminal");
  expect(violations).toEqual([]);
});
