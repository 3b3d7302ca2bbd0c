import { sql } from "kysely";
import { getDb } from "~/lib/db.server";

export async function loader() {
  await sql`select 1`.execute(getDb());
  return Response.json({ ok: true }, { headers: { "Cache-Control": "no-store" } });
}
