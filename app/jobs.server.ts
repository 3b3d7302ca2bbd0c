// Periodic housekeeping that runs inside the server process.
import { expirePromoCredit } from "~/domain/ledger.server";
import { deleteExpiredSessions } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { pruneLoginThrottle } from "~/lib/login-throttle.server";
import { pruneRateLimits } from "~/lib/rate-limit.server";

type Job = { name: string; everyMs: number; run: () => Promise<unknown> };

export const backgroundJobs: Job[] = [
  { name: "delete-expired-sessions", everyMs: 60 * 60_000, run: () => deleteExpiredSessions() },
  { name: "prune-rate-limits", everyMs: 60 * 60_000, run: () => pruneRateLimits(getDb()) },
  { name: "prune-login-throttle", everyMs: 60 * 60_000, run: () => pruneLoginThrottle(getDb()) },
  { name: "expire-promo-credit", everyMs: 10 * 60_000, run: () => expirePromoCredit(getDb()) },
];

export function startBackgroundJobs(): () => void {
  const timers = backgroundJobs.map((job) => {
    const tick = () =>
      job.run().catch((error: unknown) => console.error(`[job ${job.name}] failed:`, error));
    const timer = setInterval(tick, job.everyMs);
    timer.unref();
    return timer;
  });
  return () => timers.forEach(clearInterval);
}
