// `npm run jobs:expire`: posts the expiry entries of promo grants whose time has come. The server
// runs the same job every 10 minutes; running both, or this twice, is safe.
import { expirePromoCredit } from "~/domain/ledger.server";
import { closeDb, getDb } from "~/lib/db.server";
import { migrateToLatest } from "~/lib/migrate.server";

try {
  const db = getDb();
  await migrateToLatest(db);
  const result = await expirePromoCredit(db);
  console.log(`Expired ${result.expiredGrants} promo grant(s), ${result.tokens} token(s).`);
} catch (error) {
  console.error("jobs:expire failed:", error);
  process.exitCode = 1;
} finally {
  await closeDb();
}
