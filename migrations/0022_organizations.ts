// Organizations (issue #17, points 4–5). An organization's credit, evidence, claim and keys hang
// off a ledger owner row in `users` (role 'organization', a password hash that can never verify,
// an address at the reserved `.invalid` domain), so the ledger tables, the SQLite fast path and
// the PostgreSQL batch function work unchanged. These tables hold who belongs to it and how.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("organizations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    // The users row that owns the organization's ledger, evidence, claims and keys.
    .addColumn("ledger_account_id", "text", (c) => c.notNull().unique().references("users.id"))
    .addColumn("created_by", "text", (c) => c.notNull().references("users.id"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    // Deleted by an owner: members, invitations and keys are gone; the ledger row and its history stay.
    .addColumn("deleted_at", "text")
    .execute();
  await db.schema.createIndex("organizations_name_idx").on("organizations").column("name").execute();

  await db.schema
    .createTable("organization_members")
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id").onDelete("cascade"))
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("role", "text", (c) => c.notNull())
    // Tokens per calendar month (UTC) the member's organization keys may spend; null = no budget.
    .addColumn("monthly_token_budget", "bigint")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("organization_members_pk", ["organization_id", "user_id"])
    .execute();
  await db.schema.createIndex("organization_members_user_idx").on("organization_members").column("user_id").execute();

  await db.schema
    .createTable("organization_invitations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id").onDelete("cascade"))
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("role", "text", (c) => c.notNull())
    // SHA-256 of the link's token: the token itself is only in the e-mail.
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("invited_by", "text", (c) => c.notNull().references("users.id"))
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("accepted_at", "text")
    .addColumn("accepted_by", "text")
    .addColumn("revoked_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("organization_invitations_org_idx").on("organization_invitations").columns(["organization_id", "created_at"]).execute();

  // The member who created an organization key (null for an account's own keys): per-member
  // budgets and usage by member read it; removing the member revokes the keys it names.
  await db.schema.alterTable("api_keys").addColumn("created_by", "text").execute();
  await db.schema.createIndex("api_keys_created_by_idx").on("api_keys").columns(["user_id", "created_by"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("api_keys_created_by_idx").execute();
  await db.schema.alterTable("api_keys").dropColumn("created_by").execute();
  await db.schema.dropTable("organization_invitations").execute();
  await db.schema.dropTable("organization_members").execute();
  await db.schema.dropTable("organizations").execute();
}
