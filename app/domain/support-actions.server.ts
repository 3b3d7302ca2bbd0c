// The few things support may change on an account, each with a reason and an audit entry.
// Support: resend the verification e-mail, send a password-reset e-mail, revoke an API key.
// Support may also propose adding credit (credit-adjustments.server.ts holds its rules). Staff and
// admins also: disable or re-enable an account, take credit back (a ledger entry).
import { z } from "zod";
import { ORGANIZATION_ROLE, type Role } from "~/lib/db-schema";
import type { Db } from "~/lib/db.server";
import { wholeNumberField } from "~/lib/number-input";
import { hasRole } from "~/lib/roles";
import { requestPasswordReset, resendVerificationCode } from "./accounts.server";
import { revokeApiKey } from "./api-keys.server";
import { proposeCreditAdjustment, type AdjustmentFailure } from "./credit-adjustments.server";
import { reverseCredit } from "./ledger.server";
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

export type SupportActionFailure =
  | AdjustmentFailure
  | "not_found"
  | "forbidden"
  | "already_verified"
  | "account_disabled"
  | "own_account"
  | "unchanged"
  | "nothing_to_take_back"
  | "expiry_past";
/** `pending`: an added credit waits for a second staff member. */
export type SupportActionResult = { ok: true; pending?: boolean } | { ok: false; reason: SupportActionFailure };

/** Which role each action needs; routes and the access tests read this one table. */
export const ACTION_ROLES = {
  resend_verification: "support",
  send_password_reset: "support",
  revoke_key: "support",
  disable_account: "staff",
  enable_account: "staff",
  /** Propose adding credit; only staff apply it, within the limits in credit-adjustments.server.ts. */
  adjust_credit: "support",
  take_back_credit: "staff",
  approve_adjustment: "staff",
} as const satisfies Record<string, Role>;

/** A person's account (an organization's ledger row gets no verification or reset mail: it is not found). */
async function loadTarget(db: Db, accountId: string) {
  return db.selectFrom("users").select(["id", "email", "role", "email_verified_at", "disabled_at"]).where("id", "=", accountId).where("role", "!=", ORGANIZATION_ROLE).executeTakeFirst();
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
    const found = await trx.selectFrom("users").select(["id", "role", "disabled_at"]).where("id", "=", accountId).executeTakeFirst();
    // An organization's ledger row cannot sign in; disabling it would only stop its members' keys.
    if (!found || found.role === ORGANIZATION_ROLE) return { ok: false, reason: "not_found" } as const;
    const target = { ...found, role: found.role };
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

/** Revokes one of the account's keys on the owner's behalf; the key's audit entry names the agent and the reason. */
export async function revokeKeyFor(db: Db, actor: SupportActor, accountId: string, keyId: string, reason: string): Promise<SupportActionResult> {
  if (!hasRole(actor.role, ACTION_ROLES.revoke_key)) return { ok: false, reason: "forbidden" };
  const result = await revokeApiKey(db, { accountId, keyId, actorId: actor.id, reason, ip: actor.ip });
  if (!result.ok) return { ok: false, reason: "not_found" };
  if (result.alreadyRevoked) return { ok: false, reason: "unchanged" };
  return { ok: true };
}

/** At most a billion tokens either way in one adjustment: a typo should not mint a fortune. */
export const MAX_ADJUSTMENT_TOKENS = 1_000_000_000;

export const adjustmentSchema = z
  .object({
    tokens: wholeNumberField("support.errors.tokensInvalid", { signed: true }).refine((value) => value !== 0 && Math.abs(value) <= MAX_ADJUSTMENT_TOKENS, "support.errors.tokensInvalid"),
    bucket: z.enum(["promo", "paid"], { errorMap: () => ({ message: "support.errors.bucketInvalid" }) }),
    expiresOn: z
      .string()
      .trim()
      .optional()
      .transform((value) => value || undefined)
      .pipe(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "support.errors.expiryInvalid").optional()),
    /** A one-time id the page renders into the form: submitting twice credits once. */
    adjustmentId: z.string().trim().regex(/^adj_[0-9a-z]{20}$/, "errors.invalidForm"),
    reason: reasonSchema,
  })
  .superRefine((value, ctx) => {
    if (value.bucket === "promo" && value.tokens > 0 && !value.expiresOn) {
      ctx.addIssue({ code: "custom", path: ["expiresOn"], message: "support.errors.expiryRequired" });
    }
  });
export type AdjustmentInput = z.infer<typeof adjustmentSchema>;

/**
 * Adds credit (positive: the rules of credit-adjustments.server.ts, applied at once or pending a
 * second staff member) or takes it back (negative: staff alone, never below zero), in one
 * transaction with its audit entry. Nobody adjusts their own account.
 */
export async function adjustCredit(
  db: Db,
  actor: SupportActor,
  accountId: string,
  input: AdjustmentInput,
  now: Date = new Date(),
): Promise<SupportActionResult> {
  if (input.tokens > 0) {
    const proposed = await proposeCreditAdjustment(db, actor, accountId, { ...input, tokens: input.tokens }, now);
    return proposed.ok ? { ok: true, pending: proposed.outcome === "pending" } : proposed;
  }
  if (!hasRole(actor.role, ACTION_ROLES.take_back_credit)) return { ok: false, reason: "forbidden" };
  if (accountId === actor.id) return { ok: false, reason: "own_account" };
  try {
    return await takeBackInTransaction(db, actor, accountId, input, now);
  } catch (error) {
    if (error instanceof NothingToTakeBack) return { ok: false, reason: "nothing_to_take_back" };
    throw error;
  }
}

/** Thrown to roll back a take-back that found no credit left, so nothing is written. */
class NothingToTakeBack extends Error {}

async function takeBackInTransaction(db: Db, actor: SupportActor, accountId: string, input: AdjustmentInput, now: Date): Promise<SupportActionResult> {
  return db.transaction().execute(async (trx) => {
    const target = await trx.selectFrom("users").select("id").where("id", "=", accountId).executeTakeFirst();
    if (!target) return { ok: false, reason: "not_found" } as const;
    const reversal = await reverseCredit(trx, {
      accountId,
      idempotencyKey: `support-adjustment:${input.adjustmentId}`,
      referenceType: "support_adjustment",
      referenceId: input.adjustmentId,
      bucket: input.bucket,
      note: input.reason,
      actorId: actor.id,
      now,
      tokens: -input.tokens,
    });
    if (reversal.duplicate) return { ok: false, reason: "unchanged" } as const;
    if (reversal.reversed === 0) throw new NothingToTakeBack();
    const details = { tokens: -reversal.reversed, requested: input.tokens, bucket: input.bucket, reason: input.reason };
    await recordAudit(trx, { actorId: actor.id, action: "staff.credit_adjust", targetType: "user", targetId: accountId, details, ip: actor.ip }, now);
    return { ok: true } as const;
  });
}
