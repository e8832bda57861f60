// Runs once per server process. Starts the sandbox upkeep loop (reconcile + reaper), the
// assessment deadline sweep and the lab
// terminal's service, and logs
// every unexpected server error with its digest, which the error page shows the user as a
// reference to quote.
import type { Instrumentation } from "next";

export async function register(): Promise<void> {
  // Only in the Node.js server, and not while `next build` prerenders pages.
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { startSandboxUpkeep } = await import("./lib/sandbox/upkeep");
  startSandboxUpkeep();
  // Assessment candidates whose time is up are submitted even if they never come back (decision 017).
  const [{ startAssessmentSweep }, { getDb }] = await Promise.all([import("./lib/assessments/candidate-session"), import("./lib/db")]);
  startAssessmentSweep(getDb);
  // The lab terminal's WebSocket service, in this process so it shares the database (decision 013).
  const { startTerminalService } = await import("./lib/terminal");
  await startTerminalService();
}

export const onRequestError: Instrumentation.onRequestError = async (error, request, context) => {
  const digest = typeof error === "object" && error && "digest" in error ? String(error.digest) : "-";
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  console.error(`request error digest=${digest} ${request.method} ${request.path} (${context.routeType} ${context.routePath}): ${message}`);
};
