// One-time codes (e-mail verification) and tokens (password reset): random, hashed, single-use,
// expiring, with a limited number of attempts. Every attempt is counted by one atomic UPDATE …
// RETURNING and the limit is checked on what it returns, so parallel guesses cannot share a count.
import type { EmailCodePurpose } from "~/lib/db-schema";
import type { DbExecutor } from "~/lib/db.server";
import { hmacHex, randomDigits, randomToken } from "~/lib/crypto.server";
import { newId } from "~/lib/ids.server";

export const CODE_POLICY: Record<EmailCodePurpose, { ttlMinutes: number; maxAttempts: number }> = {
  verify_email: { ttlMinutes: 15, maxAttempts: 5 },
  reset_password: { ttlMinutes: 60, maxAttempts: 5 },
};

/** Live sign-up flows kept per unverified address; a newer one retires the oldest beyond this. */
export const MAX_PENDING_SIGNUPS = 3;

export type CodeCheckFailure = "invalid_code" | "expired_code" | "too_many_attempts";

export interface IssuedCode {
  secret: string;
  /** Other live codes of the same purpose left in place (other pending sign-ups). */
  otherLive: number;
}

/**
 * Issues a fresh secret for `purpose` and returns it in clear (for the e-mail only). A reset link
 * retires every earlier one. A verification code keeps other pending sign-ups' codes (each carries
 * its own flow's password) up to MAX_PENDING_SIGNUPS, unless `replaces` names the one it renews.
 */
export async function issueEmailCode(
  db: DbExecutor,
  userId: string,
  purpose: EmailCodePurpose,
  now: Date = new Date(),
  options: { passwordHash?: string | null; replaces?: string } = {},
): Promise<IssuedCode> {
  const secret = purpose === "verify_email" ? randomDigits(6) : randomToken(32);
  const iso = now.toISOString();
  const retire = db.updateTable("email_codes").set({ consumed_at: iso }).where("user_id", "=", userId).where("purpose", "=", purpose).where("consumed_at", "is", null);
  let otherLive = 0;
  if (purpose === "reset_password") {
    await retire.execute();
  } else {
    if (options.replaces) await retire.where("id", "=", options.replaces).execute();
    const live = await db
      .selectFrom("email_codes")
      .select("id")
      .where("user_id", "=", userId)
      .where("purpose", "=", purpose)
      .where("consumed_at", "is", null)
      .where("expires_at", ">", iso)
      .orderBy("created_at", "desc")
      .execute();
    const beyond = live.slice(MAX_PENDING_SIGNUPS - 1).map((row) => row.id);
    if (beyond.length > 0) await retire.where("id", "in", beyond).execute();
    otherLive = Math.min(live.length, MAX_PENDING_SIGNUPS - 1);
  }
  await db
    .insertInto("email_codes")
    .values({
      id: newId("code"),
      user_id: userId,
      purpose,
      code_hash: hmacHex(`${purpose}:${secret}`),
      expires_at: new Date(now.getTime() + CODE_POLICY[purpose].ttlMinutes * 60_000).toISOString(),
      attempts: 0,
      consumed_at: null,
      created_at: iso,
      password_hash: options.passwordHash ?? null,
    })
    .execute();
  return { secret, otherLive };
}

/** The newest live verification code of a user (the flow a "send a new code" renews). */
export async function newestLiveCode(db: DbExecutor, userId: string, purpose: EmailCodePurpose, now: Date) {
  return db
    .selectFrom("email_codes")
    .select(["id", "password_hash"])
    .where("user_id", "=", userId)
    .where("purpose", "=", purpose)
    .where("consumed_at", "is", null)
    .where("expires_at", ">", now.toISOString())
    .orderBy("created_at", "desc")
    .executeTakeFirst();
}

/**
 * Checks a code against the user's live codes for `purpose` and consumes the one it matches (and
 * retires the others). Each check counts as one attempt on every live code, whatever the outcome.
 * Returns the matched code's stored password hash (the sign-up flow the code belongs to).
 */
export async function consumeUserCode(
  db: DbExecutor,
  userId: string,
  purpose: EmailCodePurpose,
  code: string,
  now: Date = new Date(),
): Promise<{ ok: true; passwordHash: string | null } | { ok: false; reason: CodeCheckFailure }> {
  const iso = now.toISOString();
  const { maxAttempts } = CODE_POLICY[purpose];
  const counted = await db
    .updateTable("email_codes")
    .set((eb) => ({ attempts: eb("attempts", "+", 1) }))
    .where("user_id", "=", userId)
    .where("purpose", "=", purpose)
    .where("consumed_at", "is", null)
    .where("expires_at", ">", iso)
    .returning(["id", "attempts", "code_hash", "password_hash"])
    .execute();
  const presented = hmacHex(`${purpose}:${code}`);
  const match = counted.find((row) => row.code_hash === presented && row.attempts <= maxAttempts);
  if (match) {
    const consumed = await markConsumed(db, match.id, now);
    if (!consumed.ok) return consumed;
    await db.updateTable("email_codes").set({ consumed_at: iso }).where("user_id", "=", userId).where("purpose", "=", purpose).where("consumed_at", "is", null).execute();
    return { ok: true, passwordHash: match.password_hash };
  }
  const usedUp = counted.filter((row) => row.attempts >= maxAttempts).map((row) => row.id);
  if (usedUp.length > 0) await db.updateTable("email_codes").set({ consumed_at: iso }).where("id", "in", usedUp).where("consumed_at", "is", null).execute();
  if (counted.length === 0) return { ok: false, reason: "invalid_code" };
  return { ok: false, reason: usedUp.length === counted.length ? "too_many_attempts" : "invalid_code" };
}

/** Finds the user a reset token belongs to without consuming it (for showing the form). */
export async function findLiveToken(
  db: DbExecutor,
  purpose: EmailCodePurpose,
  token: string,
  now: Date = new Date(),
): Promise<{ id: string; userId: string; attempts: number } | null> {
  const row = await db
    .selectFrom("email_codes")
    .select(["id", "user_id", "attempts"])
    .where("code_hash", "=", hmacHex(`${purpose}:${token}`))
    .where("purpose", "=", purpose)
    .where("consumed_at", "is", null)
    .where("expires_at", ">", now.toISOString())
    .executeTakeFirst();
  if (!row || row.attempts >= CODE_POLICY[purpose].maxAttempts) return null;
  return { id: row.id, userId: row.user_id, attempts: row.attempts };
}

/** Counts a refused try on a token (one atomic increment) and retires the token at the limit. */
export async function countFailedAttempt(db: DbExecutor, codeId: string, purpose: EmailCodePurpose, now: Date = new Date()): Promise<void> {
  const row = await db
    .updateTable("email_codes")
    .set((eb) => ({ attempts: eb("attempts", "+", 1) }))
    .where("id", "=", codeId)
    .returning("attempts")
    .executeTakeFirst();
  if (row && row.attempts >= CODE_POLICY[purpose].maxAttempts) {
    await db.updateTable("email_codes").set({ consumed_at: now.toISOString() }).where("id", "=", codeId).where("consumed_at", "is", null).execute();
  }
}

/** Single use even under a race: only the request whose UPDATE changes the row wins, and only within the attempt limit. */
export async function markConsumed(
  db: DbExecutor,
  codeId: string,
  now: Date = new Date(),
): Promise<{ ok: true } | { ok: false; reason: CodeCheckFailure }> {
  const result = await db
    .updateTable("email_codes")
    .set({ consumed_at: now.toISOString() })
    .where("id", "=", codeId)
    .where("consumed_at", "is", null)
    .where((eb) => eb.or([eb.and([eb("purpose", "=", "verify_email"), eb("attempts", "<=", CODE_POLICY.verify_email.maxAttempts)]), eb.and([eb("purpose", "=", "reset_password"), eb("attempts", "<", CODE_POLICY.reset_password.maxAttempts)])]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1 ? { ok: true } : { ok: false, reason: "invalid_code" };
}
