// The lab terminal through the real service against the real API server and a workspace pod on
// the real node: refusals before the upgrade (no session, a foreign Origin, another learner's lab
// or session, and RBAC on its own), echo, resize reaching the pty, reconnect with the scrollback
// replayed, the idle timeout saying so, a flood that neither blocks the event loop nor outruns a
// page that stops acking, and a fork bomb the session and the server survive.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { DatabaseHandle } from "@/lib/db/client";
import { learnerClient, type KubeClient } from "@/lib/k8s/client";
import { startSandbox, stopSandbox } from "@/lib/sandbox/lifecycle";
import type { SandboxDTO } from "@/lib/sandbox/queries";
import type { SandboxDeps } from "@/lib/sandbox/results";
import { uninstall } from "@/lib/sandbox/upkeep";
import { createLearners, testCluster, testInstallation } from "@/tests/support/cluster";
import { openTestDatabase } from "@/tests/support/databases";
import { creatingWorkspace, ensureWorkspacePod, isRefused, openReady, openTerminal, sessionCookie, type Refused } from "@/tests/support/terminal";
import { eventually } from "@/tests/support/waiting";
import { openExec } from "./exec";
import { SHELL, terminalDeps } from "./index";
import { FLOW_WINDOW_BYTES } from "./protocol";
import { createTerminalService, type TerminalService } from "./server";
import { WORKSPACE_POD } from "./workspace";

const SITE = "http://academy.test:3000";
const SECRET = "terminal-cluster-test-secret-0123456789abcdef";

let handle: DatabaseHandle;
let admin: KubeClient;
let sandboxDeps: SandboxDeps;
let learners: Array<{ id: string }>;
let sandboxes: SandboxDTO[];
let service: TerminalService;
let idleService: TerminalService;
let base: string;
let idleBase: string;
let cookies: string[];

function start(overrides: Parameters<typeof terminalDeps>[0] = {}) {
  return createTerminalService(
    terminalDeps({
      db: async () => handle.db,
      cluster: () => admin,
      siteUrl: SITE,
      secret: () => SECRET,
      workspace: creatingWorkspace(admin),
      takeLimit: async () => ({ ok: true }),
      ...overrides,
    }),
  );
}

beforeAll(async () => {
  admin = testCluster();
  sandboxDeps = { cluster: admin, installation: testInstallation("term"), terminationTimeoutMs: 90_000 };
  handle = await openTestDatabase("pglite");
  learners = await createLearners(handle.db, 2);
  const started = await Promise.all(learners.map((learner, i) => startSandbox(handle.db, learner, { labId: `terminal-${i}`, placement: "real" }, () => {}, sandboxDeps)));
  sandboxes = started.map((r) => {
    if (!r.ok) throw new Error(`a sandbox did not start: ${r.error}`);
    return r.sandbox;
  });
  await Promise.all(sandboxes.map((s) => ensureWorkspacePod(admin, s.namespace)));
  cookies = await Promise.all(learners.map((l) => sessionCookie(l.id, SECRET)));
  service = start();
  base = `http://127.0.0.1:${await service.listen(0)}`;
  const settings = terminalDeps().settings;
  idleService = start({ settings: { ...settings, idleMs: 4_000 } });
  idleBase = `http://127.0.0.1:${await idleService.listen(0)}`;
});

afterAll(async () => {
  await service?.close();
  await idleService?.close();
  if (handle && sandboxes) await Promise.all(sandboxes.map((s, i) => stopSandbox(handle.db, learners[i]!, s.id, () => {}, sandboxDeps)));
  if (admin && sandboxDeps?.installation) await uninstall(admin, sandboxDeps.installation);
  await handle?.close();
});

const lab = (i: number) => `terminal-${i}`;

describe("refused before the upgrade", () => {
  test("without a session cookie, with a forged one, or from another origin", async () => {
    const none = (await openTerminal(base, { labId: lab(0), origin: SITE })) as Refused;
    expect(none).toMatchObject({ refused: true, status: 401, error: expect.stringMatching(/not signed in/) });
    const forged = (await openTerminal(base, { labId: lab(0), origin: SITE, cookie: await sessionCookie(learners[0]!.id, "another-secret-of-at-least-32-characters!") })) as Refused;
    expect(forged).toMatchObject({ refused: true, status: 401 });
    const foreign = (await openTerminal(base, { labId: lab(0), origin: "https://evil.example", cookie: cookies[0] })) as Refused;
    expect(foreign).toMatchObject({ refused: true, status: 403, error: expect.stringContaining("only from pages of http://academy.test:3000, not https://evil.example") });
    const noOrigin = (await openTerminal(base, { labId: lab(0), cookie: cookies[0] })) as Refused;
    expect(noOrigin).toMatchObject({ refused: true, status: 403 });
    // A session ended everywhere (its version raised) no longer opens a terminal.
    const stale = (await openTerminal(base, { labId: lab(0), origin: SITE, cookie: await sessionCookie(learners[0]!.id, SECRET, 7) })) as Refused;
    expect(stale).toMatchObject({ refused: true, status: 401 });
  });

  test("another learner's lab or terminal session is refused by the server, and their pod by RBAC", async () => {
    // Learner 1 asks for learner 0's lab: learner 1 has no lab environment for it.
    const otherLab = (await openTerminal(base, { labId: lab(0), origin: SITE, cookie: cookies[1] })) as Refused;
    expect(otherLab).toMatchObject({ refused: true, status: 403, error: expect.stringMatching(/no lab environment running for this lab/) });
    // Learner 1 presents learner 0's session id.
    const mine = await openReady(base, { labId: lab(0), origin: SITE, cookie: cookies[0] });
    const stolen = (await openTerminal(base, { labId: lab(1), origin: SITE, cookie: cookies[1], session: mine.session })) as Refused;
    expect(stolen).toMatchObject({ refused: true, status: 403, error: "That terminal session is not yours." });
    mine.socket.close();
    // And had the server been fooled, Kubernetes refuses learner 1's identity an exec in learner 0's namespace.
    const exec = await openExec(learnerClient(admin, sandboxes[1]!.namespace), { namespace: sandboxes[0]!.namespace, pod: WORKSPACE_POD.name, container: WORKSPACE_POD.container }, { command: SHELL, tty: true });
    expect(exec).toMatchObject({ ok: false, code: "exec-refused", error: expect.stringMatching(/forbidden/i) });
  });

  test("a plain GET answers the same checks in words, for the page to show", async () => {
    const res = await fetch(`${base}/api/terminal/labs/${lab(0)}`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toMatch(/not signed in/);
    const ok = await fetch(`${base}/api/terminal/labs/${lab(0)}`, { headers: { cookie: cookies[0]! } });
    expect(await ok.json()).toEqual({ ok: true });
  });
});

describe("a working terminal", () => {
  test("echo comes back, and a resize reaches the pty", async () => {
    const terminal = await openReady(base, { labId: lab(0), origin: SITE, cookie: cookies[0], cols: 90, rows: 30 });
    terminal.type("echo hello-$((6*7))\r");
    await terminal.until(/hello-42/);
    terminal.type("stty size\r");
    await terminal.until(/\r30 90\r\n/);
    terminal.resize(123, 41);
    // The resize travels on its own channel to the kubelet, so a stty typed at once may run before
    // it lands (seen on a loaded node): ask again until the pty reports the new size.
    await eventually(
      "the pty to report the new size",
      async () => {
        terminal.type("stty size\r");
        return terminal.until(/\r41 123\r\n/, 2_000).catch(() => undefined);
      },
      30_000,
    );
    terminal.socket.close();
  });

  test("after a dropped connection the same shell continues and what was missed is replayed; a fresh page gets the scrollback", async () => {
    const first = await openReady(base, { labId: lab(0), origin: SITE, cookie: cookies[0] });
    first.type("export MARK=kept-$((40+2)); echo before-$MARK\r");
    await first.until(/before-kept-42/);
    first.type("sleep 2; echo while-away-$MARK\r");
    await first.until(/sleep 2; echo while-away-\$MARK\r\n/);
    const had = first.offset;
    first.socket.terminate(); // the network drops: no close frame
    await new Promise((r) => setTimeout(r, 3_000));

    const again = await openReady(base, { labId: lab(0), origin: SITE, cookie: cookies[0], session: first.session, offset: had });
    expect(again.session).toBe(first.session);
    expect(again.messages.find((m) => m.type === "ready")).toMatchObject({ offset: had, gap: false });
    await again.until(/while-away-kept-42/);
    expect(again.text).not.toContain("before-kept-42"); // it already had that
    again.socket.close(1001); // the tab reloads
    await new Promise((r) => setTimeout(r, 500));

    // A reloaded page has nothing: it gets the whole scrollback, and the shell still knows $MARK.
    const reloaded = await openReady(base, { labId: lab(0), origin: SITE, cookie: cookies[0], session: first.session, offset: 0 });
    expect(reloaded.text).toContain("before-kept-42");
    expect(reloaded.text).toContain("while-away-kept-42");
    reloaded.type("echo still-$MARK\r");
    await reloaded.until(/still-kept-42/);
    reloaded.socket.close();
  });

  test("no input for the idle time closes the terminal and says so", async () => {
    const terminal = await openReady(idleBase, { labId: lab(1), origin: SITE, cookie: cookies[1] });
    terminal.type("echo typing-resets-the-clock\r");
    await terminal.until(/typing-resets-the-clock\r\n/);
    const closed = await terminal.closedMessage(20_000);
    expect(closed).toEqual({ type: "closed", reason: "idle", message: "closed after 4 seconds without input; press Reconnect" });
    await eventually("the socket to close", async () => terminal.closed ?? undefined, 5_000);
  });

  test("a flood of output neither blocks the event loop nor outruns a page that stops acking", async () => {
    const terminal = await openReady(base, { labId: lab(1), origin: SITE, cookie: cookies[1] });
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    terminal.type("cat /dev/urandom | base64\r");
    await eventually("4 MiB of flood", async () => (terminal.offset > 4 * 1024 * 1024 ? true : undefined), 60_000);
    delay.disable();
    const maxMs = delay.max / 1e6;
    console.log(`flood: ${(terminal.offset / 1024 / 1024).toFixed(1)} MiB received; event-loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, max ${maxMs.toFixed(1)} ms`);
    expect(maxMs).toBeLessThan(500);

    // The page stops acking (it cannot draw fast enough): the server stops after one window.
    terminal.acking = false;
    await new Promise((r) => setTimeout(r, 1_000));
    const stalled = terminal.offset;
    await new Promise((r) => setTimeout(r, 2_000));
    expect(terminal.offset - stalled).toBeLessThanOrEqual(FLOW_WINDOW_BYTES);
    // Acking again lets it flow; Ctrl-C stops it and the shell answers.
    terminal.acking = true;
    terminal.ack();
    await eventually("the flood to flow again", async () => (terminal.offset > stalled + FLOW_WINDOW_BYTES * 2 ? true : undefined), 30_000);
    terminal.type("\x03");
    await new Promise((r) => setTimeout(r, 1_000));
    terminal.type("echo flood-over-$((1+1))\r");
    await terminal.until(/flood-over-2/, 60_000);
    terminal.socket.close();
  });

  test("a fork bomb (bounded here by ulimit; the node's pid limit in production) leaves the session usable and the server up", async () => {
    const terminal = await openReady(base, { labId: lab(1), origin: SITE, cookie: cookies[1] });
    terminal.type("ulimit -u 150; bomb() { bomb | bomb & }; bomb\r");
    await terminal.until(/Resource temporarily unavailable|retry/i, 60_000);
    // kill is a builtin: it needs no new process. -1 is every process this user may signal.
    terminal.type("kill -9 -1\r");
    await new Promise((r) => setTimeout(r, 3_000));
    const survived = terminal.closed === null;
    if (survived) {
      terminal.type("echo after-bomb-$((2*3))\r");
      await terminal.until(/after-bomb-6/, 60_000);
      terminal.socket.close();
    } else {
      const closed = terminal.messages.find((m) => m.type === "closed");
      expect(closed).toMatchObject({ reason: "exited" });
    }
    // Either way the server takes a new terminal.
    const next = await openReady(base, { labId: lab(1), origin: SITE, cookie: cookies[1] });
    next.type("echo server-up\r");
    await next.until(/server-up\r\n/);
    next.socket.close();
  });
});

describe("limits", () => {
  test("a user gets at most ACADEMY_TERMINAL_MAX_PER_USER terminals (2 here), a dropped one still counts, and a reconnect to it is not a new one", async () => {
    await new Promise((r) => setTimeout(r, 500));
    const limited = start({ settings: { ...terminalDeps().settings, maxPerUser: 2 } });
    const at = `http://127.0.0.1:${await limited.listen(0)}`;
    try {
      const a = await openReady(at, { labId: lab(0), origin: SITE, cookie: cookies[0] });
      const b = await openReady(at, { labId: lab(0), origin: SITE, cookie: cookies[0] });
      const third = await openTerminal(at, { labId: lab(0), origin: SITE, cookie: cookies[0] });
      expect(isRefused(third) && third).toMatchObject({ status: 429, error: expect.stringMatching(/^You have 2 terminals open already/) });
      a.socket.terminate();
      const back = await openReady(at, { labId: lab(0), origin: SITE, cookie: cookies[0], session: a.session, offset: a.offset });
      expect(back.session).toBe(a.session);
      back.socket.close();
      b.socket.close();
    } finally {
      await limited.close();
    }
  });
});
