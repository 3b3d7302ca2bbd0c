// The metering proxy's outbox (issue #16): a usage debit that could not be written when the request
// finished waits here, keyed by its request id, until a retry lands it in the ledger exactly once.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("proxy_usage_outbox")
    .addColumn("request_id", "text", (c) => c.primaryKey())
    // The usage report as JSON: key, account, requested and provider model, token split.
    .addColumn("report", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("next_attempt_at", "text", (c) => c.notNull())
    .addColumn("last_error", "text")
    // Set when the ledger refused the report for good (unknown key, conflicting numbers): kept for operators.
    .addColumn("gave_up_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("proxy_usage_outbox_due").on("proxy_usage_outbox").columns(["gave_up_at", "next_attempt_at"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("proxy_usage_outbox").ifExists().execute();
}
