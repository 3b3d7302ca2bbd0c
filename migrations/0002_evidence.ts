import type { Kysely } from "kysely";

// Usage evidence: one row per uploaded or fetched proof, plus its per-day × per-model totals.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("evidence")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("file_name", "text")
    .addColumn("file_sha256", "text")
    .addColumn("file_bytes", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("fingerprint", "text")
    .addColumn("org_id", "text")
    .addColumn("period_start", "text")
    .addColumn("period_end", "text")
    .addColumn("row_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("input_tokens", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("output_tokens", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("cost_micros", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("reasons", "text", (c) => c.notNull().defaultTo("[]"))
    .addColumn("flags", "text", (c) => c.notNull().defaultTo("[]"))
    .addColumn("summary", "text", (c) => c.notNull().defaultTo("{}"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("evidence_user_idx").on("evidence").columns(["user_id", "created_at"]).execute();
  await db.schema.createIndex("evidence_org_idx").on("evidence").column("org_id").execute();
  await db.schema.createIndex("evidence_fingerprint_idx").on("evidence").column("fingerprint").execute();
  await db.schema.createIndex("evidence_sha_idx").on("evidence").column("file_sha256").execute();

  await db.schema
    .createTable("evidence_usage_days")
    .addColumn("evidence_id", "text", (c) => c.notNull().references("evidence.id").onDelete("cascade"))
    .addColumn("day", "text", (c) => c.notNull())
    .addColumn("model", "text", (c) => c.notNull())
    .addColumn("input_tokens", "bigint", (c) => c.notNull())
    .addColumn("output_tokens", "bigint", (c) => c.notNull())
    .addColumn("cost_micros", "bigint", (c) => c.notNull())
    .addColumn("requests", "bigint", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("evidence_usage_days_pk", ["evidence_id", "day", "model"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("evidence_usage_days").execute();
  await db.schema.dropTable("evidence").execute();
}
