// The one error type of the local-cluster tooling. Its callers are command-line entry points and
// test set-up, where a failure ends the command with the message, so it is thrown rather than
// returned; the message names the component and ends with the tail of its log.
import fs from "node:fs";

export class LocalClusterError extends Error {
  constructor(
    message: string,
    readonly component?: string,
    readonly logFile?: string,
  ) {
    super(message);
    this.name = "LocalClusterError";
  }
}

/** The last lines of a log file, or a note that there is none yet. */
export function tail(file: string, lines = 25): string {
  try {
    const text = fs.readFileSync(file, "utf8");
    return text.trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log yet)";
  }
}

export function componentError(component: string, logFile: string, what: string): LocalClusterError {
  return new LocalClusterError(
    `${component} ${what}\nlog: ${logFile}\n--- last lines of ${logFile} ---\n${tail(logFile)}`,
    component,
    logFile,
  );
}
