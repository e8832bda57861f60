// Parses a pasted list of candidates, one a line: "Name, email", "Name <email>" (as mail clients
// copy addresses) or "Name\temail" (a spreadsheet column pair). Blank lines and a header line
// "name,email" are skipped. Pure, so the form and the server share it; the server decides.
import { CandidateSchema, type CandidateInput } from "./schema";

export const MAX_CANDIDATES_PER_PASTE = 5000;

export type LineProblem = { line: number; error: string };
export type CandidateLine = CandidateInput & { line: number };
/** On failure `candidates` still holds the good lines, so the server can report every problem at once. */
export type ParsedCandidateList = { ok: true; candidates: CandidateLine[] } | { ok: false; problems: LineProblem[]; candidates: CandidateLine[] };

const ANGLE = /^(.*?)\s*<([^<>]*)>\s*$/;

function splitLine(text: string): { name: string; email: string } | null {
  const angle = ANGLE.exec(text);
  if (angle) return { name: angle[1]!.replace(/^"|"$/g, "").trim(), email: angle[2]!.trim() };
  // The email is after the last separator, so a name may hold commas ("Lovelace, Ada, ada@…").
  const at = Math.max(text.lastIndexOf(","), text.lastIndexOf("\t"), text.lastIndexOf(";"));
  if (at < 0) return null;
  return { name: text.slice(0, at).replace(/^"|"$/g, "").trim(), email: text.slice(at + 1).trim() };
}

/** Every candidate, or every bad line with its number (1-based, as an editor counts). */
export function parseCandidateList(text: string): ParsedCandidateList {
  const lines = text.split(/\r\n|\n|\r/);
  const problems: LineProblem[] = [];
  const candidates: CandidateLine[] = [];
  const firstLineOf = new Map<string, number>();
  lines.forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (!trimmed) return;
    if (candidates.length === 0 && problems.length === 0 && /^"?name"?\s*[,;\t]\s*"?e-?mail"?$/i.test(trimmed)) return;
    const parts = splitLine(trimmed);
    if (!parts) {
      problems.push({ line, error: 'Write "Name, email" or "Name <email>".' });
      return;
    }
    const parsed = CandidateSchema.safeParse(parts);
    if (!parsed.success) {
      problems.push({ line, error: parsed.error.issues[0]!.message });
      return;
    }
    const earlier = firstLineOf.get(parsed.data.email);
    if (earlier !== undefined) {
      problems.push({ line, error: `${parsed.data.email} is already on line ${earlier}.` });
      return;
    }
    firstLineOf.set(parsed.data.email, line);
    candidates.push({ ...parsed.data, line });
  });
  if (candidates.length > MAX_CANDIDATES_PER_PASTE) {
    return {
      ok: false,
      candidates: [],
      problems: [{ line: candidates[MAX_CANDIDATES_PER_PASTE]!.line, error: `At most ${MAX_CANDIDATES_PER_PASTE} candidates at a time; paste the rest separately.` }],
    };
  }
  if (problems.length) return { ok: false, problems, candidates };
  if (candidates.length === 0) return { ok: false, candidates, problems: [{ line: 1, error: "The list is empty: paste one candidate a line." }] };
  return { ok: true, candidates };
}
