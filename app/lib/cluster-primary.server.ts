// WEB_CONCURRENCY > 1: this process only supervises; server processes (node:cluster workers) share
// the port. The lead worker starts alone and migrates the database; the others start once it is
// ready (SQLite and PostgreSQL are shared, so they find the migrations done). The lead also runs
// the demo seed and the background jobs (leased anyway, so a second runner would only wait). A
// worker that dies is replaced (a lead by a lead); SIGTERM/SIGINT drain every worker, then exit.
import cluster, { type Worker } from "node:cluster";
import { log } from "./logger.server";
import { withServerV8Flags } from "./server-v8-flags.server";

export const LEAD_WORKER_ENV = "FERRY_LEAD_WORKER";
const READY_MESSAGE = "ferry:ready";

/** Whether this process migrates, seeds and runs the background jobs: a lone server, or the cluster's lead worker. */
export function isLeadProcess(): boolean {
  return cluster.isPrimary || process.env[LEAD_WORKER_ENV] === "1";
}

/** A worker tells the primary it is ready (migrated); a lone process has no one to tell. */
export function announceReady(): void {
  if (cluster.isWorker) process.send?.(READY_MESSAGE);
}

/** How soon a worker that died is replaced, so a worker that cannot start does not spin. */
const RESTART_DELAY_MS = 1_000;

export function runClusterPrimary(workers: number): void {
  let stopping = false;
  let othersStarted = false;
  const fork = (lead: boolean): Worker => {
    const worker = cluster.fork(lead ? { [LEAD_WORKER_ENV]: "1" } : {});
    worker.on("message", (message) => {
      if (message !== READY_MESSAGE || !lead || othersStarted) return;
      othersStarted = true;
      for (let index = 1; index < workers; index++) fork(false);
    });
    worker.on("exit", (code, signal) => {
      if (stopping) return;
      log.error({ workerPid: worker.process.pid, exitCode: code, signal, lead }, "server process exited; starting another");
      setTimeout(() => {
        if (!stopping) fork(lead);
      }, RESTART_DELAY_MS).unref();
    });
    return worker;
  };
  cluster.setupPrimary({ execArgv: withServerV8Flags(process.execArgv, process.env.NODE_OPTIONS) });
  log.info({ workers }, `starting ${workers} server processes`);
  fork(true);

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      const running = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined && !worker.isDead());
      if (running.length === 0) process.exit(0);
      let left = running.length;
      for (const worker of running) {
        worker.once("exit", () => {
          left -= 1;
          if (left === 0) process.exit(0);
        });
        worker.process.kill(signal);
      }
    });
  }
}
