// Invite emails through the SMTP server in SMTP_URL (optional: without it reviewers copy or
// download the links). Plain text only, so nothing a reviewer typed is ever rendered as HTML in a
// candidate's mail client; names and titles are single lines (schema.ts), so no header can be forged.
import "server-only";
import nodemailer from "nodemailer";
import { env } from "@/lib/env";

export type MailSettings = { url: string; from: string };

/** The configured SMTP server, or null when email is off. */
export function mailSettings(): MailSettings | null {
  return env.SMTP_URL && env.SMTP_FROM ? { url: env.SMTP_URL, from: env.SMTP_FROM } : null;
}

export type InviteEmail = { name: string; email: string; link: string; expiresAt: Date };
export type InviteEmailContext = { assessmentTitle: string; organisationName: string; timeLimitMinutes: number };
export type SendReport = { sent: string[]; failed: Array<{ email: string; error: string }> };

export function inviteEmailText(invite: InviteEmail, context: InviteEmailContext): string {
  return [
    `Hello ${invite.name},`,
    "",
    `${context.organisationName} invites you to the assessment "${context.assessmentTitle}" on Academy.`,
    `It is timed: you have ${context.timeLimitMinutes} minutes from the moment you press Start, so open the link when you have that time.`,
    "",
    "Your personal link (it works once, for you only; do not forward it):",
    invite.link,
    "",
    `The link expires on ${invite.expiresAt.toUTCString()}.`,
    "",
    "If you did not expect this email, you can ignore it.",
  ].join("\n");
}

/**
 * nodemailer reads a connection URL's query as options and ignores options passed beside a URL,
 * so the pool and its timeouts go into the query, unless SMTP_URL sets them itself.
 */
function withPoolDefaults(url: string): string {
  const parsed = new URL(url);
  const defaults = { pool: "true", maxConnections: "3", connectionTimeout: "10000", greetingTimeout: "10000", socketTimeout: "30000" };
  for (const [key, value] of Object.entries(defaults)) if (!parsed.searchParams.has(key)) parsed.searchParams.set(key, value);
  return parsed.toString();
}

/** Sends each invite by itself, a few at a time over one pooled connection; one failure does not stop the rest. */
export async function sendInviteEmails(settings: MailSettings, invites: readonly InviteEmail[], context: InviteEmailContext): Promise<SendReport> {
  const transport = nodemailer.createTransport(withPoolDefaults(settings.url));
  const report: SendReport = { sent: [], failed: [] };
  try {
    let next = 0;
    const worker = async () => {
      while (next < invites.length) {
        const invite = invites[next++]!;
        try {
          await transport.sendMail({
            from: settings.from,
            to: { name: invite.name, address: invite.email },
            subject: `Your assessment: ${context.assessmentTitle}`,
            text: inviteEmailText(invite, context),
          });
          report.sent.push(invite.email);
        } catch (error) {
          report.failed.push({ email: invite.email, error: error instanceof Error ? error.message : String(error) });
        }
      }
    };
    await Promise.all([worker(), worker(), worker()]);
  } finally {
    transport.close();
  }
  return report;
}
