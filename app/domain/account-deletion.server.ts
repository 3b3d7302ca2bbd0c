// Deleting an account: the developer asks (password re-entered), staff carry it out. The account
// is pseudonymised, not removed: its e-mail address, password, evidence file names, key names,
// sign-in addresses, second factors and support messages are gone, keys revoked and sessions
// ended, while the ledger keeps every entry under the account id (balances and ledger:verify
// unchanged), and the audit log keeps who did what. Evidence hashes and org ids stay too: they
// stop the same usage being claimed again by a new account.
import type { Db, DbExecutor } from "~/lib/db.server";
import type { Role } from "~/lib/db-schema";
import { newId } from "~/lib/ids.server";
import { translator } from "~/lib/i18n.server";
import { errorFields, log } from "~/lib/logger.server";
import { sendMail } from "~/lib/mail.server";
import { hasRole } from "~/lib/roles";
import { appUrl } from "./accounts.server";
import { revokeAllKeysForDeletion } from "./api-keys.server";
import { recordAudit } from "./audit.server";
import { confirmPassword } from "./reauthentication.server";
import { HELP_CONTACT_PATH } from "./support-tickets.server";

/** The address a deleted account keeps: unique, and `.invalid` can never receive mail. */
export function pseudonymousEmail(accountId: string): string {
  return `deleted-${accountId.replace(/[^0-9a-z_]/gi, "")}@deleted.invalid`;
}

/** What replaces a support message's text once its author's account is deleted. */
export const REMOVED_MESSAGE = "[removed with the account]";

export interface DeletionRequestView {
  id: string;
  accountId: string;
  email: string;
  status: "pending" | "done";
  requestedAt: string;
  carriedOutBy: string | null;
  carriedOutAt: string | null;
}

export type DeletionRequestResult =
  | { ok: true; alreadyPending: boolean }
  | { ok: false; reason: "wrong_password" }
  | { ok: false; reason: "rate_limited"; retryAfterSeconds: number }
  | { ok: false; reason: "already_deleted" };

export async function requestAccountDeletion(db: Db, account: { id: string; ip: string | null }, password: string, now: Date = new Date()): Promise<DeletionRequestResult> {
  const confirmed = await confirmPassword(db, account.id, password, now);
  if (!confirmed.ok) return confirmed;
  return db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom("account_deletion_requests").select(["status"]).where("account_id", "=", account.id).orderBy("requested_at", "desc").executeTakeFirst();
    if (existing?.status === "done") return { ok: false, reason: "already_deleted" } as const;
    if (existing?.status === "pending") return { ok: true, alreadyPending: true } as const;
    const iso = now.toISOString();
    const id = newId("del");
    await trx.insertInto("account_deletion_requests").values({ id, account_id: account.id, status: "pending", requested_at: iso, carried_out_by: null, carried_out_at: null, created_at: iso }).execute();
    await recordAudit(trx, { actorId: account.id, action: "account.deletion_request", targetType: "user", targetId: account.id, details: { requestId: id }, ip: account.ip }, now);
    return { ok: true, alreadyPending: false } as const;
  });
}

function deletionQuery(db: DbExecutor) {
  return db
    .selectFrom("account_deletion_requests as r")
    .innerJoin("users as u", "u.id", "r.account_id")
    .select(["r.id", "r.account_id as accountId", "u.email", "r.status", "r.requested_at as requestedAt", "r.carried_out_by as carriedOutBy", "r.carried_out_at as carriedOutAt"]);
}

/** The account's latest request, pending or done; null when it never asked. */
export async function getDeletionRequest(db: DbExecutor, accountId: string): Promise<DeletionRequestView | null> {
  return ((await deletionQuery(db).where("r.account_id", "=", accountId).orderBy("r.requested_at", "desc").executeTakeFirst()) as DeletionRequestView | undefined) ?? null;
}

export async function listPendingDeletionRequests(db: DbExecutor, limit = 100): Promise<DeletionRequestView[]> {
  return (await deletionQuery(db).where("r.status", "=", "pending").orderBy("r.requested_at").orderBy("r.id").limit(limit).execute()) as DeletionRequestView[];
}

export type DeletionFailure = "forbidden" | "not_found" | "no_request" | "own_account" | "operator_account";
export type CarryOutResult = { ok: true; keysRevoked: number; sessionsEnded: number } | { ok: false; reason: DeletionFailure };

/** Staff carry out a pending request, in one transaction with its audit entry; then a last e-mail goes to the old address. */
export async function carryOutAccountDeletion(
  db: Db,
  actor: { id: string; role: Role; ip?: string | null },
  accountId: string,
  reason: string,
  now: Date = new Date(),
): Promise<CarryOutResult> {
  if (!hasRole(actor.role, "staff")) return { ok: false, reason: "forbidden" };
  if (actor.id === accountId) return { ok: false, reason: "own_account" };
  const outcome = await db.transaction().execute(async (trx) => {
    const target = await trx.selectFrom("users").select(["id", "email", "role", "locale"]).where("id", "=", accountId).executeTakeFirst();
    if (!target) return { ok: false, reason: "not_found" } as const;
    // An operator is demoted first (and audited as such) before their account can go.
    if (target.role !== "developer") return { ok: false, reason: "operator_account" } as const;
    const iso = now.toISOString();
    // Moving only a pending request makes racing staff members delete once.
    const moved = await trx
      .updateTable("account_deletion_requests")
      .set({ status: "done", carried_out_by: actor.id, carried_out_at: iso })
      .where("account_id", "=", accountId)
      .where("status", "=", "pending")
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) === 0) return { ok: false, reason: "no_request" } as const;

    const pseudonym = pseudonymousEmail(accountId);
    await trx
      .updateTable("users")
      .set({ email: pseudonym, password_hash: "!deleted", email_verified_at: null, disabled_at: iso, updated_at: iso, password_changed_at: iso })
      .where("id", "=", accountId)
      .execute();
    const sessionIds = trx.selectFrom("sessions").select("id").where("user_id", "=", accountId);
    await trx.deleteFrom("webauthn_challenges").where("session_id", "in", sessionIds).execute();
    const sessions = await trx.deleteFrom("sessions").where("user_id", "=", accountId).executeTakeFirst();
    await trx.deleteFrom("email_codes").where("user_id", "=", accountId).execute();
    await trx.deleteFrom("two_factor_recovery_codes").where("user_id", "=", accountId).execute();
    await trx.deleteFrom("two_factor_totp").where("user_id", "=", accountId).execute();
    await trx.deleteFrom("passkeys").where("user_id", "=", accountId).execute();
    const ownKeysRevoked = await revokeAllKeysForDeletion(trx, accountId, now);
    // The organization keys they created stop too, and they leave their organization.
    const orgKeys = await trx.updateTable("api_keys").set({ revoked_at: iso }).where("created_by", "=", accountId).where("revoked_at", "is", null).executeTakeFirst();
    await trx.deleteFrom("organization_members").where("user_id", "=", accountId).execute();
    const keysRevoked = ownKeysRevoked + Number(orgKeys.numUpdatedRows);
    await trx.updateTable("evidence").set({ file_name: null }).where("user_id", "=", accountId).execute();
    await trx.updateTable("sign_in_events").set({ ip: null, user_agent: null }).where("user_id", "=", accountId).execute();
    await trx.updateTable("support_tickets").set({ email: pseudonym, updated_at: iso }).where("account_id", "=", accountId).execute();
    await trx
      .updateTable("support_ticket_messages")
      .set({ body: REMOVED_MESSAGE })
      .where("ticket_id", "in", trx.selectFrom("support_tickets").select("id").where("account_id", "=", accountId))
      .where("direction", "=", "in")
      .execute();
    await trx.deleteFrom("mail_outbox").where("to_address", "=", target.email).execute();
    const sessionsEnded = Number(sessions.numDeletedRows);
    await recordAudit(trx, { actorId: actor.id, action: "staff.account_delete", targetType: "user", targetId: accountId, details: { reason, keysRevoked, sessionsEnded }, ip: actor.ip }, now);
    return { ok: true, keysRevoked, sessionsEnded, formerEmail: target.email, locale: target.locale } as const;
  });
  if (!outcome.ok) return outcome;
  const t = translator(outcome.locale);
  try {
    await sendMail(db, { to: outcome.formerEmail, subject: t("help.mail.deletionDone.subject"), text: t("help.mail.deletionDone.body", { url: appUrl(HELP_CONTACT_PATH) }) });
  } catch (error) {
    log.error({ accountId, ...errorFields(error) }, "deletion confirmation mail failed");
  }
  return { ok: true, keysRevoked: outcome.keysRevoked, sessionsEnded: outcome.sessionsEnded };
}
