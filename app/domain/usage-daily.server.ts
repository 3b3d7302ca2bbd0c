// Tokens an account used per UTC day, for the dashboard. Read from the ledger's usage debits for now;
// the one place to switch to per-request usage records and their daily roll-up.
import { sql } from "kysely";
import type { DbExecutor } from "~/lib/db.server";

export interface DayUsage {
  /** "YYYY-MM-DD", UTC. */
  day: string;
  tokens: number;
}

const DAY_MS = 86_400_000;

/** The last `days` UTC days ending today, oldest first, each with the tokens debited for usage (0 when none). */
export async function getDailyUsage(db: DbExecutor, accountId: string, options: { days?: number; now?: Date } = {}): Promise<DayUsage[]> {
  const days = options.days ?? 7;
  const now = options.now ?? new Date();
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const first = new Date(today - (days - 1) * DAY_MS).toISOString();
  const day = sql<string>`substr(created_at, 1, 10)`;
  const rows = await db
    .selectFrom("ledger_entries")
    .select([day.as("day"), (eb) => eb.fn.sum<number | string>("amount").as("amount")])
    .where("account_id", "=", accountId)
    .where("kind", "=", "usage")
    .where("created_at", ">=", first)
    .groupBy(day)
    .execute();
  const byDay = new Map(rows.map((row) => [row.day, -Number(row.amount)]));
  return Array.from({ length: days }, (_, index) => {
    const name = new Date(today - (days - 1 - index) * DAY_MS).toISOString().slice(0, 10);
    return { day: name, tokens: byDay.get(name) ?? 0 };
  });
}
