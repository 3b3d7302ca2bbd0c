// One-time codes (e-mail verification) and tokens (password reset): random, hashed, single-use,
// expiring, with a limited number of attempts.
import type { EmailCodePurpose } from "~/lib/db-schema";
import type { DbExecutor } from "~/lib/db.server";
import { hmacHex, randomDigits, randomToken } from "~/lib/crypto.server";
import { newId } from "~/lib/ids.server";

export const CODE_POLICY: Record<EmailCodePurpose, { ttlMinutes: number; maxAttempts: number }> = {
  verify_email: { ttlMinutes: 15, maxAttempts: 5 },
  reset_password: { ttlMinutes: 60, maxAttempts: 5 },
};

export type CodeCheckFailure = "invalid_code" | "expired_code" | "too_many_attempts";

/** Issues a fresh secret for `purpose`, retiring any earlier one, and returns it in clear (for the e-mail only). */
export async function issueEmailCode(
  db: DbExecutor,
  userId: string,
  purpose: EmailCodePurpose,
  now: Date = new Date(),
): Promise<string> {
  const secret = purpose === "verify_email" ? randomDigits(6) : randomToken(32);
  await db
    .updateTable("email_codes")
    .set({ consumed_at: now.toISOString() })
    .where("user_id", "=", userId)
    .where("purpose", "=", purpose)
    .where("consumed_at", "is", null)
    .execute();
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
      created_at: now.toISOString(),
    })
    .execute();
  return secret;
}

/** Checks a 6-digit code against the user's live verification code; consumes it on success. */
export async function consumeUserCode(
  db: DbExecutor,
  userId: string,
  purpose: EmailCodePurpose,
  code: string,
  now: Date = new Date(),
): Promise<{ ok: true } | { ok: false; reason: CodeCheckFailure }> {
  const live = await db
    .selectFrom("email_codes")
    .selectAll()
    .where("user_id", "=", userId)
    .where("purpose", "=", purpose)
    .where("consumed_at", "is", null)
    .orderBy("created_at", "desc")
    .executeTakeFirst();
  if (!live) return { ok: false, reason: "invalid_code" };
  if (live.expires_at <= now.toISOString()) return { ok: false, reason: "expired_code" };
  if (live.attempts >= CODE_POLICY[purpose].maxAttempts) return { ok: false, reason: "too_many_attempts" };

  if (hmacHex(`${purpose}:${code}`) !== live.code_hash) {
    const attempts = live.attempts + 1;
    await db
      .updateTable("email_codes")
      .set({ attempts, consumed_at: attempts >= CODE_POLICY[purpose].maxAttempts ? now.toISOString() : null })
      .where("id", "=", live.id)
      .execute();
    return { ok: false, reason: attempts >= CODE_POLICY[purpose].maxAttempts ? "too_many_attempts" : "invalid_code" };
  }
  return markConsumed(db, live.id, now);
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

export async function countFailedAttempt(db: DbExecutor, codeId: string): Promise<void> {
  await db
    .updateTable("email_codes")
    .set((eb) => ({ attempts: eb("attempts", "+", 1) }))
    .where("id", "=", codeId)
    .execute();
}

/** Single use even under a race: only the request whose UPDATE changes the row wins. */
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
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1 ? { ok: true } : { ok: false, reason: "invalid_code" };
}
