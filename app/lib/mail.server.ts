// Outgoing mail: nodemailer over SMTP_URL, or the dev outbox table when no SMTP server is set.
import nodemailer, { type Transporter } from "nodemailer";
import type { DbExecutor } from "./db.server";
import { getEnv } from "./env.server";
import { newId } from "./ids.server";

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

let transporter: Transporter | undefined;

export async function sendMail(db: DbExecutor, mail: OutgoingMail): Promise<void> {
  const env = getEnv();
  if (env.SMTP_URL) {
    transporter ??= nodemailer.createTransport(env.SMTP_URL);
    await transporter.sendMail({ from: env.MAIL_FROM, to: mail.to, subject: mail.subject, text: mail.text });
    return;
  }
  await db
    .insertInto("mail_outbox")
    .values({ id: newId("mail"), to_address: mail.to, subject: mail.subject, text_body: mail.text, created_at: new Date().toISOString() })
    .execute();
  if (!env.isProduction && env.NODE_ENV !== "test") {
    console.info(`[dev outbox] to=${mail.to} subject=${JSON.stringify(mail.subject)}\n${mail.text}\n`);
  }
}

export async function listOutbox(db: DbExecutor, limit = 50) {
  return db.selectFrom("mail_outbox").selectAll().orderBy("created_at", "desc").limit(limit).execute();
}
