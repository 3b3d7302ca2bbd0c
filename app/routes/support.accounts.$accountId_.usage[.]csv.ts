// One account's usage roll-up as CSV for support; exporting is an audited act.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { recordAudit } from "~/domain/audit.server";
import { getAccountProfile } from "~/domain/support-account.server";
import { usageCsvStream, usageFilterInput, usageFilterSchema } from "~/domain/usage/query.server";
import { requestOrigin, requireRole } from "~/lib/auth.server";
import { csvDownload } from "~/lib/csv-response.server";
import { getDb } from "~/lib/db.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireRole(request, "support");
  const db = getDb();
  const account = await getAccountProfile(db, params.accountId ?? "");
  if (!account) throw new Response("Not Found", { status: 404 });
  const parsed = usageFilterSchema.safeParse(usageFilterInput(new URL(request.url).searchParams));
  if (!parsed.success) return new Response("Bad Request: invalid filter", { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  await recordAudit(db, { actorId: user.id, action: "support.usage_export", targetType: "user", targetId: account.id, details: { filter: parsed.data }, ip: requestOrigin(request, context).ip });
  return csvDownload(usageCsvStream(db, account.id, parsed.data), `ferry-usage-${account.id}`);
}
