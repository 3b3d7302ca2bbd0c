import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  // Each pending sign-up keeps the password chosen in its own flow; the code used decides which one
  // becomes the account's (a later sign-up for the same unverified address overwrites nothing).
  await db.schema.alterTable("email_codes").addColumn("password_hash", "text").execute();
  // Failed log-ins per (account, IP) and per IP: growing delays instead of a lock a stranger can trigger.
  await db.schema
    .createTable("login_throttle")
    .addColumn("bucket", "text", (c) => c.primaryKey())
    // Hash of the account's e-mail for (account, IP) buckets, so a password reset can clear them all.
    .addColumn("account_hash", "text")
    .addColumn("failures", "integer", (c) => c.notNull())
    .addColumn("last_failure_at", "bigint", (c) => c.notNull())
    .addColumn("next_allowed_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("login_throttle_account_idx").on("login_throttle").column("account_hash").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("login_throttle").execute();
  await db.schema.alterTable("email_codes").dropColumn("password_hash").execute();
}
