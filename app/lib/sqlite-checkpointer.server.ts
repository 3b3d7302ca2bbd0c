// WAL checkpoints off the event loop (the portal's and the proxy's). SQLite's automatic checkpoint
// runs inside the commit that crosses the threshold, on the committing thread: copying ~40 MB of WAL
// back into the database and its fsync stopped every request for 40–190 ms at a time (the proxy's
// p99 under load), and the fsync's wait was a third of a spread debit's time. Here a
// worker thread with its own connection runs a PASSIVE checkpoint every `intervalMs` (PASSIVE never
// blocks writers or readers, and the commit path keeps synchronous=NORMAL: a WAL append, no fsync).
// The writing connection keeps one checkpoint of its own, at WAL_BACKSTOP_PAGES: the WAL starts
// over from its beginning only after a checkpoint that caught up with the last commit, which a
// worker racing a process that never stops writing may never do (measured: 2 GB of WAL after 150,000
// debits without the backstop, 42 MB with SQLite's own checkpoints); by then the worker has copied
// nearly every page, so the backstop's checkpoint is short. Durability is unchanged: the commits are
// in the WAL either way. On stop, the worker checkpoints a last time and closes.
import type SQLite from "better-sqlite3";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

export interface CheckpointerLog {
  warn(fields: object, message: string): void;
}

const WORKER_SOURCE = `
const { workerData, parentPort } = require("node:worker_threads");
const SQLite = require(workerData.modulePath);
const db = new SQLite(workerData.file, { timeout: 5000 });
db.pragma("busy_timeout = 5000");
// Once the WAL has reached the backstop, the turns are left to the writer: its own checkpoint
// (PASSIVE, skipped while this one holds the checkpoint lock) catches up with its last commit, so
// the WAL starts over. A busy machine slows this one down enough to hold the lock at every commit,
// so it keeps out until a checkpoint of its own (one turn in RECHECK_EVERY) shows the WAL restarted.
const RECHECK_EVERY = 8;
let leaving = false;
let skipped = 0;
const checkpoint = (always) => {
  if (leaving && !always && ++skipped % RECHECK_EVERY !== 0) return;
  try {
    const [result] = db.pragma("wal_checkpoint(PASSIVE)");
    leaving = Boolean(result && result.log >= workerData.backstopPages);
    if (!leaving) skipped = 0;
  } catch (error) {
    parentPort.postMessage({ error: String((error && error.message) || error) });
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on("message", (message) => {
  if (message !== "stop") return;
  clearInterval(timer);
  checkpoint(true);
  db.close();
  parentPort.close();
});
`;

/**
 * The portal's interval: spread debits measured 20,300/s at 500 ms, 19,300/s at 100 ms (each
 * checkpoint copies a page once however often it changed since the last) and 13,100/s with SQLite's
 * own checkpoints in the commit path. It also bounds what an operating-system crash can take: with
 * synchronous=NORMAL the WAL is synced at each checkpoint, not at each commit.
 */
export const DEFAULT_SQLITE_CHECKPOINT_MS = 500;

/** The writing connection checkpoints once its WAL holds this many pages (~400 MB): a bound, not a rhythm. */
export const WAL_BACKSTOP_PAGES = 100_000;

/**
 * Starts checkpointing `raw`'s file in a worker thread; returns stop (resolves when the worker has
 * ended). No SQLite file (PostgreSQL's undefined handle, an in-memory database) or an interval of 0: nothing.
 */
export function startBackgroundCheckpoints(raw: SQLite.Database | undefined, intervalMs: number, log: CheckpointerLog, backstopPages = WAL_BACKSTOP_PAGES): () => Promise<void> {
  if (!raw || raw.memory || intervalMs <= 0) return async () => {};
  const modulePath = createRequire(import.meta.url).resolve("better-sqlite3");
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file: raw.name, modulePath, intervalMs, backstopPages } });
  // Only once the worker runs: until then SQLite's own checkpoints go on.
  worker.once("online", () => raw.open && raw.pragma(`wal_autocheckpoint = ${Math.trunc(backstopPages)}`));
  worker.on("message", (message: { error?: string }) => log.warn({ error: message.error }, "background WAL checkpoint failed; the next one retries"));
  const ended = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  worker.on("error", (error: Error) => {
    // Without the worker, SQLite's own checkpoints take over again.
    log.warn({ error: error.message }, "WAL checkpoint worker stopped; SQLite checkpoints in the commit path again");
    if (raw.open) raw.pragma("wal_autocheckpoint = 10000");
  });
  worker.unref();
  return async () => {
    // Held while it ends: with nothing else left to wait for, the process would exit before the
    // worker's last checkpoint and before the caller's next step.
    worker.ref();
    worker.postMessage("stop");
    await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
    if (raw.open) raw.pragma("wal_autocheckpoint = 10000");
  };
}
