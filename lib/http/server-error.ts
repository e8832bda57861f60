// How a failure whose details a learner must not see is told: the details (file paths, cluster
// addresses, log lines, stack) go to the server log under a request id, and the person gets words
// they can act on plus that id to quote. Streams (ndjson.ts), the facade's cluster failures, the
// sandbox service and the health route all use it, so every such message reads the same.
// No Node-only imports: the request id comes from Web Crypto, and ndjson.ts runs in the browser too.

export type ServerErrorLog = (line: string, error: unknown) => void;

const consoleLog: ServerErrorLog = (line, error) => console.error(line, error);

export const SERVER_ERROR = "Something went wrong on the server; try again in a moment.";
export const CLUSTER_UNREACHABLE = "The lab cluster cannot be reached right now (your saved files are safe); try again in a few minutes.";

/** `situation`, then what to do if it lasts: quote `requestId`. */
export function withRequestId(situation: string, requestId: string): string {
  return `${situation} If it keeps happening, tell your instructor the request id ${requestId}.`;
}

export type Reported = { requestId: string; error: string };

/**
 * Logs `error` with everything it says under a new request id (`request <id>: <context>:`), and
 * returns the words for the person: `situation` and the id.
 */
export function reportServerError(
  situation: string,
  context: string,
  error: unknown,
  options: { requestId?: string; log?: ServerErrorLog } = {},
): Reported {
  const requestId = options.requestId ?? crypto.randomUUID();
  (options.log ?? consoleLog)(`request ${requestId}: ${context}:`, error);
  return { requestId, error: withRequestId(situation, requestId) };
}
