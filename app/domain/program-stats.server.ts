// The program at a glance: per-week numbers for the admin overview. Days are grouped in SQL
// (the same text functions on both dialects), weeks (Monday, UTC) in code.
import { sql } from "kysely";
import { ORGANIZATION_ROLE } from "~/lib/db-schema";
import type { DbExecutor } from "~/lib/db.server";

export const STATS_WEEKS = 12;

/** Monday 00:00 UTC of the week holding `date`, as "YYYY-MM-DD". */
export function weekStart(date: Date): string {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const sinceMonday = (day.getUTCDay() + 6) % 7;
  day.setUTCDate(day.getUTCDate() - sinceMonday);
  return day.toISOString().slice(0, 10);
}

/** The last `count` week starts, oldest first, the current week last. */
export function recentWeeks(now: Date, count = STATS_WEEKS): string[] {
  const current = new Date(`${weekStart(now)}T00:00:00.000Z`);
  const weeks: string[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const week = new Date(current);
    week.setUTCDate(week.getUTCDate() - 7 * i);
    weeks.push(week.toISOString().slice(0, 10));
  }
  return weeks;
}

/** Adds per-day amounts into the week they fall in; days before the first week are dropped. */
export function bucketByWeek(weeks: readonly string[], perDay: ReadonlyArray<{ day: string; amount: number }>): number[] {
  const totals = weeks.map(() => 0);
  const index = new Map(weeks.map((week, i) => [week, i]));
  for (const { day, amount } of perDay) {
    const slot = index.get(weekStart(new Date(`${day}T00:00:00.000Z`)));
    if (slot !== undefined) totals[slot] = (totals[slot] ?? 0) + amount;
  }
  return totals;
}

const dayOf = (column: string) => sql<string>`substr(${sql.ref(column)}, 1, 10)`;

export interface WeeklySeries {
  key: string;
  values: number[];
}

export interface ProgramNumbers {
  weeks: string[];
  accounts: WeeklySeries[];
  claims: WeeklySeries[];
  tokens: WeeklySeries[];
  totals: { accounts: number; verified: number };
}

async function accountsPerWeek(db: DbExecutor, weeks: string[]): Promise<WeeklySeries[]> {
  const since = `${weeks[0]}T00:00:00.000Z`;
  const signups = await db
    .selectFrom("users")
    .select([dayOf("created_at").as("day"), (eb) => eb.fn.countAll<number>().as("amount")])
    .where("created_at", ">=", since)
    .where("role", "!=", ORGANIZATION_ROLE)
    .groupBy(dayOf("created_at"))
    .execute();
  const verified = await db
    .selectFrom("users")
    .select([dayOf("email_verified_at").as("day"), (eb) => eb.fn.countAll<number>().as("amount")])
    .where("email_verified_at", ">=", since)
    .where("role", "!=", ORGANIZATION_ROLE)
    .groupBy(dayOf("email_verified_at"))
    .execute();
  const numeric = (rows: Array<{ day: string; amount: number }>) => rows.map((row) => ({ day: row.day, amount: Number(row.amount) }));
  return [
    { key: "signups", values: bucketByWeek(weeks, numeric(signups)) },
    { key: "verified", values: bucketByWeek(weeks, numeric(verified)) },
  ];
}

export const CLAIM_STATUSES = ["pending", "needs_info", "auto_approved", "approved", "rejected"] as const;

/** Claims submitted each week, split by where they stand now. */
async function claimsPerWeek(db: DbExecutor, weeks: string[]): Promise<WeeklySeries[]> {
  const rows = await db
    .selectFrom("claims")
    .select(["status", dayOf("submitted_at").as("day"), (eb) => eb.fn.countAll<number>().as("amount")])
    .where("submitted_at", ">=", `${weeks[0]}T00:00:00.000Z`)
    .groupBy(["status", dayOf("submitted_at")])
    .execute();
  return CLAIM_STATUSES.map((status) => ({
    key: status,
    values: bucketByWeek(
      weeks,
      rows.filter((row) => row.status === status).map((row) => ({ day: row.day, amount: Number(row.amount) })),
    ),
  }));
}

/**
 * Tokens granted (grants), added by staff adjustments (counted apart from grants: they follow
 * other rules), used (usage debits) and expired (expiry entries), each as a positive number.
 */
async function tokensPerWeek(db: DbExecutor, weeks: string[]): Promise<WeeklySeries[]> {
  const rows = await db
    .selectFrom("ledger_entries")
    .select(["kind", dayOf("created_at").as("day"), (eb) => eb.fn.sum<number>("amount").as("amount")])
    .where("created_at", ">=", `${weeks[0]}T00:00:00.000Z`)
    .where("kind", "in", ["grant", "adjustment", "usage", "expiry"])
    .groupBy(["kind", dayOf("created_at")])
    .execute();
  const series = (kind: string) =>
    bucketByWeek(
      weeks,
      rows.filter((row) => row.kind === kind).map((row) => ({ day: row.day, amount: Math.abs(Number(row.amount)) })),
    );
  return [
    { key: "granted", values: series("grant") },
    { key: "adjusted", values: series("adjustment") },
    { key: "used", values: series("usage") },
    { key: "expired", values: series("expiry") },
  ];
}

export async function getProgramNumbers(db: DbExecutor, now: Date = new Date()): Promise<ProgramNumbers> {
  const weeks = recentWeeks(now);
  const totals = await db
    .selectFrom("users")
    .select([(eb) => eb.fn.countAll<number>().as("accounts"), (eb) => eb.fn.count<number>("email_verified_at").as("verified")])
    // Organizations' ledger rows are not sign-ups.
    .where("role", "!=", ORGANIZATION_ROLE)
    .executeTakeFirstOrThrow();
  return {
    weeks,
    accounts: await accountsPerWeek(db, weeks),
    claims: await claimsPerWeek(db, weeks),
    tokens: await tokensPerWeek(db, weeks),
    totals: { accounts: Number(totals.accounts), verified: Number(totals.verified) },
  };
}
