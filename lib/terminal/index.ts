// lib/terminal owns the lab terminal's server side: the WebSocket service (server.ts), one
// session per open terminal (session.ts, with its scrollback ring-buffer.ts), the exec into the
// workspace pod (exec.ts) and the wire protocol shared with the browser (protocol.ts).
// `startTerminalService` runs inside the Academy server process (instrumentation.ts), so it
// shares its database handle: the embedded PGlite cannot be opened by a second process
// (decision 013).
import "server-only";
import { sessionSecret } from "@/lib/auth/secret";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { adminClient } from "@/lib/k8s/client";
import { takeUserLimit } from "@/lib/rate-limit/limits";
import { createTerminalService, type TerminalDeps, type TerminalService, type TerminalSettings } from "./server";
import { labNamespace, workspaceTarget } from "./workspace";

export type { TerminalDeps, TerminalService, TerminalSettings } from "./server";

/** The shell: a login bash, so the image's profile (PATH, prompt, kubectl completion) applies. */
export const SHELL = ["bash", "-l"] as const;

/** 256 KiB of scrollback per session: a few thousand lines, replayed on reconnect. */
export const SCROLLBACK_BYTES = 256 * 1024;

export function terminalSettings(): TerminalSettings {
  return {
    idleMs: env.ACADEMY_TERMINAL_IDLE_MINUTES * 60_000,
    maxAgeMs: env.ACADEMY_TERMINAL_MAX_MINUTES * 60_000,
    graceMs: env.ACADEMY_TERMINAL_GRACE_SECONDS * 1000,
    scrollbackBytes: SCROLLBACK_BYTES,
    maxPerUser: env.ACADEMY_TERMINAL_MAX_PER_USER,
    maxTotal: env.ACADEMY_TERMINAL_MAX_TOTAL,
    command: SHELL,
  };
}

/** The service as Academy runs it; tests and the benchmark override parts. */
export function terminalDeps(overrides: Partial<TerminalDeps> = {}): TerminalDeps {
  return {
    db: getDb,
    cluster: adminClient,
    siteUrl: env.NEXTAUTH_URL,
    secret: sessionSecret,
    settings: terminalSettings(),
    labNamespace,
    workspace: workspaceTarget,
    takeLimit: (db, userId) => takeUserLimit(db, "terminal", userId),
    ...overrides,
  };
}

const globalForTerminal = globalThis as unknown as { academyTerminal?: Promise<TerminalService | null> };

/**
 * Starts the service on 127.0.0.1:ACADEMY_TERMINAL_PORT, once per process. A port in use is
 * logged with what to do and leaves the rest of Academy running without terminals.
 */
export function startTerminalService(): Promise<TerminalService | null> {
  globalForTerminal.academyTerminal ??= (async () => {
    const service = createTerminalService(terminalDeps());
    try {
      await service.listen(env.ACADEMY_TERMINAL_PORT);
      return service;
    } catch (error) {
      console.error(
        `terminal: cannot listen on 127.0.0.1:${env.ACADEMY_TERMINAL_PORT} (${(error as Error).message}); lab terminals are off. ` +
          "Set ACADEMY_TERMINAL_PORT to a free port and restart Academy.",
      );
      return null;
    }
  })();
  return globalForTerminal.academyTerminal;
}
