// Help within reach (issue #12): editable help texts (FAQ, terms, privacy) per language, support
// tickets with their messages, and account deletion requests that staff carry out.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("site_texts")
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("locale", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("updated_by", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("site_texts_pk", ["kind", "locale"])
    .execute();

  await db.schema
    .createTable("support_tickets")
    .addColumn("id", "text", (c) => c.primaryKey())
    // Null for a signed-out visitor: their address is not proof that they own an account.
    .addColumn("account_id", "text", (c) => c.references("users.id"))
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("locale", "text", (c) => c.notNull())
    .addColumn("topic", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("assignee_id", "text", (c) => c.references("users.id"))
    .addColumn("closed_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("support_tickets_status_idx").on("support_tickets").columns(["status", "updated_at"]).execute();
  await db.schema.createIndex("support_tickets_assignee_idx").on("support_tickets").columns(["assignee_id", "status"]).execute();
  await db.schema.createIndex("support_tickets_account_idx").on("support_tickets").columns(["account_id", "created_at"]).execute();

  await db.schema
    .createTable("support_ticket_messages")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("ticket_id", "text", (c) => c.notNull().references("support_tickets.id"))
    .addColumn("author_id", "text", (c) => c.references("users.id"))
    .addColumn("direction", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("support_ticket_messages_ticket_idx").on("support_ticket_messages").columns(["ticket_id", "created_at"]).execute();

  await db.schema
    .createTable("account_deletion_requests")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("requested_at", "text", (c) => c.notNull())
    .addColumn("carried_out_by", "text", (c) => c.references("users.id"))
    .addColumn("carried_out_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  // One open request per account: asking twice is the same request.
  await db.schema
    .createIndex("account_deletion_requests_pending_idx")
    .on("account_deletion_requests")
    .column("account_id")
    .unique()
    .where(sql.ref("status"), "=", sql.lit("pending"))
    .execute();
  await db.schema.createIndex("account_deletion_requests_status_idx").on("account_deletion_requests").columns(["status", "requested_at"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("account_deletion_requests").ifExists().execute();
  await db.schema.dropTable("support_ticket_messages").ifExists().execute();
  await db.schema.dropTable("support_tickets").ifExists().execute();
  await db.schema.dropTable("site_texts").ifExists().execute();
}
