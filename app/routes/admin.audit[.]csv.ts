// The audit log as a spreadsheet-safe CSV download, with the same filters as the page.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { auditFilterInput, auditFilterSchema, exportAuditCsv } from "~/domain/audit-query.server";
import { recordAudit } from "~/domain/audit.server";
import { requestOrigin, requireRole } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const admin = await requireRole(request, "admin");
  const parsed = auditFilterSchema.safeParse(auditFilterInput(new URL(request.url).searchParams));
  if (!parsed.success) return new Response("Bad Request: invalid filter", { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  const { page: _page, ...filter } = parsed.data;
  const db = getDb();
  const { csv, rowCount, truncated } = await exportAuditCsv(db, filter);
  // Exporting personal data is itself an audited act.
  await recordAudit(db, { actorId: admin.id, action: "admin.audit_export", targetType: "audit_log", details: { filter, rows: rowCount, truncated }, ip: requestOrigin(request, context).ip });
  const stamp = new Date().toISOString().slice(0, 10);
  return new Response(`\uFEFF${csv}`, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="ferry-audit-${stamp}.csv"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
