import { Migrator, type MigrationResultSet } from "kysely";
import { migrations } from "../../migrations/index";
import { createDatabase, databaseLimitsFromEnv, isPostgresUrl, type Db } from "./db.server";
import { getEnv } from "./env.server";

function migratorFor(db: Db): Migrator {
  // Capabilities land from parallel branches, so a later-numbered migration may already be applied.
  return new Migrator({ db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true });
}

export async function migrateToLatest(db: Db): Promise<MigrationResultSet> {
  const result = await migratorFor(db).migrateToLatest();
  if (result.error) throw result.error;
  return result;
}

/** Up or down to the named migration (tests and benchmarks of a migration's two sides). */
export async function migrateTo(db: Db, name: keyof typeof migrations): Promise<MigrationResultSet> {
  const result = await migratorFor(db).migrateTo(name);
  if (result.error) throw result.error;
  return result;
}

/**
 * The app's migration run. On PostgreSQL it uses a connection of its own without the statement
 * time limit (an index on a big table may take minutes); the lock time limit stays, so a migration
 * waiting on a busy table fails fast and is retried rather than queueing every request behind it.
 */
export async function migrateAppDatabase(db: Db): Promise<MigrationResultSet> {
  const url = getEnv().DATABASE_URL;
  if (!isPostgresUrl(url)) return migrateToLatest(db);
  const migrationDb = createDatabase(url, { ...databaseLimitsFromEnv(), poolMax: 1, statementTimeoutMs: 0 });
  try {
    return await migrateToLatest(migrationDb);
  } finally {
    await migrationDb.destroy();
  }
}
