import { Migrator, type MigrationResultSet } from "kysely";
import { migrations } from "../../migrations/index";
import type { Db } from "./db.server";

export async function migrateToLatest(db: Db): Promise<MigrationResultSet> {
  // Capabilities land from parallel branches, so a later-numbered migration may already be applied.
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error;
  return result;
}
