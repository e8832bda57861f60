// The CSV of freshly made invite links (name,email,link,expires). Pure: the invites page builds it
// in the browser from the links the create action returned, because the raw tokens are never
// stored and cannot be listed again later (docs/decisions/017-assessments.md).

export type InviteLinkRow = { name: string; email: string; link: string; expiresAt: string };

/**
 * One CSV field: quoted when it holds a quote, comma or line break; a leading =, +, - or @ gets a
 * quote mark in front so a spreadsheet shows a pasted name instead of running it as a formula.
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function inviteLinksCsv(rows: readonly InviteLinkRow[]): string {
  const lines = [["name", "email", "link", "expires"], ...rows.map((r) => [r.name, r.email, r.link, r.expiresAt])];
  return lines.map((cells) => cells.map(csvField).join(",")).join("\r\n") + "\r\n";
}
