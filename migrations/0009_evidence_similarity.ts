import type { Kysely } from "kysely";

// Near-copies between accounts: each accepted evidence's per-model daily series, its LSH band keys
// (looked up by key, so a new upload finds its few candidates without scanning), and the matches found.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("evidence_series")
    .addColumn("evidence_id", "text", (c) => c.notNull().references("evidence.id").onDelete("cascade"))
    .addColumn("model", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("first_day", "integer", (c) => c.notNull())
    .addColumn("day_values", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("evidence_series_pk", ["evidence_id", "model"])
    .execute();

  // The primary key leads with band_key: it is the look-up index.
  await db.schema
    .createTable("evidence_sketch_bands")
    .addColumn("band_key", "text", (c) => c.notNull())
    .addColumn("evidence_id", "text", (c) => c.notNull().references("evidence.id").onDelete("cascade"))
    .addColumn("model", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("evidence_sketch_bands_pk", ["band_key", "evidence_id", "model"])
    .execute();
  await db.schema.createIndex("evidence_sketch_bands_evidence_idx").on("evidence_sketch_bands").column("evidence_id").execute();

  await db.schema
    .createTable("evidence_near_copies")
    .addColumn("evidence_id", "text", (c) => c.notNull().references("evidence.id").onDelete("cascade"))
    .addColumn("model", "text", (c) => c.notNull())
    .addColumn("other_evidence_id", "text", (c) => c.notNull().references("evidence.id").onDelete("cascade"))
    .addColumn("other_model", "text", (c) => c.notNull())
    .addColumn("account_id", "text", (c) => c.notNull())
    .addColumn("other_account_id", "text", (c) => c.notNull())
    .addColumn("similarity_bp", "integer", (c) => c.notNull())
    .addColumn("matching_days", "integer", (c) => c.notNull())
    .addColumn("compared_days", "integer", (c) => c.notNull())
    .addColumn("scale_ppm", "bigint", (c) => c.notNull())
    .addColumn("shift_days", "integer", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("evidence_near_copies_pk", ["evidence_id", "model", "other_evidence_id", "other_model"])
    .execute();
  await db.schema.createIndex("evidence_near_copies_other_idx").on("evidence_near_copies").column("other_evidence_id").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ["evidence_near_copies", "evidence_sketch_bands", "evidence_series"]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
