// Paid top-ups: one row per Checkout purchase, the Stripe events already processed (exactly-once
// crediting), and what a refund could not take back because the tokens were already spent.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("purchases")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("pack_id", "text", (c) => c.notNull())
    .addColumn("tokens", "bigint", (c) => c.notNull())
    .addColumn("amount", "bigint", (c) => c.notNull())
    .addColumn("currency", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("idempotency_key", "text", (c) => c.notNull().unique())
    .addColumn("checkout_session_id", "text", (c) => c.unique())
    .addColumn("payment_intent_id", "text")
    .addColumn("ledger_entry_id", "text")
    .addColumn("refunded_amount", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("refunded_tokens", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("paid_at", "text")
    .addColumn("refunded_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addCheckConstraint("purchases_state_check", sql`state in ('pending', 'paid', 'refunded', 'failed', 'expired')`)
    .addCheckConstraint("purchases_amounts_check", sql`tokens > 0 and amount > 0 and refunded_amount >= 0 and refunded_tokens >= 0 and refunded_tokens <= tokens`)
    .execute();
  await db.schema.createIndex("purchases_account_created_idx").on("purchases").columns(["account_id", "created_at"]).execute();
  await db.schema.createIndex("purchases_payment_intent_idx").on("purchases").column("payment_intent_id").execute();

  await db.schema
    .createTable("stripe_events")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("purchase_id", "text")
    .addColumn("outcome", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  // Tokens a refund should have taken back but that were already spent: owed until a later
  // purchase settles them; while anything is owed, the gateway refuses new usage.
  await db.schema
    .createTable("billing_debts")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("purchase_id", "text", (c) => c.notNull().references("purchases.id"))
    .addColumn("tokens", "bigint", (c) => c.notNull())
    .addColumn("settled_tokens", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addCheckConstraint("billing_debts_tokens_check", sql`tokens > 0 and settled_tokens >= 0 and settled_tokens <= tokens`)
    .execute();
  await db.schema.createIndex("billing_debts_account_idx").on("billing_debts").column("account_id").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ["billing_debts", "stripe_events", "purchases"]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
