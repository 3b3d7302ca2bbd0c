// Credit adjustments that add tokens: each one a row, applied at once when small, or waiting for a
// second staff member. Taking credit back stays a plain ledger entry.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("credit_adjustments")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("tokens", "bigint", (c) => c.notNull())
    .addColumn("bucket", "text", (c) => c.notNull())
    .addColumn("expires_at", "text")
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("proposed_by", "text", (c) => c.notNull())
    .addColumn("approved_by", "text")
    .addColumn("decided_by", "text")
    .addColumn("decided_at", "text")
    .addColumn("decision_reason", "text")
    .addColumn("ledger_entry_id", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("credit_adjustments_status_idx").on("credit_adjustments").columns(["status", "created_at"]).execute();
  await db.schema.createIndex("credit_adjustments_account_idx").on("credit_adjustments").columns(["account_id", "created_at"]).execute();
  await db.schema.createIndex("credit_adjustments_proposer_idx").on("credit_adjustments").columns(["proposed_by", "account_id", "created_at"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("credit_adjustments").ifExists().execute();
}
