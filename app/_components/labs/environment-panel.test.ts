import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { expect, test } from "vitest";
import type { SandboxView } from "@/lib/workspace/views";
import { minutesLeft, SandboxStatus } from "./environment-panel";
import type { AvailabilityView } from "./types";

const noop = () => {};

function status(availability: AvailabilityView, sandbox: SandboxView | null = null): string {
  return renderToStaticMarkup(
    createElement(SandboxStatus, { availability, sandbox, busy: false, labId: "deploy-the-model", onStart: noop, onReset: noop, onStop: noop, onExtend: noop }),
  );
}

test("while the local control plane starts, the panel says what it is doing and that the page updates itself", () => {
  const html = status({ state: "starting", detail: "Building kube-apiserver (3 of 4), 4 min so far, about 8 min in all." });
  expect(html).toContain("The local cluster is still starting: Building kube-apiserver (3 of 4), 4 min so far, about 8 min in all.");
  expect(html).toContain("This page updates by itself when it is ready");
  expect(html).not.toContain("npm run");
  expect(html).toContain("Start lab environment");
});

test("with no cluster, the panel gives the reason and what to do, and no start button", () => {
  const html = status({ state: "unavailable", reason: "No cluster is connected.", howToFix: ["Set KUBECONFIG."] });
  expect(html).toContain("No cluster is connected.");
  expect(html).toContain("<li>Set KUBECONFIG.</li>");
  expect(html).not.toContain("Start lab environment");
});

test("a running sandbox shows its state, namespace, time left and the kubeconfig link", () => {
  const expiresAt = new Date(Date.now() + 42 * 60_000 + 10_000).toISOString();
  const sandbox: SandboxView = { id: "s1", namespace: "lab-deploy-the-model-abc", state: "ready", error: null, createdAt: expiresAt, readyAt: expiresAt, expiresAt };
  const html = status({ state: "ready" }, sandbox);
  expect(html).toMatch(/data-testid="sandbox-state"><strong>Ready<\/strong> · namespace <code>lab-deploy-the-model-abc<\/code> · 42 minutes left/);
  expect(html).toContain('href="/api/labs/deploy-the-model/kubeconfig"');
});

test("minutes left are rounded and never negative", () => {
  const now = Date.parse("2026-12-01T10:00:00Z");
  expect(minutesLeft("2026-12-01T10:29:40Z", now)).toBe(30);
  expect(minutesLeft("2026-12-01T09:00:00Z", now)).toBe(0);
});

test("a learner's unavailable view is its words and request id, with no empty list of fixes", () => {
  const html = status({ state: "unavailable", reason: "The lab environment is not available right now. If it keeps happening, tell your instructor the request id 1234.", howToFix: [] });
  expect(html).toContain("tell your instructor the request id 1234.");
  expect(html).not.toContain("<ul");
  expect(html).toContain("You can still edit your files; they are saved.");
});
