import type { Kysely } from "kysely";

// Rejected evidence the developer removed: hidden from them, kept (and marked) for staff and support.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("evidence").addColumn("removed_at", "text").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("evidence").dropColumn("removed_at").execute();
}
