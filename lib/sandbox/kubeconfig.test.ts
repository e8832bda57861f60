import { parse } from "yaml";
import { expect, test } from "vitest";
import { buildLearnerKubeconfig, tokenLifetimeSeconds } from "./kubeconfig";

const spec = { server: "https://203.0.113.10:6443", namespace: "lab-first-abcdefghij", token: "tok.en" };

test("the kubeconfig's one context points kubectl at the sandbox namespace with the learner's token", () => {
  const config = parse(buildLearnerKubeconfig({ ...spec, caData: "Q0E=" }));
  expect(config["current-context"]).toBe("academy-lab-first-abcdefghij");
  expect(config.contexts).toEqual([
    {
      name: "academy-lab-first-abcdefghij",
      context: { cluster: "academy-lab-first-abcdefghij", user: "learner@lab-first-abcdefghij", namespace: "lab-first-abcdefghij" },
    },
  ]);
  expect(config.users).toEqual([{ name: "learner@lab-first-abcdefghij", user: { token: "tok.en" } }]);
  expect(config.clusters).toEqual([
    { name: "academy-lab-first-abcdefghij", cluster: { server: "https://203.0.113.10:6443", "certificate-authority-data": "Q0E=" } },
  ]);
});

test("TLS trust is passed on as the platform has it, and nothing is said when there is none", () => {
  expect(parse(buildLearnerKubeconfig(spec)).clusters[0].cluster).toEqual({ server: spec.server });
  expect(parse(buildLearnerKubeconfig({ ...spec, skipTLSVerify: true })).clusters[0].cluster).toEqual({
    server: spec.server,
    "insecure-skip-tls-verify": true,
  });
});

test("a token lives an hour by default, never past the sandbox, and never under the API server's 10 minutes", () => {
  const now = Date.parse("2026-12-01T10:00:00Z");
  const inMinutes = (m: number) => new Date(now + m * 60_000);
  expect(tokenLifetimeSeconds(inMinutes(240), undefined, now)).toBe(3600);
  expect(tokenLifetimeSeconds(inMinutes(30), undefined, now)).toBe(1800);
  expect(tokenLifetimeSeconds(inMinutes(2), undefined, now)).toBe(600);
  expect(tokenLifetimeSeconds(inMinutes(240), 900, now)).toBe(900);
});
