// `npm run ledger:verify`: proves every cached balance equals the sum of the ledger's entries and
// that nothing is negative. Exit code 0 when consistent, 1 on any mismatch (for cron and CI).
import { verifyLedger } from "~/domain/ledger.server";
import { closeDb, getDb } from "~/lib/db.server";
import { migrateToLatest } from "~/lib/migrate.server";

try {
  const db = getDb();
  await migrateToLatest(db);
  const result = await verifyLedger(db);
  console.log(`Ledger: ${result.entries} entries, ${result.accounts} accounts, ${result.grants} promo grants.`);
  if (result.ok) {
    console.log("OK: every cached balance equals the sum of its entries; nothing is negative.");
  } else {
    console.error(`MISMATCH: ${result.mismatches.length} problem(s):`);
    for (const mismatch of result.mismatches.slice(0, 100)) console.error(`  ${JSON.stringify(mismatch)}`);
    if (result.mismatches.length > 100) console.error(`  … and ${result.mismatches.length - 100} more`);
    process.exitCode = 1;
  }
} catch (error) {
  console.error("ledger:verify failed:", error);
  process.exitCode = 2;
} finally {
  await closeDb();
}
