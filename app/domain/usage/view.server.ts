// Everything the usage page shows for one account, from the page's query string: the same for the
// developer (/account/usage) and for support (/support/accounts/:id/usage).
import type { DbExecutor } from "~/lib/db.server";
import { findUsageRequest, getUsageSummary, requestIdSchema, usageFilterSchema, type UsageFilter, type UsageRequestLookup, type UsageSummary } from "./query.server";

const FILTER_FIELDS = ["period", "from", "to", "key", "model", "by"] as const;

export interface UsageView {
  summary: UsageSummary;
  /** The filter as the form shows it (strings). */
  filter: Record<(typeof FILTER_FIELDS)[number], string>;
  lookup: UsageRequestLookup | null;
}

export type UsageViewOutcome = ({ ok: true } & UsageView & { parsed: UsageFilter }) | { ok: false; message: string };

export async function loadUsageView(db: DbExecutor, accountId: string, params: URLSearchParams, now: Date = new Date()): Promise<UsageViewOutcome> {
  const input = Object.fromEntries(FILTER_FIELDS.map((name) => [name, params.get(name) ?? undefined]));
  const parsed = usageFilterSchema.safeParse(input);
  if (!parsed.success) return { ok: false, message: parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ") };
  const requestId = requestIdSchema.safeParse(params.get("request") ?? "");
  const [summary, lookup] = await Promise.all([getUsageSummary(db, accountId, parsed.data, now), requestId.success ? findUsageRequest(db, accountId, requestId.data) : null]);
  const filter = {
    period: parsed.data.period,
    from: parsed.data.period === "custom" ? (parsed.data.from ?? "") : summary.from,
    to: parsed.data.period === "custom" ? (parsed.data.to ?? "") : summary.to,
    key: parsed.data.key ?? "",
    model: parsed.data.model ?? "",
    by: parsed.data.by,
  };
  return { ok: true, summary, filter, lookup, parsed: parsed.data };
}

/** The CSV link for the same filters. */
export function usageCsvQuery(filter: UsageView["filter"]): string {
  const query = new URLSearchParams(Object.entries(filter).filter(([, value]) => value !== ""));
  return query.toString();
}
