// Re-entering the password before a sensitive step (creating or rolling an API key).
import type { DbExecutor } from "~/lib/db.server";
import { verifyPassword } from "~/lib/password.server";
import { hitRateLimits, type RateLimitRule } from "~/lib/rate-limit.server";

const REAUTH_PER_ACCOUNT: RateLimitRule = { name: "reauth-account", limit: 10, windowSeconds: 15 * 60 };

export type ReauthOutcome = { ok: true } | { ok: false; reason: "wrong_password" } | { ok: false; reason: "rate_limited"; retryAfterSeconds: number };

export async function confirmPassword(db: DbExecutor, userId: string, password: string, now: Date = new Date()): Promise<ReauthOutcome> {
  const limit = await hitRateLimits(db, [[REAUTH_PER_ACCOUNT, userId]], now);
  if (!limit.allowed) return { ok: false, reason: "rate_limited", retryAfterSeconds: limit.retryAfterSeconds };
  const user = await db.selectFrom("users").select("password_hash").where("id", "=", userId).executeTakeFirst();
  if (!user || !(await verifyPassword(user.password_hash, password))) return { ok: false, reason: "wrong_password" };
  return { ok: true };
}
