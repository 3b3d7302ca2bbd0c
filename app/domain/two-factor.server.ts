// Second factors: TOTP (secret encrypted at rest) with single-use recovery codes. Operators must
// have one, developers may. A code is accepted once (the step is recorded with a conditional
// UPDATE), and failed tries are counted with UPDATE … RETURNING so parallel guesses cannot share
// a count: after MAX_FAILED_ATTEMPTS the factor is locked for LOCK_MINUTES.
import QRCode from "qrcode";
import { z } from "zod";
import { decryptSecret, encryptSecret, hmacHex } from "~/lib/crypto.server";
import type { Role, SessionSecondFactor } from "~/lib/db-schema";
import type { Db, DbExecutor } from "~/lib/db.server";
import { newId } from "~/lib/ids.server";
import { hasRole } from "~/lib/roles";
import { recordAudit } from "./audit.server";
import { formatSecretForTyping, generateRecoveryCodes, generateTotpSecret, isTotpCodeShape, matchTotpStep, normalizeRecoveryCode, totpUri } from "./totp";

export const MAX_FAILED_ATTEMPTS = 5;
export const LOCK_MINUTES = 15;
const SECRET_PURPOSE = "totp-secret";

export const secondFactorCodeSchema = z.object({
  code: z.string({ required_error: "twoFactor.errors.codeRequired" }).trim().min(1, "twoFactor.errors.codeRequired").max(40, "twoFactor.errors.codeInvalid"),
});

export type TwoFactorFailure = "code_invalid" | "code_used" | "locked" | "not_enrolled" | "already_enrolled" | "operator_must_keep" | "not_found" | "challenge_invalid" | "passkey_invalid";
export type TwoFactorRefusal = { ok: false; reason: TwoFactorFailure; retryAfterSeconds?: number };
export type TwoFactorResult<T = object> = ({ ok: true } & T) | TwoFactorRefusal;

export interface SecondFactorStatus {
  totpEnabled: boolean;
  enabledAt: string | null;
  recoveryCodesLeft: number;
  required: boolean;
}

export function secondFactorRequired(role: Role): boolean {
  return hasRole(role, "support");
}

export async function getSecondFactorStatus(db: DbExecutor, user: { id: string; role: Role }): Promise<SecondFactorStatus> {
  const totp = await db.selectFrom("two_factor_totp").select("confirmed_at").where("user_id", "=", user.id).executeTakeFirst();
  const codes = await db
    .selectFrom("two_factor_recovery_codes")
    .select((eb) => eb.fn.countAll<number>().as("left"))
    .where("user_id", "=", user.id)
    .where("used_at", "is", null)
    .executeTakeFirstOrThrow();
  return { totpEnabled: Boolean(totp?.confirmed_at), enabledAt: totp?.confirmed_at ?? null, recoveryCodesLeft: Number(codes.left), required: secondFactorRequired(user.role) };
}

/** What a fresh log-in (password just checked) still needs before the session is full. */
export async function secondFactorAtLogIn(db: DbExecutor, user: { id: string; role: Role }): Promise<SessionSecondFactor> {
  const status = await getSecondFactorStatus(db, user);
  if (status.totpEnabled) return "verify";
  return status.required ? "enrol" : "none";
}

export interface TotpEnrolment {
  secret: string;
  secretForTyping: string;
  uri: string;
  qrSvg: string;
}

/**
 * The secret being enrolled: an unconfirmed one is kept (reloading the page shows the same QR
 * code) until a code confirms it.
 */
export async function beginTotpEnrolment(db: Db, user: { id: string; email: string }, issuer: string, now = new Date()): Promise<TwoFactorResult<{ enrolment: TotpEnrolment }>> {
  const existing = await db.selectFrom("two_factor_totp").select(["secret_ciphertext", "confirmed_at"]).where("user_id", "=", user.id).executeTakeFirst();
  if (existing?.confirmed_at) return { ok: false, reason: "already_enrolled" };
  let secret: string;
  if (existing) {
    secret = decryptSecret(existing.secret_ciphertext, SECRET_PURPOSE);
  } else {
    secret = generateTotpSecret();
    await db
      .insertInto("two_factor_totp")
      .values({ user_id: user.id, secret_ciphertext: encryptSecret(secret, SECRET_PURPOSE), confirmed_at: null, created_at: now.toISOString() })
      .onConflict((conflict) => conflict.column("user_id").doNothing())
      .execute();
    // A parallel request may have inserted first: show the secret that was kept.
    const kept = await db.selectFrom("two_factor_totp").select("secret_ciphertext").where("user_id", "=", user.id).executeTakeFirstOrThrow();
    secret = decryptSecret(kept.secret_ciphertext, SECRET_PURPOSE);
  }
  const uri = totpUri(secret, user.email, issuer);
  const qrSvg = await QRCode.toString(uri, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
  return { ok: true, enrolment: { secret, secretForTyping: formatSecretForTyping(secret), uri, qrSvg } };
}

export function lockedFor(lockedUntil: string | null, now: Date): number {
  if (!lockedUntil) return 0;
  return Math.max(0, Math.ceil((Date.parse(lockedUntil) - now.getTime()) / 1000));
}

/**
 * Counts one failed try atomically. The count is never reset by the lock itself (a reset would let
 * tries racing past the lock check start again from zero): the try that reaches the limit sets
 * the lock, every try past it is refused as locked, and the count starts over only once the lock
 * has run out (`unlockIfExpired`) or a right code is accepted. Passkey failures count here too: a
 * passkey is only added next to an enrolled TOTP factor.
 */
export async function countFailure(db: DbExecutor, userId: string, now: Date): Promise<TwoFactorRefusal> {
  const row = await db
    .updateTable("two_factor_totp")
    .set((eb) => ({ failed_attempts: eb("failed_attempts", "+", 1) }))
    .where("user_id", "=", userId)
    .returning("failed_attempts")
    .executeTakeFirst();
  if (row && row.failed_attempts >= MAX_FAILED_ATTEMPTS) {
    if (row.failed_attempts === MAX_FAILED_ATTEMPTS) {
      const lockedUntil = new Date(now.getTime() + LOCK_MINUTES * 60_000).toISOString();
      await db.updateTable("two_factor_totp").set({ locked_until: lockedUntil }).where("user_id", "=", userId).execute();
    }
    return { ok: false, reason: "locked", retryAfterSeconds: LOCK_MINUTES * 60 };
  }
  return { ok: false, reason: "code_invalid" };
}

/** A lock that has run out: the count starts over (one request does it; the others see it done). */
export async function unlockIfExpired(db: DbExecutor, row: { user_id: string; locked_until: string | null; failed_attempts: number }, now: Date) {
  if (!row.locked_until || lockedFor(row.locked_until, now) > 0) return row;
  await db.updateTable("two_factor_totp").set({ failed_attempts: 0, locked_until: null }).where("user_id", "=", row.user_id).where("locked_until", "=", row.locked_until).execute();
  return { ...row, failed_attempts: 0, locked_until: null };
}

/** Records `step` as used only if no later or equal step was: two requests with one code, one wins. */
async function claimStep(db: DbExecutor, userId: string, step: number): Promise<boolean> {
  const row = await db
    .updateTable("two_factor_totp")
    .set({ last_used_step: step, failed_attempts: 0 })
    .where("user_id", "=", userId)
    // Not once the limit is reached, even by a request that passed the lock check before it was.
    .where("failed_attempts", "<", MAX_FAILED_ATTEMPTS)
    .where((eb) => eb.or([eb("last_used_step", "is", null), eb("last_used_step", "<", step)]))
    .returning("user_id")
    .executeTakeFirst();
  return Boolean(row);
}

async function replaceRecoveryCodes(db: DbExecutor, userId: string, now: Date): Promise<string[]> {
  const codes = generateRecoveryCodes();
  await db.deleteFrom("two_factor_recovery_codes").where("user_id", "=", userId).execute();
  await db
    .insertInto("two_factor_recovery_codes")
    .values(codes.map((code) => ({ id: newId("rcv"), user_id: userId, code_hash: hmacHex(`recovery:${normalizeRecoveryCode(code)}`), used_at: null, created_at: now.toISOString() })))
    .execute();
  return codes;
}

/** The first code from the app confirms the secret; the recovery codes are returned to be shown once. */
export async function confirmTotpEnrolment(db: Db, userId: string, code: string, ip: string | null, now = new Date()): Promise<TwoFactorResult<{ recoveryCodes: string[] }>> {
  const stored = await db.selectFrom("two_factor_totp").selectAll().where("user_id", "=", userId).executeTakeFirst();
  if (!stored) return { ok: false, reason: "not_enrolled" };
  if (stored.confirmed_at) return { ok: false, reason: "already_enrolled" };
  const row = { ...stored, ...(await unlockIfExpired(db, stored, now)) };
  const wait = lockedFor(row.locked_until, now);
  if (wait > 0) return { ok: false, reason: "locked", retryAfterSeconds: wait };
  const step = matchTotpStep(decryptSecret(row.secret_ciphertext, SECRET_PURPOSE), code, now, row.last_used_step);
  if (step === null) return countFailure(db, userId, now);
  return db.transaction().execute(async (trx) => {
    const confirmed = await trx
      .updateTable("two_factor_totp")
      .set({ confirmed_at: now.toISOString(), last_used_step: step, failed_attempts: 0 })
      .where("user_id", "=", userId)
      .where("confirmed_at", "is", null)
      .where("failed_attempts", "<", MAX_FAILED_ATTEMPTS)
      .returning("user_id")
      .executeTakeFirst();
    if (!confirmed) return { ok: false as const, reason: "already_enrolled" as const };
    const recoveryCodes = await replaceRecoveryCodes(trx, userId, now);
    await recordAudit(trx, { actorId: userId, action: "two_factor.enrolled", targetType: "user", targetId: userId, details: { method: "totp" }, ip }, now);
    return { ok: true as const, recoveryCodes };
  });
}

/** The code asked after the password: a TOTP code or one unused recovery code. */
export async function verifySecondFactor(db: Db, userId: string, input: string, ip: string | null, now = new Date()): Promise<TwoFactorResult<{ method: "totp" | "recovery_code" }>> {
  const stored = await db.selectFrom("two_factor_totp").selectAll().where("user_id", "=", userId).where("confirmed_at", "is not", null).executeTakeFirst();
  if (!stored) return { ok: false, reason: "not_enrolled" };
  const row = { ...stored, ...(await unlockIfExpired(db, stored, now)) };
  const wait = lockedFor(row.locked_until, now);
  if (wait > 0) return { ok: false, reason: "locked", retryAfterSeconds: wait };

  if (isTotpCodeShape(input)) {
    const secret = decryptSecret(row.secret_ciphertext, SECRET_PURPOSE);
    const step = matchTotpStep(secret, input, now, row.last_used_step);
    if (step !== null && (await claimStep(db, userId, step))) return { ok: true, method: "totp" };
    // A right code whose step is already used is a replay: say so, and count it like any failure.
    const replayed = step === null && matchTotpStep(secret, input, now, null) !== null;
    const failure = await countFailure(db, userId, now);
    return replayed && failure.reason === "code_invalid" ? { ok: false, reason: "code_used" } : failure;
  }

  const normalized = normalizeRecoveryCode(input);
  if (normalized) {
    const used = await db
      .updateTable("two_factor_recovery_codes")
      .set({ used_at: now.toISOString() })
      .where("user_id", "=", userId)
      .where("code_hash", "=", hmacHex(`recovery:${normalized}`))
      .where("used_at", "is", null)
      .returning("id")
      .executeTakeFirst();
    if (used) {
      await db.updateTable("two_factor_totp").set({ failed_attempts: 0 }).where("user_id", "=", userId).execute();
      await recordAudit(db, { actorId: userId, action: "two_factor.recovery_code_used", targetType: "user", targetId: userId, ip }, now);
      return { ok: true, method: "recovery_code" };
    }
  }
  return countFailure(db, userId, now);
}

/** New recovery codes (the old ones stop working); needs an enrolled factor. */
export async function regenerateRecoveryCodes(db: Db, userId: string, ip: string | null, now = new Date()): Promise<TwoFactorResult<{ recoveryCodes: string[] }>> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom("two_factor_totp").select("confirmed_at").where("user_id", "=", userId).executeTakeFirst();
    if (!row?.confirmed_at) return { ok: false as const, reason: "not_enrolled" as const };
    const recoveryCodes = await replaceRecoveryCodes(trx, userId, now);
    await recordAudit(trx, { actorId: userId, action: "two_factor.recovery_codes_regenerated", targetType: "user", targetId: userId, ip }, now);
    return { ok: true as const, recoveryCodes };
  });
}

/** A developer may turn the factor off with a current code; operators cannot go without one. */
export async function removeOwnSecondFactor(db: Db, user: { id: string; role: Role }, code: string, ip: string | null, now = new Date()): Promise<TwoFactorResult> {
  if (secondFactorRequired(user.role)) return { ok: false, reason: "operator_must_keep" };
  const checked = await verifySecondFactor(db, user.id, code, ip, now);
  if (!checked.ok) return checked;
  await db.transaction().execute(async (trx) => {
    await deleteFactors(trx, user.id);
    await recordAudit(trx, { actorId: user.id, action: "two_factor.removed", targetType: "user", targetId: user.id, ip }, now);
  });
  return { ok: true };
}

async function deleteFactors(db: DbExecutor, userId: string): Promise<void> {
  await db.deleteFrom("passkeys").where("user_id", "=", userId).execute();
  await db.deleteFrom("two_factor_recovery_codes").where("user_id", "=", userId).execute();
  await db.deleteFrom("two_factor_totp").where("user_id", "=", userId).execute();
}

/**
 * An admin resets someone's second factor (a lost phone): factors and every session of the
 * account go; an operator enrols again at the next log-in.
 */
export async function resetSecondFactor(db: Db, actor: { id: string; ip?: string | null }, userId: string, reason: string, now = new Date()): Promise<TwoFactorResult> {
  return db.transaction().execute(async (trx) => {
    const target = await trx.selectFrom("users").select("id").where("id", "=", userId).executeTakeFirst();
    if (!target) return { ok: false as const, reason: "not_found" as const };
    await deleteFactors(trx, userId);
    const ended = await trx.deleteFrom("sessions").where("user_id", "=", userId).executeTakeFirst();
    await recordAudit(trx, { actorId: actor.id, action: "admin.two_factor_reset", targetType: "user", targetId: userId, details: { reason, sessionsEnded: Number(ended.numDeletedRows) }, ip: actor.ip }, now);
    return { ok: true as const };
  });
}

/**
 * Demo seed only: an authenticator already set up with a published secret, so the demo operators
 * can log in from the README. Leaves an existing factor alone.
 */
export async function enrolTotpWithKnownSecret(db: DbExecutor, userId: string, secretBase32: string, now = new Date()): Promise<void> {
  await db
    .insertInto("two_factor_totp")
    .values({ user_id: userId, secret_ciphertext: encryptSecret(secretBase32, SECRET_PURPOSE), confirmed_at: now.toISOString(), created_at: now.toISOString() })
    .onConflict((conflict) => conflict.column("user_id").doNothing())
    .execute();
}
