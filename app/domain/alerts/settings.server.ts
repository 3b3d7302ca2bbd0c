// A developer's alert settings: which alerts to receive, and below which balance (default 10% of
// the account's last grant or purchase). No row = every alert on, the default threshold.
import { z } from "zod";
import type { DbExecutor } from "~/lib/db.server";
import { recordAudit } from "../audit.server";
import { optionalCount } from "../key-limits/limits";

export interface AlertSettings {
  /** The developer's own threshold, or null for the default. */
  balanceThresholdTokens: number | null;
  balanceAlerts: boolean;
  promoExpiryAlerts: boolean;
  keyBudgetAlerts: boolean;
}

export const DEFAULT_ALERT_SETTINGS: AlertSettings = { balanceThresholdTokens: null, balanceAlerts: true, promoExpiryAlerts: true, keyBudgetAlerts: true };
export const DEFAULT_THRESHOLD_PERCENT = 10;

export function defaultThreshold(lastCreditTokens: number | null): number | null {
  return lastCreditTokens === null ? null : Math.floor((lastCreditTokens * DEFAULT_THRESHOLD_PERCENT) / 100);
}

const checkbox = z.union([z.literal("on"), z.literal("1"), z.literal("true")]).optional().transform((value) => value !== undefined);

export const alertSettingsFormSchema = z.object({
  balanceThresholdTokens: optionalCount(1_000_000_000_000, "alerts"),
  balanceAlerts: checkbox,
  promoExpiryAlerts: checkbox,
  keyBudgetAlerts: checkbox,
});

export async function getAlertSettings(db: DbExecutor, userId: string): Promise<AlertSettings & { lastCreditTokens: number | null; defaultThresholdTokens: number | null }> {
  const row = await db.selectFrom("alert_settings").selectAll().where("user_id", "=", userId).executeTakeFirst();
  const lastCredit = await lastCreditOf(db, userId);
  const settings = row
    ? { balanceThresholdTokens: row.balance_threshold_tokens === null ? null : Number(row.balance_threshold_tokens), balanceAlerts: row.balance_alerts === 1, promoExpiryAlerts: row.promo_expiry_alerts === 1, keyBudgetAlerts: row.key_budget_alerts === 1 }
    : DEFAULT_ALERT_SETTINGS;
  return { ...settings, lastCreditTokens: lastCredit, defaultThresholdTokens: defaultThreshold(lastCredit) };
}

/** The tokens of the account's last grant or purchase (what the default threshold is 10% of). */
export async function lastCreditOf(db: DbExecutor, userId: string): Promise<number | null> {
  const row = await db
    .selectFrom("ledger_entries")
    .select("amount")
    .where("account_id", "=", userId)
    .where("kind", "in", ["grant", "purchase"])
    .where("amount", ">", 0)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  return row ? Number(row.amount) : null;
}

export async function setAlertSettings(db: DbExecutor, input: { userId: string; settings: AlertSettings; ip?: string | null; now?: Date }): Promise<void> {
  const now = (input.now ?? new Date()).toISOString();
  const columns = {
    balance_threshold_tokens: input.settings.balanceThresholdTokens,
    balance_alerts: input.settings.balanceAlerts ? 1 : 0,
    promo_expiry_alerts: input.settings.promoExpiryAlerts ? 1 : 0,
    key_budget_alerts: input.settings.keyBudgetAlerts ? 1 : 0,
  };
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto("alert_settings")
      .values({ user_id: input.userId, ...columns, created_at: now, updated_at: now })
      .onConflict((oc) => oc.column("user_id").doUpdateSet({ ...columns, updated_at: now }))
      .execute();
    // A new threshold is a new line to cross: the next check compares against it afresh.
    await trx.deleteFrom("alert_deliveries").where("kind", "=", "balance_low").where("subject_id", "=", input.userId).execute();
    await recordAudit(trx, { actorId: input.userId, action: "alerts.settings", targetType: "user", targetId: input.userId, details: { ...input.settings }, ip: input.ip ?? null }, new Date(now));
  });
}
