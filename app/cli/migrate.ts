// `npm run migrate`: brings the database named by DATABASE_URL to the latest schema.
import { closeDb, getDb } from "~/lib/db.server";
import { migrateAppDatabase } from "~/lib/migrate.server";

const result = await migrateAppDatabase(getDb());
const applied = result.results?.filter((entry) => entry.status === "Success") ?? [];
console.log(applied.length ? `Applied: ${applied.map((entry) => entry.migrationName).join(", ")}` : "Already up to date.");
await closeDb();
