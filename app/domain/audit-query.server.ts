// Reading the audit log for administrators: filters, pages, and the rows of a CSV export.
import { z } from "zod";
import type { DbExecutor } from "~/lib/db.server";
import { startsWith } from "~/lib/like.server";
import { AUDIT_FILTER_FIELDS } from "./audit-filter";
import { toSafeCsv } from "./csv-export.server";

const day = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "admin.errors.dateFormat")
  .optional()
  .or(z.literal("").transform(() => undefined));
const text = z
  .string()
  .trim()
  .max(200, "admin.errors.tooLong")
  .optional()
  .transform((value) => (value ? value : undefined));

export const auditFilterSchema = z
  .object({
    actor: text,
    action: text,
    target: text,
    from: day,
    to: day,
    page: z.coerce.number().int().min(1).max(100_000).catch(1),
  })
  .refine((filter) => !filter.from || !filter.to || filter.from <= filter.to, { message: "admin.errors.dateRange", path: ["to"] });

export type AuditFilter = z.infer<typeof auditFilterSchema>;

export { AUDIT_FILTER_FIELDS };

/** The filter fields (and page) of a query string, ready for `auditFilterSchema`. */
export function auditFilterInput(params: URLSearchParams): Record<string, string | undefined> {
  return Object.fromEntries([...AUDIT_FILTER_FIELDS, "page"].map((name) => [name, params.get(name) ?? undefined]));
}

export interface AuditRow {
  id: string;
  createdAt: string;
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: string;
  ip: string | null;
}

export const AUDIT_PAGE_SIZE = 50;
/** An export is bounded so one click cannot hold the database for minutes. */
export const AUDIT_EXPORT_LIMIT = 50_000;

function filteredQuery(db: DbExecutor, filter: Omit<AuditFilter, "page">) {
  let query = db.selectFrom("audit_log").leftJoin("users", "users.id", "audit_log.actor_id");
  if (filter.actor) {
    const actor = filter.actor.toLowerCase();
    // An actor is given by account id or by e-mail (whole or its beginning).
    query = query.where((eb) =>
      eb.or([eb("audit_log.actor_id", "=", filter.actor!), startsWith(db, "users.email", actor)]),
    );
  }
  if (filter.action) query = query.where(startsWith(db, "audit_log.action", filter.action));
  if (filter.target) {
    // "type:id", or an id alone.
    const [maybeType, ...rest] = filter.target.split(":");
    if (rest.length > 0 && maybeType) {
      query = query.where("audit_log.target_type", "=", maybeType).where("audit_log.target_id", "=", rest.join(":"));
    } else {
      query = query.where("audit_log.target_id", "=", filter.target);
    }
  }
  if (filter.from) query = query.where("audit_log.created_at", ">=", `${filter.from}T00:00:00.000Z`);
  if (filter.to) query = query.where("audit_log.created_at", "<=", `${filter.to}T23:59:59.999Z`);
  return query;
}

function selectRows(query: ReturnType<typeof filteredQuery>) {
  return query
    .select([
      "audit_log.id",
      "audit_log.created_at",
      "audit_log.actor_id",
      "users.email as actor_email",
      "audit_log.action",
      "audit_log.target_type",
      "audit_log.target_id",
      "audit_log.details",
      "audit_log.ip",
    ])
    .orderBy("audit_log.created_at", "desc")
    .orderBy("audit_log.id", "desc");
}

function toRow(row: {
  id: string;
  created_at: string;
  actor_id: string | null;
  actor_email: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  details: string;
  ip: string | null;
}): AuditRow {
  return {
    id: row.id,
    createdAt: row.created_at,
    actorId: row.actor_id,
    actorEmail: row.actor_email,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    details: row.details,
    ip: row.ip,
  };
}

export async function listAuditEntries(
  db: DbExecutor,
  filter: AuditFilter,
): Promise<{ rows: AuditRow[]; total: number; page: number; pageCount: number }> {
  const base = filteredQuery(db, filter);
  const counted = await base.select((eb) => eb.fn.countAll<number>().as("count")).executeTakeFirstOrThrow();
  const total = Number(counted.count);
  const pageCount = Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE));
  const page = Math.min(filter.page, pageCount);
  const rows = await selectRows(base)
    .limit(AUDIT_PAGE_SIZE)
    .offset((page - 1) * AUDIT_PAGE_SIZE)
    .execute();
  return { rows: rows.map(toRow), total, page, pageCount };
}

/**
 * Entries about one account: done to it, done by it, or done to one of its things (keys, claims,
 * evidence, purchases: pass their ids as `relatedIds`). Newest first.
 */
export async function listAccountAuditTrail(db: DbExecutor, accountId: string, relatedIds: readonly string[] = [], limit = 100): Promise<AuditRow[]> {
  const targets = [accountId, ...relatedIds];
  const rows = await selectRows(
    db
      .selectFrom("audit_log")
      .leftJoin("users", "users.id", "audit_log.actor_id")
      .where((eb) => eb.or([eb("audit_log.target_id", "in", targets), eb("audit_log.actor_id", "=", accountId)])),
  )
    .limit(limit)
    .execute();
  return rows.map(toRow);
}

export const AUDIT_CSV_HEADER = ["time", "actor_id", "actor_email", "action", "target_type", "target_id", "details", "ip"] as const;

export async function exportAuditCsv(db: DbExecutor, filter: Omit<AuditFilter, "page">): Promise<{ csv: string; rowCount: number; truncated: boolean }> {
  const rows = await selectRows(filteredQuery(db, filter))
    .limit(AUDIT_EXPORT_LIMIT + 1)
    .execute();
  const truncated = rows.length > AUDIT_EXPORT_LIMIT;
  const kept = rows.slice(0, AUDIT_EXPORT_LIMIT).map(toRow);
  const csv = toSafeCsv(
    AUDIT_CSV_HEADER,
    kept.map((row) => [row.createdAt, row.actorId, row.actorEmail, row.action, row.targetType, row.targetId, row.details, row.ip]),
  );
  return { csv, rowCount: kept.length, truncated };
}
