// Start-up: environment, then the HTTP server at once; migrations, the demo seed and background jobs
// once the database answers (requests get 503 until then). Drains in-flight requests on SIGTERM.
// WEB_CONCURRENCY > 1: this process supervises that many server processes on the same port.
import * as build from "@remix-run/dev/server-build";
import type { ServerBuild } from "@remix-run/node";
import cluster from "node:cluster";
import { createServer } from "node:http";
import { countOpenClaims } from "~/domain/claim-review.server";
import { seedDemoAccounts } from "~/domain/demo-seed.server";
import { createFerryRequestListener } from "~/http-server.server";
import { startBackgroundJobs } from "~/jobs.server";
import { announceReady, isLeadProcess, runClusterPrimary } from "~/lib/cluster-primary.server";
import { closeDb, getDb, poolUsageOf, sqliteHandleOf } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { gracefulShutdown } from "~/lib/graceful-shutdown.server";
import { errorFields, log } from "~/lib/logger.server";
import { registerSampledGauge } from "~/lib/metrics.server";
import { createOpsEndpoints } from "~/lib/ops-endpoints.server";
import { startReadiness } from "~/lib/readiness.server";
import { startBackgroundCheckpoints } from "~/lib/sqlite-checkpointer.server";

function main() {
  const env = getEnv();
  const db = getDb();
  // SQLite: WAL checkpoints in a worker thread, not inside a request's commit.
  const stopCheckpoints = startBackgroundCheckpoints(sqliteHandleOf(db), env.SQLITE_CHECKPOINT_MS, log);
  let stopJobs = () => {};
  const readiness = startReadiness({
    db,
    async onFirstReady() {
      if (isLeadProcess()) {
        if (env.DEMO) await seedDemoAccounts(db, { log: (line) => log.info(line) });
        stopJobs = startBackgroundJobs({ db });
      }
      announceReady();
    },
  });
  registerSampledGauge({ name: "ferry_claims_awaiting_review", help: "Claims waiting on staff, by status.", labelName: "status", read: () => countOpenClaims(db) });
  registerSampledGauge({
    name: "ferry_db_pool_connections",
    help: "PostgreSQL pool connections by state (total, idle, waiting requests).",
    labelName: "state",
    read: () => poolUsageOf(db) ?? {},
  });

  const server = createServer();
  const shutdown = gracefulShutdown(server, {
    deadlineMs: env.SHUTDOWN_TIMEOUT_MS,
    onDraining: () => readiness.markDraining(),
    async cleanUp() {
      stopJobs();
      readiness.stop();
      await stopCheckpoints();
      await closeDb();
    },
  });
  const portal = createFerryRequestListener({
    build: build as unknown as ServerBuild,
    env,
    db,
    readiness,
    opsEndpoints: createOpsEndpoints({ readiness, metricsToken: env.METRICS_TOKEN }),
  });
  server.on("request", shutdown.track(portal));
  server.listen(env.PORT, env.HOST, () => {
    const shown = env.APP_URL ?? `http://localhost:${env.PORT}`;
    log.info({ provider: env.PROVIDER, url: shown, demo: env.DEMO }, `Ferry (${env.PROVIDER}) listening on ${shown}${env.DEMO ? " — demo mode" : ""}`);
  });

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => void shutdown.drain(signal).then(() => process.exit(0)));
  }
  // A stray rejected promise (a driver's late error, say) is logged; it must not take the
  // instance down with every request it is serving.
  process.on("unhandledRejection", (reason) => log.error({ ...errorFields(reason) }, "unhandled promise rejection"));
}

try {
  const workers = getEnv().WEB_CONCURRENCY;
  if (workers > 1 && cluster.isPrimary) runClusterPrimary(workers);
  else main();
} catch (error) {
  // Invalid configuration: the logger itself may not be usable, so plain stderr.
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
