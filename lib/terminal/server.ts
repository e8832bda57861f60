// The terminal service: an HTTP server on a loopback port that takes the lab terminal's WebSocket
// upgrade (proxy.ts rewrites /api/terminal/* to it, so the browser stays on the site's origin;
// decision 013). Before upgrading it refuses, with a status and a reason: a foreign Origin, no
// valid session (the next-auth cookie, checked by lib/auth as the app checks it), too many
// connection attempts, someone else's terminal session, a lab without a running lab environment
// of this user's, and the per-user and per-server terminal limits. After upgrading it starts
// the workspace (which may take a while, shown as "starting your workspace…") and opens the
// exec as the learner's service account, so Kubernetes RBAC decides as well.
// A plain GET on the same address answers the same checks as JSON: a browser cannot read the
// status of a refused upgrade, so the page asks this to say why.
import "server-only";
import http from "node:http";
import type { Duplex } from "node:stream";
import WebSocket, { WebSocketServer } from "ws";
import { userFromSessionCookie } from "@/lib/auth/session-token";
import type { UserDTO } from "@/lib/auth/users";
import type { Database } from "@/lib/db/client";
import { learnerClient, type KubeClient } from "@/lib/k8s/client";
import type { RateLimited } from "@/lib/rate-limit/limits";
import type { Failure } from "@/lib/result";
import { openExec, type ExecTarget } from "./exec";
import { MAX_FRAME_BYTES, parseConnectRequest, type ConnectRequest } from "./protocol";
import { TerminalSession, closingMessage, sendJson, type SessionSettings } from "./session";

export type TerminalSettings = SessionSettings & {
  maxPerUser: number;
  maxTotal: number;
  /** The shell to run in the workspace container. */
  command: readonly string[];
};

export type WorkspaceTarget = { ok: true } & ExecTarget;

export type TerminalDeps = {
  db: () => Promise<Database>;
  /** The platform's own client; the exec impersonates the learner through it. */
  cluster: () => KubeClient;
  /** The site's public URL (NEXTAUTH_URL): its origin is the only one accepted. */
  siteUrl: string;
  /** The next-auth secret. */
  secret: () => string;
  settings: TerminalSettings;
  /** The user's running lab environment for the lab (the server's ownership check), before the upgrade. */
  labNamespace: (db: Database, user: UserDTO, labId: string) => Promise<{ ok: true; namespace: string } | Failure>;
  /** Makes sure the user's workspace pod for the lab runs and names it; may take a while. */
  /** Starts the workspace pod when needed; `onProgress` gets words for the terminal's status line. */
  workspace: (db: Database, user: UserDTO, labId: string, onProgress?: (message: string) => void) => Promise<WorkspaceTarget | Failure>;
  /** Counts a connection against the user's rate limit. */
  takeLimit: (db: Database, userId: string) => Promise<{ ok: true } | RateLimited>;
};

export type Refusal = { ok: false; status: number; error: string; headers?: Record<string, string> };

export type Admitted = { ok: true; user: UserDTO; request: ConnectRequest; db: Database; namespace: string; resume: TerminalSession | null };

export type TerminalService = {
  readonly server: http.Server;
  listen(port: number, host?: string): Promise<number>;
  /** Ends every session (telling each browser) and stops listening. */
  close(): Promise<void>;
  sessionCount(): number;
};

function refuse(status: number, error: string, headers?: Record<string, string>): Refusal {
  return { ok: false, status, error, headers };
}

const STATUS_TEXT: Record<number, string> = { 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 429: "Too Many Requests", 503: "Service Unavailable" };

/** Writes a refusal on a socket that was asking to upgrade, and closes it. */
function refuseUpgrade(socket: Duplex, refusal: Refusal): void {
  const body = JSON.stringify({ error: refusal.error });
  const headers = { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(body)), Connection: "close", ...refusal.headers };
  socket.end(`HTTP/1.1 ${refusal.status} ${STATUS_TEXT[refusal.status] ?? "Refused"}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join("\r\n")}\r\n\r\n${body}`);
}

export function createTerminalService(deps: TerminalDeps): TerminalService {
  const sessions = new Map<string, TerminalSession>();
  /** New sessions admitted but still starting, per user, so the limits hold while they start. */
  const starting = new Map<string, number>();
  const siteOrigin = new URL(deps.siteUrl).origin;
  let closing = false;

  const userCount = (userId: string) => [...sessions.values()].filter((s) => s.userId === userId).length + (starting.get(userId) ?? 0);
  const totalCount = () => sessions.size + [...starting.values()].reduce((a, b) => a + b, 0);

  /** Every check before the upgrade, in order; the first that fails is the answer. */
  async function admit(req: http.IncomingMessage, options: { checkOrigin: boolean }): Promise<Admitted | Refusal> {
    if (closing) return refuse(503, "The terminal service is stopping; try again in a moment.");
    const request = parseConnectRequest(req.url ?? "");
    if ("error" in request) return refuse(400, `This is not a terminal address: ${request.error}.`);
    if (options.checkOrigin && req.headers.origin !== siteOrigin) {
      return refuse(403, `The terminal accepts connections only from pages of ${siteOrigin}${req.headers.origin ? `, not ${req.headers.origin}` : " (the request named no Origin)"}.`);
    }
    const db = await deps.db();
    const user = await userFromSessionCookie(db, req.headers.cookie, { secret: deps.secret(), siteUrl: deps.siteUrl });
    if (!user) return refuse(401, "You are not signed in (or your session ended). Sign in again, then reopen the terminal.");
    const limited = await deps.takeLimit(db, user.id);
    if (!limited.ok) return refuse(429, limited.error, { "Retry-After": String(limited.retryAfterSeconds) });
    let resume: TerminalSession | null = null;
    if (request.session) {
      const found = sessions.get(request.session);
      if (found && (found.userId !== user.id || found.labId !== request.labId)) return refuse(403, "That terminal session is not yours.");
      resume = found ?? null;
    }
    const lab = await deps.labNamespace(db, user, request.labId);
    if (!lab.ok) return refuse(lab.code === "cluster-unreachable" ? 503 : 403, lab.error);
    if (!resume) {
      if (userCount(user.id) >= deps.settings.maxPerUser) {
        return refuse(429, `You have ${deps.settings.maxPerUser} terminals open already. Close one (a closed tab's terminal is kept for ${Math.round(deps.settings.graceMs / 1000)} s), then try again.`);
      }
      if (totalCount() >= deps.settings.maxTotal) return refuse(503, "Every terminal on this server is in use. Try again in a few minutes.");
    }
    return { ok: true, user, request, db, namespace: lab.namespace, resume };
  }

  async function startSession(socket: WebSocket, admitted: Admitted): Promise<void> {
    const { user, request, db } = admitted;
    starting.set(user.id, (starting.get(user.id) ?? 0) + 1);
    let closedEarly = false;
    socket.once("close", () => (closedEarly = true));
    const fail = (reason: "workspace" | "refused", message: string) => {
      sendJson(socket, { type: "closed", reason, message });
      socket.close(1000, reason);
    };
    try {
      sendJson(socket, { type: "status", state: "starting", message: "starting your workspace…" });
      const target = await deps.workspace(db, user, request.labId, (message) => {
        if (!closedEarly) sendJson(socket, { type: "status", state: "starting", message });
      });
      if (!target.ok) return fail("workspace", target.error);
      // The workspace must be in the namespace the ownership check found: the user's own.
      if (target.namespace !== admitted.namespace) return fail("refused", "The workspace is not in your lab environment.");
      const cluster = learnerClient(deps.cluster(), target.namespace);
      const opened = await openExec(cluster, target, { command: deps.settings.command, tty: true, cols: request.cols, rows: request.rows, maxPayload: 4 * MAX_FRAME_BYTES });
      if (!opened.ok) return fail(opened.code === "exec-refused" ? "refused" : "workspace", opened.error);
      if (closedEarly || closing) {
        opened.stream.close();
        return;
      }
      const session = new TerminalSession(user.id, request.labId, opened.stream, deps.settings, (ended) => sessions.delete(ended.id));
      sessions.set(session.id, session);
      session.attach(socket, 0);
    } catch (error) {
      console.error(`terminal: starting a session for lab ${request.labId} failed:`, error);
      fail("workspace", "The terminal could not start because of an error on the server; press Reconnect to try again.");
    } finally {
      const left = (starting.get(user.id) ?? 1) - 1;
      if (left > 0) starting.set(user.id, left);
      else starting.delete(user.id);
    }
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });

  const server = http.createServer((req, res) => {
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store", ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.method !== "GET") return reply(405, { error: "The terminal address takes a WebSocket or a GET." });
    // A GET is what the page asks after a refused upgrade. It is answered to this origin only
    // (no CORS headers), so the Origin check is left to the browser here.
    admit(req, { checkOrigin: false })
      .then((result) => (result.ok ? reply(200, { ok: true }) : reply(result.status, { error: result.error }, result.headers)))
      .catch((error: unknown) => {
        console.error("terminal: checking a request failed:", error);
        reply(500, { error: "The terminal could not check your request because of an error on the server." });
      });
  });

  server.on("upgrade", (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    admit(req, { checkOrigin: true })
      .then((result) => {
        if (!result.ok) return refuseUpgrade(socket, result);
        wss.handleUpgrade(req, socket, head, (ws) => {
          if (result.resume) result.resume.attach(ws, result.request.offset);
          else void startSession(ws, result);
        });
      })
      .catch((error: unknown) => {
        console.error("terminal: checking an upgrade failed:", error);
        refuseUpgrade(socket, refuse(503, "The terminal could not check your request because of an error on the server."));
      });
  });

  return {
    server,
    listen(port, host = "127.0.0.1") {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve((server.address() as { port: number }).port);
        });
      });
    },
    async close() {
      closing = true;
      for (const session of [...sessions.values()]) session.end("server", closingMessage("server", deps.settings));
      for (const client of wss.clients) client.terminate();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
    sessionCount: () => sessions.size,
  };
}
