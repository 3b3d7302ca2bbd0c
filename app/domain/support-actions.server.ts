// The few things support may change on an account, each with a reason and an audit entry.
// Support: resend the verification e-mail, send a password-reset e-mail.
// Staff and admin also: disable or re-enable an account.
import { z } from "zod";
import type { Role } from "~/lib/db-schema";
import type { Db } from "~/lib/db.server";
import { hasRole } from "~/lib/roles";
import { requestPasswordReset, resendVerificationCode } from "./accounts.server";
import { recordAudit } from "./audit.server";

export const reasonSchema = z
  .string({ required_error: "support.errors.reasonRequired" })
  .trim()
  .min(5, "support.errors.reasonRequired")
  .max(500, "support.errors.reasonTooLong");

export interface SupportActor {
  id: string;
  role: Role;
  ip?: string | null;
}

export type SupportActionFailure = "not_found" | "forbidden" | "already_verified" | "account_disabled" | "own_account" | "unchanged";
export type SupportActionResult = { ok: true } | { ok: false; reason: SupportActionFailure };

/** Which role each action needs; routes and the access tests read this one table. */
export const ACTION_ROLES = {
  resend_verification: "support",
  send_password_reset: "support",
  disable_account: "staff",
  enable_account: "staff",
} as const satisfies Record<string, Role>;

async function loadTarget(db: Db, accountId: string) {
  return db.selectFrom("users").select(["id", "email", "role", "email_verified_at", "disabled_at"]).where("id", "=", accountId).executeTakeFirst();
}

export async function resendVerificationFor(db: Db, actor: SupportActor, accountId: string, reason: string): Promise<SupportActionResult> {
  if (!hasRole(actor.role, ACTION_ROLES.resend_verification)) return { ok: false, reason: "forbidden" };
  const target = await loadTarget(db, accountId);
  if (!target) return { ok: false, reason: "not_found" };
  if (target.email_verified_at) return { ok: false, reason: "already_verified" };
  if (target.disabled_at) return { ok: false, reason: "account_disabled" };
  await resendVerificationCode(db, target.email);
  await recordAudit(db, { actorId: actor.id, action: "support.resend_verification", targetType: "user", targetId: target.id, details: { reason }, ip: actor.ip });
  return { ok: true };
}

export async function sendPasswordResetFor(db: Db, actor: SupportActor, accountId: string, reason: string): Promise<SupportActionResult> {
  if (!hasRole(actor.role, ACTION_ROLES.send_password_reset)) return { ok: false, reason: "forbidden" };
  const target = await loadTarget(db, accountId);
  if (!target) return { ok: false, reason: "not_found" };
  if (target.disabled_at) return { ok: false, reason: "account_disabled" };
  await requestPasswordReset(db, target.email);
  await recordAudit(db, { actorId: actor.id, action: "support.send_password_reset", targetType: "user", targetId: target.id, details: { reason }, ip: actor.ip });
  return { ok: true };
}

/**
 * Disables (every session ends, log-in refused) or re-enables an account. Nobody changes their
 * own account this way, and only an admin may disable staff or another admin.
 */
export async function setAccountDisabled(
  db: Db,
  actor: SupportActor,
  accountId: string,
  disabled: boolean,
  reason: string,
  now: Date = new Date(),
): Promise<SupportActionResult> {
  if (!hasRole(actor.role, disabled ? ACTION_ROLES.disable_account : ACTION_ROLES.enable_account)) return { ok: false, reason: "forbidden" };
  return db.transaction().execute(async (trx) => {
    const target = await trx.selectFrom("users").select(["id", "role", "disabled_at"]).where("id", "=", accountId).executeTakeFirst();
    if (!target) return { ok: false, reason: "not_found" } as const;
    if (target.id === actor.id) return { ok: false, reason: "own_account" } as const;
    if (actor.role !== "admin" && hasRole(target.role, "staff")) return { ok: false, reason: "forbidden" } as const;
    if ((target.disabled_at !== null) === disabled) return { ok: false, reason: "unchanged" } as const;
    const iso = now.toISOString();
    await trx.updateTable("users").set({ disabled_at: disabled ? iso : null, updated_at: iso }).where("id", "=", target.id).execute();
    if (disabled) await trx.deleteFrom("sessions").where("user_id", "=", target.id).execute();
    await recordAudit(
      trx,
      { actorId: actor.id, action: disabled ? "staff.account_disable" : "staff.account_enable", targetType: "user", targetId: target.id, details: { reason }, ip: actor.ip },
      now,
    );
    return { ok: true } as const;
  });
}
