// Per-key limits and their windowed counters, alert settings and the alerts already sent (once per
// crossing), and where leaked keys were found (issue #15, points 3, 5 and 6).
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  // One row per key that has limits of its own; a null column falls back to the provider's default.
  await db.schema
    .createTable("api_key_limits")
    .addColumn("key_id", "text", (c) => c.primaryKey().references("api_keys.id").onDelete("cascade"))
    .addColumn("requests_per_minute", "bigint")
    .addColumn("tokens_per_minute", "bigint")
    .addColumn("daily_tokens", "bigint")
    .addColumn("monthly_tokens", "bigint")
    // JSON arrays of strings; null = every model / every address.
    .addColumn("allowed_models", "text")
    .addColumn("allowed_cidrs", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();

  // Fixed UTC windows, one row per key: each window's start and what it has counted so far. The
  // authorize path bumps minute_requests, the usage debit adds tokens, each in one statement.
  await db.schema
    .createTable("api_key_counters")
    .addColumn("key_id", "text", (c) => c.primaryKey().references("api_keys.id").onDelete("cascade"))
    .addColumn("minute_start", "text", (c) => c.notNull())
    .addColumn("minute_requests", "bigint", (c) => c.notNull())
    .addColumn("minute_tokens", "bigint", (c) => c.notNull())
    .addColumn("day_start", "text", (c) => c.notNull())
    .addColumn("day_tokens", "bigint", (c) => c.notNull())
    .addColumn("month_start", "text", (c) => c.notNull())
    .addColumn("month_tokens", "bigint", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("api_key_counters_updated").on("api_key_counters").column("updated_at").execute();

  await db.schema
    .createTable("alert_settings")
    .addColumn("user_id", "text", (c) => c.primaryKey().references("users.id").onDelete("cascade"))
    // Null = 10% of the account's last grant or purchase.
    .addColumn("balance_threshold_tokens", "bigint")
    .addColumn("balance_alerts", "integer", (c) => c.notNull())
    .addColumn("promo_expiry_alerts", "integer", (c) => c.notNull())
    .addColumn("key_budget_alerts", "integer", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();

  // An alert is sent when its row is inserted (the primary key makes it once, on any instance);
  // a low-balance row is deleted when the balance recovers, which arms the next crossing.
  await db.schema
    .createTable("alert_deliveries")
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("subject_id", "text", (c) => c.notNull())
    .addColumn("period", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("alert_deliveries_pk", ["kind", "subject_id", "period"])
    .execute();
  await db.schema.createIndex("alert_deliveries_user").on("alert_deliveries").columns(["user_id", "created_at"]).execute();

  await db.schema
    .createTable("api_key_leaks")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("key_id", "text", (c) => c.notNull().references("api_keys.id").onDelete("cascade"))
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("url", "text")
    .addColumn("source", "text")
    .addColumn("reporter", "text", (c) => c.notNull())
    .addColumn("revoked_now", "integer", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("api_key_leaks_key").on("api_key_leaks").columns(["key_id", "created_at"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ["api_key_leaks", "alert_deliveries", "alert_settings", "api_key_counters", "api_key_limits"]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
