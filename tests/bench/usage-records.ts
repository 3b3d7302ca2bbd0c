// Cost of usage records on the SQLite debit fast path: debits/s with and without a record + roll-up,
// alternating in one run (the machine is shared: only the ratio means something). `npx tsx tests/bench/usage-records.ts`
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir, loadavg } from "node:os";
import { join } from "node:path";
import { createAccount } from "~/domain/accounts.server";
import { creditAccount, debitUsage } from "~/domain/ledger.server";
import { createDatabase } from "~/lib/db.server";
import { migrateToLatest } from "~/lib/migrate.server";

const dir = mkdtempSync(join(tmpdir(), "ferry-usage-bench-"));
const db = createDatabase(join(dir, "bench.sqlite"));
const DEBITS = Number(process.env.BENCH_DEBITS ?? 20_000);
const IN_FLIGHT = 64;

async function main() {
  await migrateToLatest(db);
  const user = await createAccount(db, { email: "bench@example.com", password: "correct horse battery staple 42", role: "developer", verified: true });
  await creditAccount(db, { accountId: user.id, kind: "purchase", bucket: "paid", tokens: 1e15, idempotencyKey: "bench", referenceType: "bench", referenceId: "bench" });
  let serial = 0;
  async function run(withRecords: boolean): Promise<number> {
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < DEBITS) {
          next += 1;
          serial += 1;
          const model = ["gpt-4o", "gpt-4o-mini", "gpt-3.5-turbo"][serial % 3]!;
          await debitUsage(db, { accountId: user.id, requestId: `r${serial}`, tokens: 30, usage: withRecords ? { keyId: `key_${serial % 4}`, model, providerModel: null, inputTokens: 20, cachedInputTokens: 5, outputTokens: 10 } : undefined });
        }
      }),
    );
    return Math.round(DEBITS / ((performance.now() - started) / 1000));
  }
  const figures: Record<string, number[]> = { without: [], with: [] };
  for (let round = 0; round < 3; round += 1) {
    figures.without!.push(await run(false));
    figures.with!.push(await run(true));
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[1]!;
  console.log(`load average ${loadavg().map((v) => v.toFixed(1)).join(" ")}`);
  console.log(`debits/s without records: ${figures.without!.join(", ")} (median ${median(figures.without!)})`);
  console.log(`debits/s with records:    ${figures.with!.join(", ")} (median ${median(figures.with!)})`);
  console.log(`with/without = ${(median(figures.with!) / median(figures.without!)).toFixed(2)}`);
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
}
void main();
