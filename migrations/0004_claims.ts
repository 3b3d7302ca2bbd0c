// Claims for free credit, their decisions, the identities used to catch split usage, and admin-edited settings.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("settings")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .addColumn("updated_by", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("setting_changes")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("old_value", "text")
    .addColumn("new_value", "text", (c) => c.notNull())
    .addColumn("actor_id", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("setting_changes_key_idx").on("setting_changes").columns(["key", "created_at"]).execute();

  await db.schema
    .createTable("claims")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("offered_tokens", "bigint", (c) => c.notNull())
    .addColumn("granted_tokens", "bigint")
    .addColumn("computation", "text", (c) => c.notNull())
    .addColumn("policy", "text", (c) => c.notNull())
    .addColumn("evidence_ids", "text", (c) => c.notNull().defaultTo("[]"))
    .addColumn("flags", "text", (c) => c.notNull().defaultTo("[]"))
    .addColumn("flag_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("first_approved_by", "text")
    .addColumn("first_approved_tokens", "bigint")
    .addColumn("first_approved_at", "text")
    .addColumn("decided_by", "text")
    .addColumn("decided_at", "text")
    .addColumn("decision_reason", "text")
    .addColumn("info_request", "text")
    .addColumn("ledger_entry_id", "text")
    .addColumn("submitted_at", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("claims_status_submitted_idx").on("claims").columns(["status", "submitted_at"]).execute();
  await db.schema.createIndex("claims_account_idx").on("claims").columns(["account_id", "created_at"]).execute();
  // One granted claim per account, and one claim in progress per account, enforced by the database.
  await sql`create unique index claims_one_granted_per_account on claims (account_id) where status in ('approved', 'auto_approved')`.execute(db);
  await sql`create unique index claims_one_open_per_account on claims (account_id) where status in ('pending', 'needs_info')`.execute(db);

  await db.schema
    .createTable("claim_identities")
    .addColumn("claim_id", "text", (c) => c.notNull().references("claims.id").onDelete("cascade"))
    .addColumn("account_id", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("value", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("claim_identities_pk", ["claim_id", "kind", "value"])
    .execute();
  await db.schema.createIndex("claim_identities_value_idx").on("claim_identities").columns(["kind", "value"]).execute();

  // One grant per OpenAI organization: the primary key makes a second grant for the same org fail.
  await db.schema
    .createTable("claim_org_grants")
    .addColumn("org_id", "text", (c) => c.primaryKey())
    .addColumn("claim_id", "text", (c) => c.notNull().references("claims.id").onDelete("cascade"))
    .addColumn("account_id", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("claim_decisions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("claim_id", "text", (c) => c.notNull().references("claims.id").onDelete("cascade"))
    .addColumn("actor_id", "text")
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("tokens", "bigint")
    .addColumn("reason", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("claim_decisions_claim_idx").on("claim_decisions").columns(["claim_id", "created_at"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ["claim_decisions", "claim_org_grants", "claim_identities", "claims", "setting_changes", "settings"]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
