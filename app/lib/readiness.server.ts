// Is this instance ready for traffic? It is once the database answered and the migrations ran.
// Until then the process stays up and keeps trying (a database that is down at start-up is
// waited for, not a reason to exit); later outages show in /readyz without stopping anything.
import { sql } from "kysely";
import type { Db } from "./db.server";
import { databaseTroubleOf } from "./database-errors.server";
import { errorFields, log } from "./logger.server";
import { migrateAppDatabase } from "./migrate.server";

export interface ReadinessOptions {
  db: Db;
  /** Runs after migrating and before the instance counts as ready (demo seed, background jobs); retried with it. */
  onFirstReady?: () => Promise<void> | void;
  /** Pause between attempts while the database is unreachable. */
  retryMs?: number;
  /** Longest wait for a readiness probe's query. */
  probeTimeoutMs?: number;
}

export interface Readiness {
  /** True once migrations have run in this process (requests are served from then on). */
  readonly migrated: boolean;
  /** Set while shutting down: the load balancer should stop sending traffic. */
  markDraining(): void;
  /** A live check for /readyz. */
  probe(): Promise<{ ready: boolean; reason?: string }>;
  stop(): void;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

export function startReadiness(options: ReadinessOptions): Readiness {
  const retryMs = options.retryMs ?? 1_000;
  const probeTimeoutMs = options.probeTimeoutMs ?? 2_000;
  let migrated = false;
  let draining = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let attempts = 0;

  async function attemptStartup() {
    if (stopped) return;
    attempts += 1;
    try {
      await migrateAppDatabase(options.db);
      // Before traffic is let in: the demo seed, say, must exist when /readyz first says yes.
      await options.onFirstReady?.();
      migrated = true;
      log.info({ attempts }, "database ready: migrations are current");
    } catch (error) {
      const unreachable = databaseTroubleOf(error) !== null;
      // The first failure and then one line a minute: a long outage should not flood the log.
      if (attempts === 1 || attempts % Math.max(1, Math.round(60_000 / retryMs)) === 0) {
        log.error({ ...errorFields(error), attempts, unreachable }, "database not ready; retrying");
      }
      timer = setTimeout(() => void attemptStartup(), retryMs);
      timer.unref();
    }
  }
  void attemptStartup();

  return {
    get migrated() {
      return migrated;
    },
    markDraining() {
      draining = true;
    },
    async probe() {
      if (draining) return { ready: false, reason: "shutting down" };
      if (!migrated) return { ready: false, reason: "database not reachable or migrations not run yet" };
      try {
        await withTimeout(sql`select 1`.execute(options.db), probeTimeoutMs);
        return { ready: true };
      } catch (error) {
        return { ready: false, reason: databaseTroubleOf(error)?.message ?? "database check failed" };
      }
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
