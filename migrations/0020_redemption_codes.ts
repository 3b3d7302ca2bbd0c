// Redemption codes (batches of hashed codes, each redemption a row) and referrals (issue 17).
// Unique (code, account) and (campaign, account) make "once per account" a database rule, so two
// racing redemptions cannot both pass; `uses_left` is decremented conditionally in the same
// transaction as the ledger credit.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("code_batches")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("campaign", "text")
    /** The campaign name lowercased, or `batch:<id>` without one: an account redeems it once. */
    .addColumn("campaign_key", "text", (c) => c.notNull())
    .addColumn("tokens", "bigint", (c) => c.notNull())
    .addColumn("bucket", "text", (c) => c.notNull())
    .addColumn("code_count", "integer", (c) => c.notNull())
    .addColumn("uses_per_code", "integer", (c) => c.notNull())
    .addColumn("credit_days", "integer")
    .addColumn("credit_expires_at", "text")
    .addColumn("code_expires_at", "text")
    .addColumn("requires_evidence", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("new_accounts_only", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull())
    .addColumn("approved_by", "text")
    .addColumn("approved_at", "text")
    .addColumn("disabled_by", "text")
    .addColumn("disabled_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("code_batches_created_idx").on("code_batches").columns(["created_at"]).execute();

  await db.schema
    .createTable("redemption_codes")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("batch_id", "text", (c) => c.notNull().references("code_batches.id").onDelete("cascade"))
    .addColumn("code_hash", "text", (c) => c.notNull().unique())
    .addColumn("uses_left", "integer", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("redemption_codes_batch_idx").on("redemption_codes").columns(["batch_id"]).execute();

  await db.schema
    .createTable("code_redemptions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("code_id", "text", (c) => c.notNull().references("redemption_codes.id").onDelete("cascade"))
    .addColumn("batch_id", "text", (c) => c.notNull())
    .addColumn("campaign_key", "text", (c) => c.notNull())
    .addColumn("account_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("tokens", "bigint", (c) => c.notNull())
    .addColumn("ledger_entry_id", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("code_redemptions_code_account_uq", ["code_id", "account_id"])
    .addUniqueConstraint("code_redemptions_campaign_account_uq", ["campaign_key", "account_id"])
    .execute();
  await db.schema.createIndex("code_redemptions_batch_idx").on("code_redemptions").columns(["batch_id"]).execute();

  await db.schema
    .createTable("referral_links")
    .addColumn("account_id", "text", (c) => c.primaryKey().references("users.id").onDelete("cascade"))
    .addColumn("code", "text", (c) => c.notNull().unique())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("referrals")
    // One referrer per invitee, so an invitee gives at most one bonus.
    .addColumn("invitee_id", "text", (c) => c.primaryKey().references("users.id").onDelete("cascade"))
    /** What the ledger entries refer to: neither side sees the other's account id. */
    .addColumn("id", "text", (c) => c.notNull().unique())
    .addColumn("referrer_id", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("refusal", "text")
    .addColumn("bonus_tokens", "bigint")
    .addColumn("claim_id", "text")
    .addColumn("decided_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("referrals_referrer_idx").on("referrals").columns(["referrer_id", "created_at"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("referrals").ifExists().execute();
  await db.schema.dropTable("referral_links").ifExists().execute();
  await db.schema.dropTable("code_redemptions").ifExists().execute();
  await db.schema.dropTable("redemption_codes").ifExists().execute();
  await db.schema.dropTable("code_batches").ifExists().execute();
}
