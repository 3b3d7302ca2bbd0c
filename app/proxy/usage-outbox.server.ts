// Usage debits that failed when their request finished wait in a durable outbox and are retried
// under the same request id until the ledger has them: never lost (written down before the proxy
// forgets them), never doubled (the ledger debits a request id once; a retry after a success that
// was not yet crossed off comes back as a duplicate). Two stores with one shape: a table of Ferry's
// database (migration 0021) when the proxy shares it, a local SQLite file when it reports over HTTP.
import SQLite from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { DbExecutor } from "~/lib/db.server";
import type { Metering, ProxyUsage } from "./metering.server";

export interface OutboxEntry {
  usage: ProxyUsage;
  attempts: number;
}

export interface OutboxStore {
  add(usage: ProxyUsage, error: string, now: Date): Promise<void>;
  due(now: Date, limit: number): Promise<OutboxEntry[]>;
  remove(requestId: string): Promise<void>;
  reschedule(requestId: string, attempts: number, nextAttemptAt: Date, error: string, now: Date): Promise<void>;
  giveUp(requestId: string, error: string, now: Date): Promise<void>;
  counts(): Promise<{ waiting: number; gaveUp: number }>;
  close(): Promise<void>;
}

const ERROR_MAX = 500;
const clip = (error: string) => error.slice(0, ERROR_MAX);

export function databaseOutboxStore(db: DbExecutor): OutboxStore {
  return {
    async add(usage, error, now) {
      const at = now.toISOString();
      await db
        .insertInto("proxy_usage_outbox")
        .values({ request_id: usage.requestId, report: JSON.stringify(usage), attempts: 1, next_attempt_at: at, last_error: clip(error), gave_up_at: null, created_at: at, updated_at: at })
        .onConflict((conflict) => conflict.column("request_id").doNothing())
        .execute();
    },
    async due(now, limit) {
      const rows = await db
        .selectFrom("proxy_usage_outbox")
        .select(["report", "attempts"])
        .where("gave_up_at", "is", null)
        .where("next_attempt_at", "<=", now.toISOString())
        .orderBy("next_attempt_at")
        .limit(limit)
        .execute();
      return rows.map((row) => ({ usage: JSON.parse(row.report) as ProxyUsage, attempts: Number(row.attempts) }));
    },
    async remove(requestId) {
      await db.deleteFrom("proxy_usage_outbox").where("request_id", "=", requestId).execute();
    },
    async reschedule(requestId, attempts, nextAttemptAt, error, now) {
      await db
        .updateTable("proxy_usage_outbox")
        .set({ attempts, next_attempt_at: nextAttemptAt.toISOString(), last_error: clip(error), updated_at: now.toISOString() })
        .where("request_id", "=", requestId)
        .execute();
    },
    async giveUp(requestId, error, now) {
      await db.updateTable("proxy_usage_outbox").set({ gave_up_at: now.toISOString(), last_error: clip(error), updated_at: now.toISOString() }).where("request_id", "=", requestId).execute();
    },
    async counts() {
      const rows = await db
        .selectFrom("proxy_usage_outbox")
        .select((eb) => [eb.fn.countAll<number>().as("n"), eb.fn.count<number>("gave_up_at").as("gave_up")])
        .execute();
      const total = Number(rows[0]?.n ?? 0);
      const gaveUp = Number(rows[0]?.gave_up ?? 0);
      return { waiting: total - gaveUp, gaveUp };
    },
    async close() {},
  };
}

/** The same table in a local SQLite file (created on first use), for a proxy without Ferry's database. */
export function fileOutboxStore(path: string): OutboxStore {
  const file = resolve(path);
  mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma("journal_mode = WAL");
  // FULL: an entry is on disk when add() returns, power cut or not; the file only sees failures, so it is cheap.
  sqlite.pragma("synchronous = FULL");
  sqlite.exec(`create table if not exists proxy_usage_outbox (
    request_id text primary key, report text not null, attempts integer not null default 0,
    next_attempt_at text not null, last_error text, gave_up_at text, created_at text not null, updated_at text not null)`);
  const statements = {
    add: sqlite.prepare("insert into proxy_usage_outbox (request_id, report, attempts, next_attempt_at, last_error, created_at, updated_at) values (?, ?, 1, ?, ?, ?, ?) on conflict (request_id) do nothing"),
    due: sqlite.prepare("select report, attempts from proxy_usage_outbox where gave_up_at is null and next_attempt_at <= ? order by next_attempt_at limit ?"),
    remove: sqlite.prepare("delete from proxy_usage_outbox where request_id = ?"),
    reschedule: sqlite.prepare("update proxy_usage_outbox set attempts = ?, next_attempt_at = ?, last_error = ?, updated_at = ? where request_id = ?"),
    giveUp: sqlite.prepare("update proxy_usage_outbox set gave_up_at = ?, last_error = ?, updated_at = ? where request_id = ?"),
    counts: sqlite.prepare("select count(*) as n, count(gave_up_at) as gave_up from proxy_usage_outbox"),
  };
  return {
    async add(usage, error, now) {
      const at = now.toISOString();
      statements.add.run(usage.requestId, JSON.stringify(usage), at, clip(error), at, at);
    },
    async due(now, limit) {
      const rows = statements.due.all(now.toISOString(), limit) as Array<{ report: string; attempts: number }>;
      return rows.map((row) => ({ usage: JSON.parse(row.report) as ProxyUsage, attempts: row.attempts }));
    },
    async remove(requestId) {
      statements.remove.run(requestId);
    },
    async reschedule(requestId, attempts, nextAttemptAt, error, now) {
      statements.reschedule.run(attempts, nextAttemptAt.toISOString(), clip(error), now.toISOString(), requestId);
    },
    async giveUp(requestId, error, now) {
      statements.giveUp.run(now.toISOString(), clip(error), now.toISOString(), requestId);
    },
    async counts() {
      const row = statements.counts.get() as { n: number; gave_up: number };
      return { waiting: row.n - row.gave_up, gaveUp: row.gave_up };
    },
    async close() {
      sqlite.close();
    },
  };
}

const MAX_BACKOFF_MS = 10 * 60_000;

export function backoffMs(attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempts, 20));
}

export interface UsageSettler {
  /** Reports one request's usage; on failure writes it to the outbox. Never throws. */
  settle(usage: ProxyUsage): Promise<void>;
  /** Retries what is due in the outbox; returns what happened (tests and the periodic loop call it). */
  drain(now?: Date): Promise<{ delivered: number; retrying: number; gaveUp: number }>;
  /** Reports that could not even be written to the outbox yet (its store is away too); retried by drain. */
  readonly unwritten: number;
  start(intervalMs: number): () => void;
}

export interface SettlerLog {
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Most reports one group carries (one ledger commit on SQLite holds at most 256 debits). */
const MAX_GROUP = 256;

/**
 * `groupMs` > 0: reports wait up to that long in memory and are then sent together, after the
 * responses they belong to. On SQLite in process the ledger commits the reports that start in one
 * turn of the event loop together, so a group is one commit instead of one per request (fewer
 * writes and WAL pages; the debits stay one per request id, exact and idempotent). The cost is the
 * window: a report in a waiting group is lost if the process dies hard (kill -9, power) within those
 * milliseconds, as one is today between the response and its commit; SIGTERM waits for it.
 */
export function createUsageSettler(metering: Metering, store: OutboxStore, log: SettlerLog, options: { groupMs?: number } = {}): UsageSettler {
  const groupMs = options.groupMs ?? 0;
  let group: Array<{ usage: ProxyUsage; done: () => void }> = [];
  let groupTimer: ReturnType<typeof setTimeout> | undefined;

  function sendGroup() {
    if (groupTimer) clearTimeout(groupTimer);
    groupTimer = undefined;
    const sending = group;
    group = [];
    // All started in this turn: the ledger's SQLite fast path puts them in one commit.
    for (const item of sending) void settleNow(item.usage).then(item.done, item.done);
  }

  function settle(usage: ProxyUsage): Promise<void> {
    if (groupMs <= 0) return settleNow(usage);
    return new Promise<void>((done) => {
      group.push({ usage, done });
      if (group.length >= MAX_GROUP) sendGroup();
      else groupTimer ??= setTimeout(sendGroup, groupMs);
    });
  }

  // Only when the outbox store itself fails (its database is the one that is away): held in memory,
  // written as soon as the store answers again. Logged loudly; a crash in that window is the one loss.
  const unwritten = new Map<string, { usage: ProxyUsage; error: string }>();
  let draining: Promise<{ delivered: number; retrying: number; gaveUp: number }> | undefined;

  async function writeDown(usage: ProxyUsage, error: string, permanent: boolean): Promise<void> {
    const now = new Date();
    try {
      await store.add(usage, error, now);
      if (permanent) await store.giveUp(usage.requestId, error, now);
      unwritten.delete(usage.requestId);
    } catch (storeError) {
      unwritten.set(usage.requestId, { usage, error });
      log.error({ requestId: usage.requestId, tokens: usage.inputTokens + usage.outputTokens, storeError: storeError instanceof Error ? storeError.message : String(storeError) }, "usage outbox unavailable; debit held in memory");
    }
  }

  async function settleNow(usage: ProxyUsage): Promise<void> {
    const outcome = await usageReport(usage);
    if (outcome.ok) return;
    const error = outcome.detail ? `${outcome.code}: ${outcome.detail}` : outcome.code;
    if (!outcome.retryable) log.error({ requestId: usage.requestId, keyId: usage.keyId, code: outcome.code }, "usage debit refused by Ferry; kept in the outbox for operators");
    else log.warn({ requestId: usage.requestId, code: outcome.code }, "usage debit failed; queued in the outbox for retry");
    await writeDown(usage, error, !outcome.retryable);
  }

  async function usageReport(usage: ProxyUsage) {
    try {
      return await metering.report(usage);
    } catch (error) {
      return { ok: false as const, retryable: true, code: "exception", detail: error instanceof Error ? error.message : String(error) };
    }
  }

  async function drainOnce(now: Date) {
    let delivered = 0;
    let retrying = 0;
    let gaveUp = 0;
    for (const [, held] of [...unwritten]) await writeDown(held.usage, held.error, false);
    const entries = await store.due(now, 200);
    for (const entry of entries) {
      const outcome = await usageReport(entry.usage);
      if (outcome.ok) {
        await store.remove(entry.usage.requestId);
        delivered += 1;
      } else if (outcome.retryable) {
        const attempts = entry.attempts + 1;
        await store.reschedule(entry.usage.requestId, attempts, new Date(now.getTime() + backoffMs(attempts)), outcome.detail ? `${outcome.code}: ${outcome.detail}` : outcome.code, now);
        retrying += 1;
      } else {
        await store.giveUp(entry.usage.requestId, outcome.code, now);
        gaveUp += 1;
      }
    }
    return { delivered, retrying, gaveUp };
  }

  return {
    settle,
    drain(now = new Date()) {
      // One drain at a time: the periodic loop and a test's call never report the same entry at once.
      draining ??= drainOnce(now).finally(() => (draining = undefined));
      return draining;
    },
    get unwritten() {
      return unwritten.size;
    },
    start(intervalMs) {
      const timer = setInterval(() => {
        this.drain().catch((error: unknown) => log.warn({ error: error instanceof Error ? error.message : String(error) }, "usage outbox drain failed; next round retries"));
      }, intervalMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
