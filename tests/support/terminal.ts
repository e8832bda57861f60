// For the terminal's cluster test and `npm run bench:terminal`: a workspace pod like the one
// lib/workspace starts (pod `workspace`, container `shell`, the workspace image, restricted Pod
// Security, on the real node through the sandbox's placement), a resolver that creates it the way
// the workspace facade does, a next-auth session cookie for a user, and a terminal client that
// speaks lib/terminal/protocol.ts as the page does (it acks what it has "drawn").
import { encode } from "next-auth/jwt";
import WebSocket from "ws";
import type { Database } from "@/lib/db/client";
import { KubeApiError, type KubeClient, type KubeObject } from "@/lib/k8s/client";
import { failure, type Failure } from "@/lib/result";
import { ACK_EVERY_BYTES, parseServerMessage, terminalPath, type ServerMessage } from "@/lib/terminal/protocol";
import type { WorkspaceTarget } from "@/lib/terminal/server";
import { labNamespace, WORKSPACE_POD } from "@/lib/terminal/workspace";
import { eventually } from "./waiting";

export const WORKSPACE_IMAGE = "ghcr.io/academy-labs/workspace:1.0.0";

export function workspacePod(): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: WORKSPACE_POD.name, labels: { ...WORKSPACE_POD.componentLabel } },
    spec: {
      terminationGracePeriodSeconds: 1,
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } },
      containers: [
        {
          name: WORKSPACE_POD.container,
          image: WORKSPACE_IMAGE,
          command: ["sleep", "infinity"],
          workingDir: "/home/learner",
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
          resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
          volumeMounts: [
            { name: "home", mountPath: "/home/learner" },
            { name: "tmp", mountPath: "/tmp" },
          ],
        },
      ],
      volumes: [
        { name: "home", emptyDir: { sizeLimit: "64Mi" } },
        { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
      ],
    },
  };
}

/** Creates the namespace's workspace pod (if missing) and waits until it runs; true when it created it. */
export async function ensureWorkspacePod(admin: KubeClient, namespace: string, timeoutMs = 120_000): Promise<boolean> {
  const existing = await admin.get({ apiVersion: "v1", kind: "Pod", name: WORKSPACE_POD.name, namespace });
  if (!existing) await admin.apply({ ...workspacePod(), metadata: { ...workspacePod().metadata, namespace } });
  await eventually(
    `the workspace pod in ${namespace} to run`,
    async () => {
      const pod = await admin.get<KubeObject & { status?: { phase?: string } }>({ apiVersion: "v1", kind: "Pod", name: WORKSPACE_POD.name, namespace });
      if (pod?.status?.phase === "Failed") throw new Error(`the workspace pod failed: ${JSON.stringify(pod.status)}`);
      return pod?.status?.phase === "Running" ? true : undefined;
    },
    timeoutMs,
  );
  return !existing;
}

/**
 * A resolver with the workspace facade's shape: the user's lab environment, then its running
 * workspace pod. `onStarted` gets the time from asking to Running for each pod it created.
 */
export function creatingWorkspace(admin: KubeClient, onStarted?: (ms: number) => void) {
  return async (db: Database, user: { id: string }, labId: string): Promise<WorkspaceTarget | Failure> => {
    const lab = await labNamespace(db, user, labId);
    if (!lab.ok) return lab;
    const began = performance.now();
    let created: boolean;
    try {
      created = await ensureWorkspacePod(admin, lab.namespace);
    } catch (error) {
      if (error instanceof KubeApiError) return failure("no-workspace", `The workspace could not be created: ${error.apiMessage}`);
      throw error;
    }
    if (created) onStarted?.(performance.now() - began);
    return { ok: true, namespace: lab.namespace, pod: WORKSPACE_POD.name, container: WORKSPACE_POD.container };
  };
}

/** The Cookie header of a signed-in user, as next-auth would set it. */
export async function sessionCookie(userId: string, secret: string, sessionVersion = 0): Promise<string> {
  const token = await encode({ token: { uid: userId, sv: sessionVersion, sub: userId }, secret });
  return `next-auth.session-token=${token}`;
}

export type Refused = { refused: true; status: number; error: string };

export class TestTerminal {
  readonly messages: ServerMessage[] = [];
  private chunks: Buffer[] = [];
  /** Absolute offset of the next output byte (what this client "has"). */
  offset = 0;
  private acked = 0;
  session: string | null = null;
  closed: { code: number; reason: string } | null = null;
  /** Set false to stop acking (a page that cannot keep up). */
  acking = true;

  constructor(readonly socket: WebSocket) {
    socket.on("message", (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        this.chunks.push(data);
        this.offset += data.length;
        if (this.acking && this.offset - this.acked >= ACK_EVERY_BYTES) this.ack();
        return;
      }
      const message = parseServerMessage(data.toString("utf8"));
      if (!message) return;
      this.messages.push(message);
      if (message.type === "ready") {
        this.session = message.session;
        this.offset = message.offset;
        this.acked = message.offset;
      }
    });
    socket.on("close", (code, reason) => (this.closed = { code, reason: reason.toString() }));
  }

  ack(): void {
    this.acked = this.offset;
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ type: "ack", offset: this.offset }));
  }

  get text(): string {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]?.toString("utf8") ?? "";
  }

  type(text: string): void {
    this.socket.send(Buffer.from(text, "utf8"), { binary: true });
  }

  resize(cols: number, rows: number): void {
    this.socket.send(JSON.stringify({ type: "resize", cols, rows }));
  }

  async until(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    try {
      return await eventually(`terminal output matching ${pattern}`, async () => this.text.match(pattern) ?? undefined, timeoutMs);
    } catch (error) {
      throw new Error(`${(error as Error).message}; the output ends ${JSON.stringify(this.text.slice(-400))}`);
    }
  }

  async closedMessage(timeoutMs = 30_000): Promise<Extract<ServerMessage, { type: "closed" }>> {
    return eventually("a closed message", async () => this.messages.find((m): m is Extract<ServerMessage, { type: "closed" }> => m.type === "closed"), timeoutMs);
  }
}

/** Opens a terminal socket like the page does; a refused upgrade comes back with its status and reason. */
export function openTerminal(
  base: string,
  options: { labId: string; cookie?: string; origin?: string; session?: string | null; offset?: number; cols?: number; rows?: number },
): Promise<TestTerminal | Refused> {
  const url = `${base.replace(/^http/, "ws")}${terminalPath({ labId: options.labId, session: options.session ?? null, offset: options.offset ?? 0, cols: options.cols ?? 80, rows: options.rows ?? 24 })}`;
  const headers: Record<string, string> = {};
  if (options.cookie) headers.cookie = options.cookie;
  if (options.origin) headers.origin = options.origin;
  const socket = new WebSocket(url, { headers });
  const terminal = new TestTerminal(socket);
  return new Promise((resolve, reject) => {
    socket.once("open", () => resolve(terminal));
    socket.once("unexpected-response", (_request, response) => {
      let body = "";
      response.on("data", (d: Buffer) => (body += d.toString()));
      response.on("end", () => resolve({ refused: true, status: response.statusCode ?? 0, error: (JSON.parse(body) as { error: string }).error }));
    });
    socket.once("error", reject);
  });
}

export function isRefused(value: TestTerminal | Refused): value is Refused {
  return "refused" in value;
}

/** Opens a terminal that must be accepted and waits until its shell is ready. */
export async function openReady(base: string, options: Parameters<typeof openTerminal>[1], timeoutMs = 150_000): Promise<TestTerminal> {
  const terminal = await openTerminal(base, options);
  if (isRefused(terminal)) throw new Error(`the terminal was refused (${terminal.status}): ${terminal.error}`);
  await eventually(
    "the terminal to be ready",
    async () => {
      const closed = terminal.messages.find((m) => m.type === "closed");
      if (closed) throw new Error(`the terminal closed: ${JSON.stringify(closed)}`);
      return terminal.session ?? undefined;
    },
    timeoutMs,
  );
  return terminal;
}
