// Second factors (TOTP with recovery codes) and what the sessions page shows: each session's
// second-factor state, when it was last seen.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("two_factor_totp")
    .addColumn("user_id", "text", (c) => c.primaryKey().references("users.id").onDelete("cascade"))
    .addColumn("secret_ciphertext", "text", (c) => c.notNull())
    .addColumn("confirmed_at", "text")
    .addColumn("last_used_step", "bigint")
    .addColumn("failed_attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("locked_until", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("two_factor_recovery_codes")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("code_hash", "text", (c) => c.notNull())
    .addColumn("used_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("two_factor_recovery_codes_user_hash_idx")
    .on("two_factor_recovery_codes")
    .columns(["user_id", "code_hash"])
    .unique()
    .execute();

  // "none": no second factor was asked at log-in; "enrol" / "verify": the password was right and
  // the session waits for a factor; "passed": the second factor was given.
  await db.schema.alterTable("sessions").addColumn("second_factor", "text", (c) => c.notNull().defaultTo("none")).execute();
  await db.schema.alterTable("sessions").addColumn("last_seen_at", "text").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("sessions").dropColumn("last_seen_at").execute();
  await db.schema.alterTable("sessions").dropColumn("second_factor").execute();
  await db.schema.dropTable("two_factor_recovery_codes").ifExists().execute();
  await db.schema.dropTable("two_factor_totp").ifExists().execute();
}
