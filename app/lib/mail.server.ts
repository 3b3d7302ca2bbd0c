// Outgoing mail: nodemailer over SMTP_URL; without it (development and tests only) the dev outbox,
// a table whose subjects and bodies are sealed with APP_SECRET (they hold codes and reset links);
// or MAIL_TRANSPORT=log-redacted, which sends nothing and logs only the recipient.
import nodemailer, { type Transporter } from "nodemailer";
import { encryptSecret, tryDecryptSecret } from "./crypto.server";
import { ORGANIZATION_EMAIL_DOMAIN } from "./db-schema";
import type { DbExecutor } from "./db.server";
import { getEnv } from "./env.server";
import { newId } from "./ids.server";

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

export interface OutboxMail {
  id: string;
  to_address: string;
  subject: string;
  text_body: string;
  created_at: string;
}

const OUTBOX_SEAL = "mail-outbox";
let transporter: Transporter | undefined;

export function isOrganizationAddress(address: string): boolean {
  return address.trim().toLowerCase().endsWith(`@${ORGANIZATION_EMAIL_DOMAIN}`);
}

export async function sendMail(db: DbExecutor, mail: OutgoingMail): Promise<void> {
  // An organization's ledger row has a reserved, undeliverable address: its mail goes nowhere.
  if (isOrganizationAddress(mail.to)) return;
  const env = getEnv();
  if (env.mailTransport === "smtp" && env.SMTP_URL) {
    transporter ??= nodemailer.createTransport(env.SMTP_URL);
    await transporter.sendMail({ from: env.MAIL_FROM, to: mail.to, subject: mail.subject, text: mail.text });
    return;
  }
  if (env.mailTransport === "log-redacted") {
    console.info(`[mail not sent: MAIL_TRANSPORT=log-redacted] to=${mail.to} (subject and body withheld: they may hold a code or link)`);
    return;
  }
  await db
    .insertInto("mail_outbox")
    .values({
      id: newId("mail"),
      to_address: mail.to,
      subject: encryptSecret(mail.subject, OUTBOX_SEAL),
      text_body: encryptSecret(mail.text, OUTBOX_SEAL),
      created_at: new Date().toISOString(),
    })
    .execute();
  if (!env.isProduction && env.NODE_ENV !== "test") {
    console.info(`[dev outbox] to=${mail.to} subject=${JSON.stringify(mail.subject)}\n${mail.text}\n`);
  }
}

function openOutboxRow(row: OutboxMail): OutboxMail {
  const unreadable = "(sealed with another APP_SECRET)";
  return { ...row, subject: tryDecryptSecret(row.subject, OUTBOX_SEAL) ?? unreadable, text_body: tryDecryptSecret(row.text_body, OUTBOX_SEAL) ?? unreadable };
}

/** The newest outbox mail, opened (the dev outbox page and tests). */
export async function listOutbox(db: DbExecutor, limit = 50, to?: string): Promise<OutboxMail[]> {
  let query = db.selectFrom("mail_outbox").selectAll().orderBy("created_at", "desc").orderBy("id", "desc").limit(limit);
  if (to) query = query.where("to_address", "=", to);
  return (await query.execute()).map(openOutboxRow);
}
