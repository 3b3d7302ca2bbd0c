// Periodic housekeeping that runs inside the server process. With several instances on one
// database, a lease row per job (app/lib/job-lease.server.ts) lets exactly one of them run it
// each period; the lease outlives restarts, so a job is neither repeated nor starved by them.
import { randomUUID } from "node:crypto";
import { runAlerts } from "~/domain/alerts/index.server";
import { expirePromoCredit } from "~/domain/ledger.server";
import { deleteExpiredSessions } from "~/lib/auth.server";
import { purgeUsageRecords } from "~/domain/usage/query.server";
import { getDb, type DbExecutor } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { releaseJobLease, tryTakeJobLease } from "~/lib/job-lease.server";
import { errorFields, log } from "~/lib/logger.server";
import { pruneLoginThrottle } from "~/lib/login-throttle.server";
import { currentProvider } from "~/lib/provider.server";
import { pruneRateLimits } from "~/lib/rate-limit.server";

export type Job = { name: string; everyMs: number; run: () => Promise<unknown> };

export const backgroundJobs: Job[] = [
  { name: "delete-expired-sessions", everyMs: 60 * 60_000, run: () => deleteExpiredSessions() },
  { name: "prune-rate-limits", everyMs: 60 * 60_000, run: () => pruneRateLimits(getDb()) },
  { name: "prune-login-throttle", everyMs: 60 * 60_000, run: () => pruneLoginThrottle(getDb()) },
  { name: "expire-promo-credit", everyMs: 10 * 60_000, run: () => expirePromoCredit(getDb()) },
  { name: "purge-usage-records", everyMs: 60 * 60_000, run: () => purgeUsageRecords(getDb(), getEnv().USAGE_RECORD_RETENTION_DAYS) },
  { name: "send-alerts", everyMs: 5 * 60_000, run: () => runAlerts(getDb(), currentProvider()) },
];

export interface JobSchedulerOptions {
  db?: DbExecutor;
  jobs?: Job[];
  /** How often each job's lease is looked at; a job runs at most once per its own period. */
  checkEveryMs?: number;
  /** This instance's name on the leases. */
  holder?: string;
}

/** Runs every job that is due now (at start-up) and then whenever it falls due; returns a stop function. */
export function startBackgroundJobs(options: JobSchedulerOptions = {}): () => void {
  const db = options.db ?? getDb();
  const jobs = options.jobs ?? backgroundJobs;
  const holder = options.holder ?? `${process.pid}-${randomUUID()}`;
  const running = new Set<string>();
  let stopped = false;

  async function runIfDue(job: Job) {
    if (stopped || running.has(job.name)) return;
    running.add(job.name);
    try {
      if (!(await tryTakeJobLease(db, job.name, holder, job.everyMs))) return;
      try {
        await job.run();
      } catch (error) {
        log.error({ job: job.name, ...errorFields(error) }, "background job failed");
        // Due again at the next check rather than a whole period later.
        await releaseJobLease(db, job.name, holder);
      }
    } catch (error) {
      // The lease itself could not be read or written (database unreachable): try at the next check.
      log.warn({ job: job.name, ...errorFields(error) }, "background job lease unavailable");
    } finally {
      running.delete(job.name);
    }
  }

  const checkAll = () => {
    for (const job of jobs) void runIfDue(job);
  };
  checkAll();
  const timer = setInterval(checkAll, options.checkEveryMs ?? 60_000);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
