// How a `console` code block reads: lines starting with `$ ` are commands (a command ending in `\`
// continues on the next line); everything else is output. Shared by the server-side renderer,
// which styles the two apart, content:check, and the browser's Copy and "Run in terminal"
// buttons, which take only the commands.

export type ConsoleLine = { kind: "command" | "output"; text: string };

const PROMPT = "$ ";

export function consoleLines(transcript: string): ConsoleLine[] {
  const lines = transcript.replace(/\n$/, "").split("\n");
  const result: ConsoleLine[] = [];
  let continues = false;
  for (const line of lines) {
    if (line.startsWith(PROMPT) || continues) {
      result.push({ kind: "command", text: line });
      continues = line.trimEnd().endsWith("\\");
    } else {
      result.push({ kind: "output", text: line });
    }
  }
  return result;
}

/** The commands of a transcript without their `$ ` prompts, ready to paste into a shell. */
export function consoleCommands(transcript: string): string {
  return consoleLines(transcript)
    .filter((line) => line.kind === "command")
    .map((line) => (line.text.startsWith(PROMPT) ? line.text.slice(PROMPT.length) : line.text))
    .join("\n");
}

/** What a code block's Copy and "Run in terminal" buttons take: a transcript's commands, else the code. */
export function commandsOf(language: string | null | undefined, code: string): string {
  const text = code.replace(/\n$/, "");
  return language === "console" ? consoleCommands(text) : text;
}
