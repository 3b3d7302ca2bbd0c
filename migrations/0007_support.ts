// Indexes for the support console and the admin audit log: prefix searches and action filters.
import { sql, type Kysely } from "kysely";

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter.constructor.name.toLowerCase().includes("postgres");
}

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex("audit_log_action_idx").on("audit_log").columns(["action", "created_at"]).execute();
  if (isPostgres(db)) {
    // `LIKE 'prefix%'` only uses a b-tree index under the C collation or with pattern ops.
    await sql`create index users_email_pattern_idx on users (email text_pattern_ops)`.execute(db);
    await sql`create index evidence_org_pattern_idx on evidence (org_id text_pattern_ops)`.execute(db);
    await sql`create index api_keys_prefix_pattern_idx on api_keys (visible_prefix text_pattern_ops)`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("audit_log_action_idx").ifExists().execute();
  if (isPostgres(db)) {
    await sql`drop index if exists users_email_pattern_idx`.execute(db);
    await sql`drop index if exists evidence_org_pattern_idx`.execute(db);
    await sql`drop index if exists api_keys_prefix_pattern_idx`.execute(db);
  }
}
