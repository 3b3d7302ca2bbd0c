// kill -9 in the middle of a stream of gateway debits, on SQLite and on PostgreSQL: every request
// the server answered 200 is in the ledger exactly once after the crash, and replaying every
// request after the restart (answered or not, twice at once) never debits anything twice.
import { afterEach, describe, expect, it } from "vitest";
import { startServer, type ServerProcess } from "../fixtures/server-process";
import { freshDatabase, inParallel, postgresSkipNotice, postUsage, runLedgerVerify, seedPaidAccount, serverEnv, type Dialect, type FreshDatabase, type UsageAnswer, type UsageReport } from "./harness";

/** Requests in flight at any moment of the stream: enough that the kill lands mid-request. */
const IN_FLIGHT = 32;
/** Answers after which the server is killed. */
const KILL_AFTER_ANSWERS = 150;
const CREDIT = 10_000_000;

let database: FreshDatabase | undefined;
let servers: ServerProcess[] = [];
afterEach(async () => {
  for (const server of servers) await server.stop();
  servers = [];
  await database?.drop();
  database = undefined;
});

/**
 * Sends reports IN_FLIGHT at a time and kills the server once KILL_AFTER_ANSWERS were answered 200.
 * Unanswered: no answer at all, or another status (a busy server's 503): either may have committed.
 */
async function streamUntilCrash(server: ServerProcess, reports: UsageReport[]) {
  const answered = new Map<string, UsageAnswer>();
  const unanswered = new Set<string>();
  let cutOff = 0;
  let next = 0;
  let crash: Promise<void> | undefined;
  const worker = async () => {
    // Each worker stops at its first request without any answer after the kill.
    while (next < reports.length) {
      const report = reports[next++]!;
      const outcome = await postUsage(server.url, report);
      if (outcome.status !== 200) {
        unanswered.add(report.request_id);
        // Before the kill, a failed connection is the client's (a keep-alive socket closed under it).
        if (outcome.status === 0 && crash) {
          cutOff += 1;
          return;
        }
        continue;
      }
      answered.set(report.request_id, outcome.body);
      if (answered.size >= KILL_AFTER_ANSWERS) crash ??= server.crash();
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  await crash;
  return { answered, unanswered, cutOff };
}

async function usageRows(database: FreshDatabase, accountId: string) {
  const debits = await database.db.selectFrom("ledger_debits").select(["reference_id", "debited", "shortfall"]).where("account_id", "=", accountId).where("kind", "=", "usage").execute();
  const entries = await database.db.selectFrom("ledger_entries").select(["reference_id", "amount"]).where("account_id", "=", accountId).where("kind", "=", "usage").execute();
  const count = (rows: Array<{ reference_id: string }>) => {
    const counts = new Map<string, number>();
    for (const row of rows) counts.set(row.reference_id, (counts.get(row.reference_id) ?? 0) + 1);
    return counts;
  };
  return { debits, entries, debitCount: count(debits), entryCount: count(entries) };
}

async function crashAndReplay(dialect: Dialect) {
  database = await freshDatabase(dialect);
  const account = await seedPaidAccount(database.db, CREDIT);
  const reports: UsageReport[] = Array.from({ length: KILL_AFTER_ANSWERS * 4 }, (_, index) => ({
    request_id: `crash-${dialect}-${index}`,
    key_id: account.keyId,
    model: "gpt-4o-mini",
    input_tokens: 100 + (index % 7),
    output_tokens: 20 + (index % 5),
  }));
  const tokensOf = new Map(reports.map((report) => [report.request_id, report.input_tokens + report.output_tokens]));

  const first = await startServer({ label: `${dialect} before the crash`, env: serverEnv(database.url) });
  servers.push(first);
  const { answered, unanswered, cutOff } = await streamUntilCrash(first, reports);
  expect(first.child.signalCode).toBe("SIGKILL");
  expect(answered.size).toBeGreaterThanOrEqual(KILL_AFTER_ANSWERS);
  // Every worker ends on a request the dead server never answered.
  expect(cutOff).toBe(IN_FLIGHT);

  // Durable: each answered request is in the ledger exactly once, as answered.
  const afterCrash = await usageRows(database, account.accountId);
  for (const [requestId, answer] of answered) {
    expect(answer.duplicate).toBe(false);
    expect(answer.debited_tokens).toBe(tokensOf.get(requestId));
    expect(afterCrash.debitCount.get(requestId), requestId).toBe(1);
    expect(afterCrash.entryCount.get(requestId), requestId).toBe(1);
  }
  const committedUnanswered = [...unanswered].filter((requestId) => afterCrash.debitCount.has(requestId)).length;
  for (const requestId of afterCrash.debitCount.keys()) expect(answered.has(requestId) || unanswered.has(requestId), requestId).toBe(true);

  // Restart on the same database and replay everything that was sent, each report twice at once.
  const second = await startServer({ label: `${dialect} after the crash`, env: serverEnv(database.url) });
  servers.push(second);
  const sent = reports.filter((report) => answered.has(report.request_id) || unanswered.has(report.request_id));
  const twice = sent.flatMap((report) => [report, report]);
  const retried: number[] = [];
  const replays = await inParallel(twice, IN_FLIGHT * 2, (report) => postUsage(second.url, report, { retry: true, onRetry: (status) => retried.push(status) }));
  expect(second.child.exitCode, second.output()).toBeNull();
  const fresh = new Map<string, number>();
  for (const [index, replay] of replays.entries()) {
    const report = twice[index]!;
    expect(replay.status, `${JSON.stringify(replay.body)}\n${second.output().slice(-3000)}`).toBe(200);
    const earlier = answered.get(report.request_id);
    if (earlier) {
      expect(replay.body).toMatchObject({ duplicate: true, debited_tokens: earlier.debited_tokens, shortfall_tokens: earlier.shortfall_tokens });
    } else if (!replay.body.duplicate) {
      fresh.set(report.request_id, (fresh.get(report.request_id) ?? 0) + 1);
    }
  }
  for (const [requestId, times] of fresh) expect(times, requestId).toBe(1);

  // Exactly once each, the sums agree with the balance, and ledger:verify is clean.
  const final = await usageRows(database, account.accountId);
  expect(final.debitCount.size).toBe(sent.length);
  expect(final.entryCount.size).toBe(sent.length);
  for (const report of sent) {
    expect(final.debitCount.get(report.request_id), report.request_id).toBe(1);
    expect(final.entryCount.get(report.request_id), report.request_id).toBe(1);
  }
  const debited = final.debits.reduce((sum, row) => sum + Number(row.debited), 0);
  expect(debited).toBe(sent.reduce((sum, report) => sum + tokensOf.get(report.request_id)!, 0));
  expect(final.entries.reduce((sum, row) => sum + Number(row.amount), 0)).toBe(-debited);
  const balance = await database.db.selectFrom("account_balances").select(({ fn }) => fn.sum<number>("paid").as("paid")).where("account_id", "=", account.accountId).executeTakeFirstOrThrow();
  expect(Number(balance.paid)).toBe(CREDIT - debited);
  await second.stop();
  const verified = await runLedgerVerify(database.url);
  expect(verified.code, verified.output).toBe(0);
  console.info(`[crash ${dialect}] answered before kill -9: ${answered.size}; unanswered: ${unanswered.size}, ${cutOff} cut off by the kill (${committedUnanswered} of them committed anyway); replayed ${replays.length}, ${fresh.size} debited for the first time on replay; ${retried.length} replay deliveries retried (statuses ${[...new Set(retried)].join(", ") || "none"}).`);
}

describe("kill -9 during a stream of debits", () => {
  it("on SQLite: answered debits survive exactly once, replays never double", () => crashAndReplay("sqlite"));

  const noPostgres = postgresSkipNotice("crash test on PostgreSQL");
  it.skipIf(noPostgres)("on PostgreSQL: answered debits survive exactly once, replays never double", () => crashAndReplay("postgres"));
});
