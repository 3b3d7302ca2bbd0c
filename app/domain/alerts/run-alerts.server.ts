// The alert checks the background job runs: balance below the developer's threshold (re-armed
// when it recovers), promo credit expiring within 7 days, a key that used up its daily or monthly
// budget. Each alert is mailed once per crossing, in the developer's language, unless turned off.
import { ORGANIZATION_ROLE } from "~/lib/db-schema";
import type { DbExecutor } from "~/lib/db.server";
import { formatDate, formatInteger } from "~/lib/i18n";
import type { ProviderProfile } from "~/providers/types";
import { appUrl } from "../accounts.server";
import { effectiveLimits, limitsFromColumns, windowsAt } from "../key-limits/limits";
import { deliverOnce } from "./deliver.server";
import { defaultThreshold } from "./settings.server";

export const PROMO_EXPIRY_NOTICE_DAYS = 7;
/** Counters not written for this long cannot hold this day's or month's figures near a crossing. */
const BUDGET_LOOKBACK_MS = 32 * 24 * 3_600_000;

export interface AlertRun {
  balanceLow: number;
  rearmed: number;
  promoExpiring: number;
  keyBudget: number;
}

const settingsUrl = () => appUrl("/account/notifications");

export async function runAlerts(db: DbExecutor, profile: Pick<ProviderProfile, "keyLimitDefaults" | "name">, now: Date = new Date()): Promise<AlertRun> {
  const balance = await balanceAlerts(db, profile, now);
  return { ...balance, promoExpiring: await promoExpiryAlerts(db, now), keyBudget: await keyBudgetAlerts(db, profile, now) };
}

async function balanceAlerts(db: DbExecutor, profile: Pick<ProviderProfile, "name">, now: Date) {
  const at = now.toISOString();
  const rows = await db
    .selectFrom("account_balances as b")
    .innerJoin("users as u", "u.id", "b.account_id")
    // An organization's ledger row has no mailbox: its alerts are not sent.
    .where("u.role", "!=", ORGANIZATION_ROLE)
    .leftJoin("alert_settings as s", "s.user_id", "b.account_id")
    .select([
      "u.id",
      "u.email",
      "u.locale",
      "b.paid",
      "s.balance_threshold_tokens",
      "s.balance_alerts",
      (eb) =>
        eb
          .selectFrom("ledger_promo_grants as g")
          .select((inner) => inner.fn.sum<number>("g.remaining").as("s"))
          .whereRef("g.account_id", "=", "b.account_id")
          .where("g.remaining", ">", 0)
          .where("g.expires_at", ">", at)
          .as("promo_live"),
      (eb) =>
        eb
          .selectFrom("ledger_entries as e")
          .select("e.amount")
          .whereRef("e.account_id", "=", "b.account_id")
          .where("e.kind", "in", ["grant", "purchase"])
          .where("e.amount", ">", 0)
          .orderBy("e.created_at", "desc")
          .orderBy("e.id", "desc")
          .limit(1)
          .as("last_credit"),
      (eb) => eb.selectFrom("alert_deliveries as d").select("d.period").where("d.kind", "=", "balance_low").whereRef("d.subject_id", "=", "b.account_id").limit(1).as("alerted"),
    ])
    .where("u.disabled_at", "is", null)
    .execute();
  let balanceLow = 0;
  let rearmed = 0;
  for (const row of rows) {
    const threshold = row.balance_threshold_tokens !== null ? Number(row.balance_threshold_tokens) : defaultThreshold(row.last_credit === null ? null : Number(row.last_credit));
    if (threshold === null || threshold <= 0) continue;
    const balance = Number(row.paid ?? 0) + Number(row.promo_live ?? 0);
    if (balance >= threshold) {
      if (row.alerted !== null) {
        await db.deleteFrom("alert_deliveries").where("kind", "=", "balance_low").where("subject_id", "=", row.id).execute();
        rearmed += 1;
      }
      continue;
    }
    if (row.alerted !== null || row.balance_alerts === 0) continue;
    const sent = await deliverOnce(db, { kind: "balance_low", subjectId: row.id, period: "below", to: { userId: row.id, email: row.email, locale: row.locale }, now }, (t, locale) => {
      const values = { provider: profile.name, balance: formatInteger(balance, locale), threshold: formatInteger(threshold, locale), url: appUrl("/account/billing"), settingsUrl: settingsUrl() };
      return { subject: t("alerts.mail.balanceLowSubject", values), text: t("alerts.mail.balanceLowBody", values) };
    });
    if (sent) balanceLow += 1;
  }
  return { balanceLow, rearmed };
}

async function promoExpiryAlerts(db: DbExecutor, now: Date): Promise<number> {
  const at = now.toISOString();
  const horizon = new Date(now.getTime() + PROMO_EXPIRY_NOTICE_DAYS * 24 * 3_600_000).toISOString();
  const grants = await db
    .selectFrom("ledger_promo_grants as g")
    .innerJoin("users as u", "u.id", "g.account_id")
    // An organization's ledger row has no mailbox: its alerts are not sent.
    .where("u.role", "!=", ORGANIZATION_ROLE)
    .leftJoin("alert_settings as s", "s.user_id", "g.account_id")
    .select(["g.grant_entry_id", "g.remaining", "g.expires_at", "u.id", "u.email", "u.locale"])
    .where("g.remaining", ">", 0)
    .where("g.expires_at", ">", at)
    .where("g.expires_at", "<=", horizon)
    .where("u.disabled_at", "is", null)
    .where((eb) => eb.or([eb("s.promo_expiry_alerts", "is", null), eb("s.promo_expiry_alerts", "=", 1)]))
    .where((eb) => eb.not(eb.exists(eb.selectFrom("alert_deliveries as d").select("d.kind").where("d.kind", "=", "promo_expiring").whereRef("d.subject_id", "=", "g.grant_entry_id"))))
    .execute();
  let sent = 0;
  for (const grant of grants) {
    const delivered = await deliverOnce(db, { kind: "promo_expiring", subjectId: grant.grant_entry_id, period: "once", to: { userId: grant.id, email: grant.email, locale: grant.locale }, now }, (t, locale) => {
      const values = { tokens: formatInteger(Number(grant.remaining), locale), date: formatDate(grant.expires_at, locale), url: appUrl("/account/credit"), settingsUrl: settingsUrl() };
      return { subject: t("alerts.mail.promoExpiringSubject", values), text: t("alerts.mail.promoExpiringBody", values) };
    });
    if (delivered) sent += 1;
  }
  return sent;
}

async function keyBudgetAlerts(db: DbExecutor, profile: Pick<ProviderProfile, "keyLimitDefaults">, now: Date): Promise<number> {
  const windows = windowsAt(now);
  const defaults = profile.keyLimitDefaults;
  const rows = await db
    .selectFrom("api_key_counters as c")
    .innerJoin("api_keys as k", "k.id", "c.key_id")
    .innerJoin("users as u", "u.id", "k.user_id")
    // An organization's ledger row has no mailbox: its alerts are not sent.
    .where("u.role", "!=", ORGANIZATION_ROLE)
    .leftJoin("api_key_limits as l", "l.key_id", "c.key_id")
    .leftJoin("alert_settings as s", "s.user_id", "k.user_id")
    .select([
      "c.key_id",
      "c.day_start",
      "c.day_tokens",
      "c.month_start",
      "c.month_tokens",
      "k.name",
      "k.visible_prefix",
      "k.last_four",
      "u.id as user_id",
      "u.email",
      "u.locale",
      "l.key_id as limits_key_id",
      "l.requests_per_minute",
      "l.tokens_per_minute",
      "l.daily_tokens",
      "l.monthly_tokens",
      "l.allowed_models",
      "l.allowed_cidrs",
    ])
    .where("c.updated_at", ">=", new Date(now.getTime() - BUDGET_LOOKBACK_MS).toISOString())
    .where("c.month_start", "=", windows.month)
    .where("k.revoked_at", "is", null)
    .where((eb) => eb.or([eb("s.key_budget_alerts", "is", null), eb("s.key_budget_alerts", "=", 1)]))
    .execute();
  let sent = 0;
  for (const row of rows) {
    const limits = effectiveLimits(row.limits_key_id === null ? null : limitsFromColumns(row), defaults);
    const crossings: { budget: "daily" | "monthly"; period: string; used: number; limit: number; resetsAt: string }[] = [];
    if (limits.dailyTokens !== null && row.day_start === windows.day && Number(row.day_tokens) >= limits.dailyTokens) {
      crossings.push({ budget: "daily", period: `day:${windows.day}`, used: Number(row.day_tokens), limit: limits.dailyTokens, resetsAt: windows.dayResetAt });
    }
    if (limits.monthlyTokens !== null && Number(row.month_tokens) >= limits.monthlyTokens) {
      crossings.push({ budget: "monthly", period: `month:${windows.month}`, used: Number(row.month_tokens), limit: limits.monthlyTokens, resetsAt: windows.monthResetAt });
    }
    for (const crossing of crossings) {
      const delivered = await deliverOnce(db, { kind: "key_budget", subjectId: row.key_id, period: crossing.period, to: { userId: row.user_id, email: row.email, locale: row.locale }, now }, (t, locale) => {
        const values = {
          name: row.name,
          key: `${row.visible_prefix}…${row.last_four}`,
          budget: t(`alerts.mail.budget.${crossing.budget}`),
          used: formatInteger(crossing.used, locale),
          limit: formatInteger(crossing.limit, locale),
          resets: formatDate(crossing.resetsAt, locale),
          url: appUrl(`/account/keys/${row.key_id}/limits`),
          settingsUrl: settingsUrl(),
        };
        return { subject: t("alerts.mail.keyBudgetSubject", values), text: t("alerts.mail.keyBudgetBody", values) };
      });
      if (delivered) sent += 1;
    }
  }
  return sent;
}
