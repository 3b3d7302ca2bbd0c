// Fixed-window counters in the database, so several app instances on one PostgreSQL share them.
import { data } from "@remix-run/node";
import { sha256Hex } from "./crypto.server";
import type { DbExecutor } from "./db.server";
import { getEnv } from "./env.server";

export interface RateLimitRule {
  name: string;
  limit: number;
  windowSeconds: number;
}

/** SIGN_IN_ATTEMPTS_PER_IP per 15 minutes, read when checked (tests set it after import). */
function signInAttemptsPerIp(name: string): RateLimitRule {
  return {
    name,
    get limit() {
      return getEnv().SIGN_IN_ATTEMPTS_PER_IP;
    },
    windowSeconds: 15 * 60,
  };
}

export const RATE_LIMITS = {
  // Every attempt from one address, right or wrong: a ceiling for an office behind one NAT. Wrong
  // passwords are slowed far sooner by the login throttle; each code allows only five tries.
  loginPerIp: signInAttemptsPerIp("login-ip"),
  codeCheckPerIp: signInAttemptsPerIp("code-ip"),
  emailPerIp: { name: "email-ip", limit: 10, windowSeconds: 60 * 60 },
  emailPerAddress: { name: "email-address", limit: 5, windowSeconds: 60 * 60 },
  passwordChangePerAccount: { name: "password-change", limit: 10, windowSeconds: 15 * 60 },
  evidenceUploadPerAccount: { name: "evidence-upload", limit: 30, windowSeconds: 60 * 60 },
  evidenceApiReadPerAccount: { name: "evidence-api-read", limit: 10, windowSeconds: 60 * 60 },
  // Every redemption attempt, right or wrong. Codes carry 100 random bits and a checksum, so this
  // is against noise, not guessing; the per-address ceiling leaves room for a room full of people
  // at one event behind one NAT.
  codeRedeemPerAccount: { name: "code-redeem", limit: 10, windowSeconds: 15 * 60 },
  codeRedeemPerIp: { name: "code-redeem-ip", limit: 200, windowSeconds: 15 * 60 },
} satisfies Record<string, RateLimitRule>;

export interface RateLimitOutcome {
  allowed: boolean;
  retryAfterSeconds: number;
}

/** Counts one hit against `rule` for `subject` (an IP, an email…) and says whether it is allowed. */
export async function hitRateLimit(
  db: DbExecutor,
  rule: RateLimitRule,
  subject: string,
  now: Date = new Date(),
): Promise<RateLimitOutcome> {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const windowStart = nowSeconds - (nowSeconds % rule.windowSeconds);
  const bucket = `${rule.name}:${sha256Hex(subject.toLowerCase()).slice(0, 32)}`;
  const row = await db
    .insertInto("rate_limits")
    .values({ bucket, window_start: windowStart, hits: 1 })
    .onConflict((conflict) =>
      conflict.columns(["bucket", "window_start"]).doUpdateSet((eb) => ({ hits: eb("rate_limits.hits", "+", 1) })),
    )
    .returning("hits")
    .executeTakeFirstOrThrow();
  const allowed = row.hits <= rule.limit;
  return { allowed, retryAfterSeconds: allowed ? 0 : windowStart + rule.windowSeconds - nowSeconds };
}

/** Hits every rule; the first refusal wins. */
export async function hitRateLimits(
  db: DbExecutor,
  checks: Array<[RateLimitRule, string | null | undefined]>,
  now: Date = new Date(),
): Promise<RateLimitOutcome> {
  let worst: RateLimitOutcome = { allowed: true, retryAfterSeconds: 0 };
  for (const [rule, subject] of checks) {
    if (!subject) continue;
    const outcome = await hitRateLimit(db, rule, subject, now);
    if (!outcome.allowed && outcome.retryAfterSeconds >= worst.retryAfterSeconds) worst = outcome;
  }
  return worst;
}

/** Every 429 carries this: whole seconds, at least 1. */
export function retryAfterHeader(retryAfterSeconds: number): Record<string, string> {
  const seconds = Number.isFinite(retryAfterSeconds) ? Math.ceil(retryAfterSeconds) : 1;
  return { "Retry-After": String(Math.max(1, seconds)) };
}

export function tooManyRequests(retryAfterSeconds: number) {
  return data(
    { ok: false as const, formError: "errors.rateLimited", retryAfterSeconds, fieldErrors: {} as Record<string, string> },
    { status: 429, headers: retryAfterHeader(retryAfterSeconds) },
  );
}

export async function pruneRateLimits(db: DbExecutor, now: Date = new Date()): Promise<void> {
  const dayAgo = Math.floor(now.getTime() / 1000) - 24 * 60 * 60;
  await db.deleteFrom("rate_limits").where("window_start", "<", dayAgo).execute();
}
