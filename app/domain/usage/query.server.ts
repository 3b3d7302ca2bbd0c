// What the usage pages read: the daily roll-up for charts and tables (never the raw records, which
// are purged), a look-up of one request id, and the roll-up as a streamed, spreadsheet-safe CSV.
import { z } from "zod";
import type { DbExecutor } from "~/lib/db.server";
import { toSafeCsv, type CsvCell } from "../csv-export.server";
import { usageKey } from "../ledger.server";

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be YYYY-MM-DD").refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)), "must be a real day");
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((value) => (value ? value : undefined));

export const USAGE_PERIODS = ["7", "30", "90"] as const;
/** Longest custom period: a year and a day (leap years). */
const MAX_DAYS = 366;

export const usageFilterSchema = z
  .object({
    period: z.enum([...USAGE_PERIODS, "custom"]).default("30"),
    from: isoDay.optional().or(z.literal("").transform(() => undefined)),
    to: isoDay.optional().or(z.literal("").transform(() => undefined)),
    key: optionalText(100),
    model: optionalText(100),
    by: z.enum(["model", "key"]).default("model"),
  })
  .refine((value) => value.period !== "custom" || (value.from !== undefined && value.to !== undefined), { message: "from and to are needed for a custom period", path: ["from"] })
  .refine((value) => value.period !== "custom" || !value.from || !value.to || value.from <= value.to, { message: "from must not be after to", path: ["to"] })
  .refine((value) => value.period !== "custom" || !value.from || !value.to || daysBetween(value.from, value.to) <= MAX_DAYS, { message: `at most ${MAX_DAYS} days`, path: ["to"] });

export type UsageFilter = z.infer<typeof usageFilterSchema>;

/** The filter fields of a URL's query string (the page's form is a GET). */
export function usageFilterInput(params: URLSearchParams): Record<string, string | undefined> {
  return Object.fromEntries(["period", "from", "to", "key", "model", "by"].map((name) => [name, params.get(name) ?? undefined]));
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

function addDays(day: string, count: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + count * 86_400_000).toISOString().slice(0, 10);
}

export function usageRange(filter: UsageFilter, now: Date): { from: string; to: string } {
  if (filter.period === "custom" && filter.from && filter.to) return { from: filter.from, to: filter.to };
  const to = now.toISOString().slice(0, 10);
  const days = filter.period === "custom" ? 30 : Number(filter.period);
  return { from: addDays(to, -(days - 1)), to };
}

export interface UsageTotals {
  requests: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  debitedTokens: number;
  shortfallTokens: number;
}

export interface UsageKeyOption {
  id: string;
  name: string;
  /** As key lists show it: prefix…last four. */
  label: string;
  revoked: boolean;
}

export interface UsageSeries {
  /** A key id or a model name ("other" gathers the rest). */
  id: string;
  label: string;
  values: number[];
}

export interface UsageSummary {
  from: string;
  to: string;
  days: string[];
  /** Tokens used per day (input + output), one series per key or model, largest first. */
  series: UsageSeries[];
  /** One row per key × model over the period. */
  rows: Array<UsageTotals & { keyId: string; keyLabel: string; model: string }>;
  totals: UsageTotals;
  keys: UsageKeyOption[];
  models: string[];
}

const EMPTY: UsageTotals = { requests: 0, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, debitedTokens: 0, shortfallTokens: 0 };
/** The chart's palette has five tones: the four largest series and the rest together. */
const MAX_SERIES = 5;

function add(into: UsageTotals, row: { requests: number; input_tokens: number; cached_input_tokens: number; output_tokens: number; debited_tokens: number; shortfall_tokens: number }) {
  into.requests += Number(row.requests);
  into.inputTokens += Number(row.input_tokens);
  into.cachedInputTokens += Number(row.cached_input_tokens);
  into.outputTokens += Number(row.output_tokens);
  into.debitedTokens += Number(row.debited_tokens);
  into.shortfallTokens += Number(row.shortfall_tokens);
}

export async function listUsageKeys(db: DbExecutor, accountId: string): Promise<UsageKeyOption[]> {
  const keys = await db.selectFrom("api_keys").select(["id", "name", "visible_prefix", "last_four", "revoked_at"]).where("user_id", "=", accountId).orderBy("created_at", "desc").execute();
  return keys.map((key) => ({ id: key.id, name: key.name, label: `${key.visible_prefix}…${key.last_four}`, revoked: key.revoked_at !== null }));
}

function dailyRows(db: DbExecutor, accountId: string, filter: UsageFilter, range: { from: string; to: string }) {
  let query = db
    .selectFrom("usage_daily")
    .select(["day", "key_id", "model", "requests", "input_tokens", "cached_input_tokens", "output_tokens", "debited_tokens", "shortfall_tokens"])
    .where("account_id", "=", accountId)
    .where("day", ">=", range.from)
    .where("day", "<=", range.to);
  if (filter.key) query = query.where("key_id", "=", filter.key);
  if (filter.model) query = query.where("model", "=", filter.model);
  return query;
}

export async function getUsageSummary(db: DbExecutor, accountId: string, filter: UsageFilter, now: Date = new Date()): Promise<UsageSummary> {
  const range = usageRange(filter, now);
  const days = Array.from({ length: daysBetween(range.from, range.to) }, (_, index) => addDays(range.from, index));
  const dayIndex = new Map(days.map((day, index) => [day, index]));
  const [rows, keys, models] = await Promise.all([
    dailyRows(db, accountId, filter, range).execute(),
    listUsageKeys(db, accountId),
    db.selectFrom("usage_daily").select("model").distinct().where("account_id", "=", accountId).orderBy("model").execute(),
  ]);
  const keyLabel = new Map(keys.map((key) => [key.id, `${key.name} (${key.label})`]));

  const totals = { ...EMPTY };
  const byCell = new Map<string, UsageTotals & { keyId: string; keyLabel: string; model: string }>();
  const bySeries = new Map<string, number[]>();
  for (const row of rows) {
    add(totals, row);
    const cellId = `${row.key_id}\u0000${row.model}`;
    let cell = byCell.get(cellId);
    if (!cell) {
      cell = { ...EMPTY, keyId: row.key_id, keyLabel: keyLabel.get(row.key_id) ?? row.key_id, model: row.model };
      byCell.set(cellId, cell);
    }
    add(cell, row);
    const seriesId = filter.by === "key" ? row.key_id : row.model;
    let values = bySeries.get(seriesId);
    if (!values) {
      values = days.map(() => 0);
      bySeries.set(seriesId, values);
    }
    values[dayIndex.get(row.day)!]! += Number(row.input_tokens) + Number(row.output_tokens);
  }

  const ranked = [...bySeries].sort((a, b) => sum(b[1]) - sum(a[1]) || a[0].localeCompare(b[0]));
  const shown = ranked.length > MAX_SERIES ? ranked.slice(0, MAX_SERIES - 1) : ranked;
  const series: UsageSeries[] = shown.map(([id, values]) => ({ id, label: filter.by === "key" ? (keyLabel.get(id) ?? id) : id, values }));
  if (ranked.length > shown.length) {
    const rest = days.map((_, index) => ranked.slice(shown.length).reduce((total, [, values]) => total + values[index]!, 0));
    series.push({ id: "other", label: "other", values: rest });
  }
  const tableRows = [...byCell.values()].sort((a, b) => a.keyLabel.localeCompare(b.keyLabel) || a.model.localeCompare(b.model));
  return { ...range, days, series, rows: tableRows, totals, keys, models: models.map((row) => row.model) };
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

export type UsageRequestLookup =
  | { found: "record"; requestId: string; at: string; keyId: string; keyLabel: string | null; model: string; providerModel: string | null; inputTokens: number; cachedInputTokens: number; outputTokens: number; debitedTokens: number; shortfallTokens: number }
  /** The detailed record was purged (or predates records): the ledger's debit remains. */
  | { found: "debit"; requestId: string; at: string; tokens: number; debitedTokens: number; shortfallTokens: number }
  | { found: "none"; requestId: string };

export const requestIdSchema = z.string().trim().min(1).max(150);

/** One request of this account by the gateway's request id (another account's is "none"). */
export async function findUsageRequest(db: DbExecutor, accountId: string, requestId: string): Promise<UsageRequestLookup> {
  const record = await db
    .selectFrom("usage_records as r")
    .leftJoin("api_keys as k", "k.id", "r.key_id")
    .select(["r.request_id", "r.created_at", "r.key_id", "k.name", "k.visible_prefix", "k.last_four", "r.model", "r.provider_model", "r.input_tokens", "r.cached_input_tokens", "r.output_tokens", "r.debited_tokens", "r.shortfall_tokens"])
    .where("r.request_id", "=", requestId)
    .where("r.account_id", "=", accountId)
    .executeTakeFirst();
  if (record) {
    return {
      found: "record",
      requestId,
      at: record.created_at,
      keyId: record.key_id,
      keyLabel: record.name ? `${record.name} (${record.visible_prefix}…${record.last_four})` : null,
      model: record.model,
      providerModel: record.provider_model,
      inputTokens: Number(record.input_tokens),
      cachedInputTokens: Number(record.cached_input_tokens),
      outputTokens: Number(record.output_tokens),
      debitedTokens: Number(record.debited_tokens),
      shortfallTokens: Number(record.shortfall_tokens),
    };
  }
  const debit = await db
    .selectFrom("ledger_debits")
    .select(["created_at", "requested", "debited", "shortfall"])
    .where("idempotency_key", "=", usageKey(requestId))
    .where("account_id", "=", accountId)
    .where("kind", "=", "usage")
    .executeTakeFirst();
  if (debit) return { found: "debit", requestId, at: debit.created_at, tokens: Number(debit.requested), debitedTokens: Number(debit.debited), shortfallTokens: Number(debit.shortfall) };
  return { found: "none", requestId };
}

export const USAGE_CSV_HEADER = ["day", "key_id", "key_name", "key", "model", "requests", "input_tokens", "cached_input_tokens", "output_tokens", "debited_tokens", "shortfall_tokens"] as const;
const CSV_BATCH = 1_000;

/**
 * The filtered roll-up as CSV, read in keyset-paged batches and sent as it is read (a long
 * period of many keys and models never sits in memory at once).
 */
export function usageCsvStream(db: DbExecutor, accountId: string, filter: UsageFilter, now: Date = new Date()): ReadableStream<Uint8Array> {
  const range = usageRange(filter, now);
  const encoder = new TextEncoder();
  let keys: Map<string, UsageKeyOption> | undefined;
  let after: { day: string; key_id: string; model: string } | undefined;
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (!started) {
          started = true;
          keys = new Map((await listUsageKeys(db, accountId)).map((key) => [key.id, key]));
          // A byte-order mark, so spreadsheets read the file as UTF-8 (key names may be Chinese).
          controller.enqueue(encoder.encode(`\uFEFF${toSafeCsv(USAGE_CSV_HEADER, [])}`));
          return;
        }
        let query = dailyRows(db, accountId, filter, range).orderBy("day").orderBy("key_id").orderBy("model").limit(CSV_BATCH);
        if (after) {
          const last = after;
          query = query.where((eb) =>
            eb.or([
              eb("day", ">", last.day),
              eb.and([eb("day", "=", last.day), eb("key_id", ">", last.key_id)]),
              eb.and([eb("day", "=", last.day), eb("key_id", "=", last.key_id), eb("model", ">", last.model)]),
            ]),
          );
        }
        const rows = await query.execute();
        if (rows.length > 0) {
          const cells: CsvCell[][] = rows.map((row) => {
            const key = keys!.get(row.key_id);
            return [row.day, row.key_id, key?.name ?? "", key?.label ?? "", row.model, Number(row.requests), Number(row.input_tokens), Number(row.cached_input_tokens), Number(row.output_tokens), Number(row.debited_tokens), Number(row.shortfall_tokens)];
          });
          // toSafeCsv writes a header line first: drop it, the stream's first chunk had it.
          const csv = toSafeCsv(USAGE_CSV_HEADER, cells);
          controller.enqueue(encoder.encode(csv.slice(csv.indexOf("\r\n") + 2)));
          const last = rows[rows.length - 1]!;
          after = { day: last.day, key_id: last.key_id, model: last.model };
        }
        if (rows.length < CSV_BATCH) controller.close();
      } catch (error) {
        controller.error(error);
      }
    },
  });
}

/** Deletes raw records older than `retentionDays` (the roll-up stays), in batches; returns how many. */
export async function purgeUsageRecords(db: DbExecutor, retentionDays: number, now: Date = new Date(), batch = 5_000): Promise<number> {
  if (!Number.isInteger(retentionDays) || retentionDays < 1) throw new Error("retentionDays: a positive integer");
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000).toISOString();
  let deleted = 0;
  for (;;) {
    const result = await db
      .deleteFrom("usage_records")
      .where("request_id", "in", (eb) => eb.selectFrom("usage_records").select("request_id").where("created_at", "<", cutoff).limit(batch))
      .executeTakeFirst();
    const count = Number(result.numDeletedRows);
    deleted += count;
    if (count < batch) return deleted;
  }
}
