// Support tickets: the Help page's contact form opens one; agents take it, answer by e-mail in the
// person's language (each reply kept on the ticket) and close it. Every agent action is audited.
//
// Signed-out visitors may write too (a locked-out developer needs help most), giving an address:
// such a ticket is tied to no account, because an address typed into a form proves nothing, and
// gets no automatic acknowledgement, so the form cannot be used to send mail to strangers.
import { z } from "zod";
import type { Role, TicketStatus } from "~/lib/db-schema";
import type { Db, DbExecutor } from "~/lib/db.server";
import { newId } from "~/lib/ids.server";
import { isLocale, type Locale } from "~/lib/i18n";
import { translator } from "~/lib/i18n.server";
import { errorFields, log } from "~/lib/logger.server";
import { sendMail } from "~/lib/mail.server";
import { hitRateLimits, type RateLimitRule } from "~/lib/rate-limit.server";
import { hasRole } from "~/lib/roles";
import { TICKET_TOPIC_CHOICES } from "~/lib/ticket-topics";
import { emailField } from "./account-schemas.server";
import { appUrl } from "./accounts.server";
import { recordAudit } from "./audit.server";

export const TICKET_TOPICS = TICKET_TOPIC_CHOICES;
import { TICKET_FILTERS, type TicketFilter } from "./ticket-filters";

export { TICKET_FILTERS, type TicketFilter };
export const TICKETS_PER_PAGE = 20;

/** Where every "contact support" points. */
export const HELP_CONTACT_PATH = "/help#contact";

export const TICKET_RATE_LIMITS = {
  perIp: { name: "ticket-ip", limit: 10, windowSeconds: 60 * 60 },
  perSender: { name: "ticket-sender", limit: 5, windowSeconds: 60 * 60 },
} satisfies Record<string, RateLimitRule>;

const ticketFields = {
  topic: z.enum(TICKET_TOPICS, { errorMap: () => ({ message: "help.errors.topicInvalid" }) }),
  subject: z.string({ required_error: "help.errors.subjectRequired" }).trim().min(3, "help.errors.subjectRequired").max(120, "help.errors.subjectRequired"),
  message: z.string({ required_error: "help.errors.messageRequired" }).trim().min(10, "help.errors.messageRequired").max(5000, "help.errors.messageRequired"),
};
/** The form as a signed-in developer sends it: the address is the account's. */
export const accountTicketSchema = z.object(ticketFields);
/** The form as a signed-out visitor sends it. */
export const visitorTicketSchema = z.object({ ...ticketFields, email: emailField });
export const replySchema = z.object({
  message: z.string({ required_error: "help.errors.replyRequired" }).trim().min(1, "help.errors.replyRequired").max(5000, "help.errors.replyRequired"),
});

export type TicketInput = z.infer<typeof accountTicketSchema>;

export interface TicketSender {
  /** The signed-in account, or null for a visitor. */
  account: { id: string; email: string; locale: string } | null;
  /** The visitor's address (ignored for an account). */
  email?: string;
  locale: Locale;
  ip: string | null;
}

export interface TicketSummary {
  id: string;
  accountId: string | null;
  email: string;
  locale: string;
  topic: string;
  subject: string;
  status: TicketStatus;
  assigneeId: string | null;
  assigneeEmail: string | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface TicketMessage {
  id: string;
  direction: "in" | "out";
  authorId: string | null;
  authorEmail: string | null;
  body: string;
  createdAt: string;
}

export type TicketFailure = "not_found" | "forbidden" | "closed" | "already_assigned" | "already_closed" | "mail_failed";
export type TicketActionResult = { ok: true } | { ok: false; reason: TicketFailure };
export type OpenTicketResult = { ok: true; ticketId: string } | { ok: false; reason: "rate_limited"; retryAfterSeconds: number };

export interface TicketActor {
  id: string;
  role: Role;
  ip?: string | null;
}

function summaryQuery(db: DbExecutor) {
  return db
    .selectFrom("support_tickets as t")
    .leftJoin("users as assignee", "assignee.id", "t.assignee_id")
    .select([
      "t.id",
      "t.account_id as accountId",
      "t.email",
      "t.locale",
      "t.topic",
      "t.subject",
      "t.status",
      "t.assignee_id as assigneeId",
      "assignee.email as assigneeEmail",
      "t.created_at as createdAt",
      "t.updated_at as updatedAt",
      "t.closed_at as closedAt",
    ]);
}

export async function openTicket(db: Db, sender: TicketSender, input: TicketInput, now: Date = new Date()): Promise<OpenTicketResult> {
  const email = sender.account?.email ?? sender.email ?? "";
  const limit = await hitRateLimits(db, [[TICKET_RATE_LIMITS.perIp, sender.ip], [TICKET_RATE_LIMITS.perSender, sender.account?.id ?? email]], now);
  if (!limit.allowed) return { ok: false, reason: "rate_limited", retryAfterSeconds: limit.retryAfterSeconds };
  const iso = now.toISOString();
  const ticketId = newId("tkt");
  const locale = sender.account && isLocale(sender.account.locale) ? sender.account.locale : sender.locale;
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto("support_tickets")
      .values({ id: ticketId, account_id: sender.account?.id ?? null, email, locale, topic: input.topic, subject: input.subject, status: "open", assignee_id: null, closed_at: null, created_at: iso, updated_at: iso })
      .execute();
    await trx
      .insertInto("support_ticket_messages")
      .values({ id: newId("tmsg"), ticket_id: ticketId, author_id: sender.account?.id ?? null, direction: "in", body: input.message, created_at: iso })
      .execute();
    await recordAudit(trx, { actorId: sender.account?.id ?? null, action: "ticket.open", targetType: "ticket", targetId: ticketId, details: { topic: input.topic, signedIn: sender.account !== null }, ip: sender.ip }, now);
  });
  if (sender.account) {
    const t = translator(locale);
    const values = { id: ticketId, subject: input.subject, message: input.message, url: appUrl(HELP_CONTACT_PATH) };
    try {
      await sendMail(db, { to: email, subject: t("help.mail.received.subject", values), text: t("help.mail.received.body", values) });
    } catch (error) {
      // The ticket is saved and agents see it; a lost acknowledgement must not look like a lost request.
      log.error({ ticketId, ...errorFields(error) }, "ticket acknowledgement mail failed");
    }
  }
  return { ok: true, ticketId };
}

export async function listTickets(
  db: DbExecutor,
  query: { filter: TicketFilter; viewerId: string; page: number },
): Promise<{ tickets: TicketSummary[]; hasMore: boolean }> {
  let select = summaryQuery(db);
  if (query.filter === "open") select = select.where("t.status", "<>", "closed");
  if (query.filter === "mine") select = select.where("t.assignee_id", "=", query.viewerId).where("t.status", "<>", "closed");
  if (query.filter === "closed") select = select.where("t.status", "=", "closed");
  const rows = await select
    .orderBy("t.updated_at", query.filter === "closed" ? "desc" : "asc")
    .orderBy("t.id")
    .limit(TICKETS_PER_PAGE + 1)
    .offset((Math.max(1, query.page) - 1) * TICKETS_PER_PAGE)
    .execute();
  return { tickets: rows.slice(0, TICKETS_PER_PAGE) as TicketSummary[], hasMore: rows.length > TICKETS_PER_PAGE };
}

export async function listAccountTickets(db: DbExecutor, accountId: string, limit = 50): Promise<TicketSummary[]> {
  return (await summaryQuery(db).where("t.account_id", "=", accountId).orderBy("t.created_at", "desc").orderBy("t.id").limit(limit).execute()) as TicketSummary[];
}

export async function getTicket(db: DbExecutor, ticketId: string): Promise<{ ticket: TicketSummary; messages: TicketMessage[] } | null> {
  const ticket = await summaryQuery(db).where("t.id", "=", ticketId).executeTakeFirst();
  if (!ticket) return null;
  const messages = await db
    .selectFrom("support_ticket_messages as m")
    .leftJoin("users as author", "author.id", "m.author_id")
    .select(["m.id", "m.direction", "m.author_id as authorId", "author.email as authorEmail", "m.body", "m.created_at as createdAt"])
    .where("m.ticket_id", "=", ticketId)
    .orderBy("m.created_at")
    .orderBy("m.id")
    .execute();
  return { ticket: ticket as TicketSummary, messages };
}

async function lockTicket(trx: DbExecutor, ticketId: string) {
  return trx
    .selectFrom("support_tickets as t")
    .leftJoin("users as u", "u.id", "t.account_id")
    .select(["t.id", "t.status", "t.assignee_id", "t.email", "t.locale", "t.subject", "u.locale as accountLocale"])
    .where("t.id", "=", ticketId)
    .executeTakeFirst();
}

/** The person's language now: an account's current choice, else the one the visitor wrote in. */
function replyLocale(ticket: { locale: string; accountLocale: string | null }): Locale {
  if (isLocale(ticket.accountLocale)) return ticket.accountLocale;
  return isLocale(ticket.locale) ? ticket.locale : "en";
}

export async function assignTicket(db: Db, actor: TicketActor, ticketId: string, now: Date = new Date()): Promise<TicketActionResult> {
  if (!hasRole(actor.role, "support")) return { ok: false, reason: "forbidden" };
  return db.transaction().execute(async (trx) => {
    const ticket = await lockTicket(trx, ticketId);
    if (!ticket) return { ok: false, reason: "not_found" } as const;
    if (ticket.status === "closed") return { ok: false, reason: "closed" } as const;
    if (ticket.assignee_id === actor.id) return { ok: false, reason: "already_assigned" } as const;
    const iso = now.toISOString();
    // Conditional on what was read: two agents taking the same ticket at once, one wins.
    const moved = await trx
      .updateTable("support_tickets")
      .set({ status: "assigned", assignee_id: actor.id, updated_at: iso })
      .where("id", "=", ticketId)
      .where("status", "=", ticket.status)
      .where((eb) => (ticket.assignee_id === null ? eb("assignee_id", "is", null) : eb("assignee_id", "=", ticket.assignee_id)))
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) === 0) return { ok: false, reason: "already_assigned" } as const;
    await recordAudit(trx, { actorId: actor.id, action: "ticket.assign", targetType: "ticket", targetId: ticketId, details: { from: ticket.assignee_id }, ip: actor.ip }, now);
    return { ok: true } as const;
  });
}

/** Stores the reply on the ticket and e-mails it in the person's language, in one transaction. */
export async function replyToTicket(db: Db, actor: TicketActor, ticketId: string, message: string, now: Date = new Date()): Promise<TicketActionResult> {
  if (!hasRole(actor.role, "support")) return { ok: false, reason: "forbidden" };
  try {
    return await db.transaction().execute(async (trx) => {
      const ticket = await lockTicket(trx, ticketId);
      if (!ticket) return { ok: false, reason: "not_found" } as const;
      if (ticket.status === "closed") return { ok: false, reason: "closed" } as const;
      const iso = now.toISOString();
      const messageId = newId("tmsg");
      await trx.insertInto("support_ticket_messages").values({ id: messageId, ticket_id: ticketId, author_id: actor.id, direction: "out", body: message, created_at: iso }).execute();
      await trx
        .updateTable("support_tickets")
        .set({ status: "assigned", assignee_id: ticket.assignee_id ?? actor.id, updated_at: iso })
        .where("id", "=", ticketId)
        .execute();
      const locale = replyLocale(ticket);
      await recordAudit(trx, { actorId: actor.id, action: "ticket.reply", targetType: "ticket", targetId: ticketId, details: { messageId, locale }, ip: actor.ip }, now);
      const t = translator(locale);
      const values = { id: ticketId, subject: ticket.subject, message, url: appUrl(HELP_CONTACT_PATH) };
      try {
        await sendMail(trx, { to: ticket.email, subject: t("help.mail.reply.subject", values), text: t("help.mail.reply.body", values) });
      } catch (error) {
        throw new ReplyMailFailure(error);
      }
      return { ok: true } as const;
    });
  } catch (error) {
    // A reply that could not be sent is not kept: the agent sees the failure and tries again.
    if (!(error instanceof ReplyMailFailure)) throw error;
    log.error({ ticketId, ...errorFields(error.cause) }, "ticket reply mail failed");
    return { ok: false, reason: "mail_failed" };
  }
}

class ReplyMailFailure extends Error {
  constructor(cause: unknown) {
    super("reply mail failed", { cause });
  }
}

export async function closeTicket(db: Db, actor: TicketActor, ticketId: string, now: Date = new Date()): Promise<TicketActionResult> {
  if (!hasRole(actor.role, "support")) return { ok: false, reason: "forbidden" };
  const closed = await db.transaction().execute(async (trx) => {
    const ticket = await lockTicket(trx, ticketId);
    if (!ticket) return { ok: false, reason: "not_found" } as const;
    if (ticket.status === "closed") return { ok: false, reason: "already_closed" } as const;
    const iso = now.toISOString();
    await trx
      .updateTable("support_tickets")
      .set({ status: "closed", closed_at: iso, updated_at: iso, assignee_id: ticket.assignee_id ?? actor.id })
      .where("id", "=", ticketId)
      .where("status", "<>", "closed")
      .execute();
    await recordAudit(trx, { actorId: actor.id, action: "ticket.close", targetType: "ticket", targetId: ticketId, ip: actor.ip }, now);
    return { ok: true, ticket } as const;
  });
  if (!closed.ok) return closed;
  const t = translator(replyLocale(closed.ticket));
  const values = { id: ticketId, subject: closed.ticket.subject, url: appUrl(HELP_CONTACT_PATH) };
  try {
    await sendMail(db, { to: closed.ticket.email, subject: t("help.mail.closed.subject", values), text: t("help.mail.closed.body", values) });
  } catch (error) {
    log.error({ ticketId, ...errorFields(error) }, "ticket closed mail failed");
  }
  return { ok: true };
}
