// Failed log-ins slow down the one who fails: per (account, IP) and per IP, each failure past a few
// free ones doubles the wait before the next try. Nothing here locks an account, so a stranger's
// wrong passwords never keep the owner out (another IP is not slowed; a reset clears the account's).
import { sha256Hex } from "./crypto.server";
import type { DbExecutor } from "./db.server";

export const LOGIN_THROTTLE = {
  accountIp: { prefix: "acct-ip", freeFailures: 5 },
  ip: { prefix: "ip", freeFailures: 20 },
  maxDelaySeconds: 15 * 60,
  /** A bucket with no failure for this long starts again from zero. */
  forgetAfterSeconds: 24 * 60 * 60,
} as const;

/** Seconds to wait after the `failures`-th failure: none for the free ones, then 2, 4, 8 … up to 15 minutes. */
export function delayAfterFailures(failures: number, freeFailures: number): number {
  if (failures < freeFailures) return 0;
  return Math.min(LOGIN_THROTTLE.maxDelaySeconds, 2 ** (failures - freeFailures + 1));
}

interface Attempt {
  email: string;
  ip: string | null;
}

function accountHash(email: string) {
  return sha256Hex(`login-account:${email.trim().toLowerCase()}`);
}

function buckets(attempt: Attempt) {
  const account = accountHash(attempt.email);
  const ip = attempt.ip ?? "unknown";
  const list: Array<{ bucket: string; accountHash: string | null; free: number }> = [{ bucket: `${LOGIN_THROTTLE.accountIp.prefix}:${sha256Hex(`${account}|${ip}`)}`, accountHash: account, free: LOGIN_THROTTLE.accountIp.freeFailures }];
  if (attempt.ip) list.push({ bucket: `${LOGIN_THROTTLE.ip.prefix}:${sha256Hex(ip)}`, accountHash: null, free: LOGIN_THROTTLE.ip.freeFailures });
  return list;
}

const seconds = (now: Date) => Math.floor(now.getTime() / 1000);

/** Seconds this attempt must still wait (0: go ahead). */
export async function loginWaitSeconds(db: DbExecutor, attempt: Attempt, now: Date = new Date()): Promise<number> {
  const rows = await db.selectFrom("login_throttle").select("next_allowed_at").where("bucket", "in", buckets(attempt).map((entry) => entry.bucket)).execute();
  const latest = Math.max(0, ...rows.map((row) => row.next_allowed_at));
  return Math.max(0, latest - seconds(now));
}

/** Counts a failure in each bucket with one atomic upsert, then pushes its next allowed time out. */
export async function recordLoginFailure(db: DbExecutor, attempt: Attempt, now: Date = new Date()): Promise<void> {
  const nowSeconds = seconds(now);
  const staleBefore = nowSeconds - LOGIN_THROTTLE.forgetAfterSeconds;
  for (const entry of buckets(attempt)) {
    const row = await db
      .insertInto("login_throttle")
      .values({ bucket: entry.bucket, account_hash: entry.accountHash, failures: 1, last_failure_at: nowSeconds, next_allowed_at: 0 })
      .onConflict((conflict) =>
        conflict.column("bucket").doUpdateSet((eb) => ({
          failures: eb.case().when("login_throttle.last_failure_at", "<", staleBefore).then(1).else(eb("login_throttle.failures", "+", 1)).end(),
          last_failure_at: nowSeconds,
        })),
      )
      .returning("failures")
      .executeTakeFirstOrThrow();
    const delay = delayAfterFailures(row.failures, entry.free);
    if (delay > 0) {
      await db
        .updateTable("login_throttle")
        .set({ next_allowed_at: nowSeconds + delay })
        .where("bucket", "=", entry.bucket)
        .where("next_allowed_at", "<", nowSeconds + delay)
        .execute();
    }
  }
}

/** A successful log-in forgets the failures of this account from this address. */
export async function clearLoginFailures(db: DbExecutor, attempt: Attempt): Promise<void> {
  await db.deleteFrom("login_throttle").where("bucket", "=", buckets(attempt)[0]!.bucket).execute();
}

/** A password reset proves the mailbox: the account's failures from every address are forgotten. */
export async function clearAccountLoginFailures(db: DbExecutor, email: string): Promise<void> {
  await db.deleteFrom("login_throttle").where("account_hash", "=", accountHash(email)).execute();
}

export async function pruneLoginThrottle(db: DbExecutor, now: Date = new Date()): Promise<void> {
  const cutoff = seconds(now) - LOGIN_THROTTLE.forgetAfterSeconds;
  await db.deleteFrom("login_throttle").where("last_failure_at", "<", cutoff).where("next_allowed_at", "<", seconds(now)).execute();
}
