import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("api_keys")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    // SHA-256 (hex) of the whole key: the key itself is never stored.
    .addColumn("key_hash", "text", (c) => c.notNull().unique())
    .addColumn("visible_prefix", "text", (c) => c.notNull())
    .addColumn("last_four", "text", (c) => c.notNull())
    // Hash of the creating form's one-time token, so a resubmitted form cannot mint a second key.
    .addColumn("creation_token_hash", "text", (c) => c.unique())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("last_used_at", "text")
    .addColumn("expires_at", "text")
    .addColumn("revoked_at", "text")
    .addColumn("rolled_at", "text")
    .addColumn("rolled_to_id", "text")
    .execute();
  await db.schema.createIndex("api_keys_user_idx").on("api_keys").columns(["user_id", "created_at"]).execute();
  await db.schema.createIndex("api_keys_visible_prefix_idx").on("api_keys").column("visible_prefix").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("api_keys").execute();
}
