// The developer dashboard's panels: next step with the claim's state, credit, keys, recent usage.
import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import type { AccountDashboard } from "~/domain/account-dashboard.server";
import { NEXT_ACTION_PATHS } from "~/domain/account-dashboard-actions";
import { useFormats } from "./claim-parts";

type Dashboard = AccountDashboard;

export function NextStepPanel({ claim, next, email }: { claim: Dashboard["claim"]; next: Dashboard["next"]; email: string }) {
  const { t } = useTranslation();
  const f = useFormats();
  const href = next === "verify_email" ? `${NEXT_ACTION_PATHS[next]}?${new URLSearchParams({ email })}` : NEXT_ACTION_PATHS[next];
  return (
    <section className="panel next-step" aria-labelledby="next-step-title" data-testid="next-step" data-claim-state={claim.state} data-next-action={next}>
      <h2 id="next-step-title">
        {t("dashboard.claimTitle")} <span className={`claim-status claim-status-${claim.state}`}>{t(`dashboard.state.${claim.state}`)}</span>
      </h2>
      {claim.state === "none" ? (
        <p>
          {t("dashboard.claim.none")} {claim.offerTokens > 0 ? t("dashboard.claim.noneOffer", { tokens: f.int(claim.offerTokens) }) : null}
        </p>
      ) : null}
      {claim.state === "in_review" ? <p>{t("dashboard.claim.in_review", { tokens: f.int(claim.offeredTokens), date: f.date(claim.submittedAt) })}</p> : null}
      {claim.state === "needs_info" ? (
        <>
          <p>{t("dashboard.claim.needs_info")}</p>
          <blockquote className="claim-reason" data-testid="dashboard-claim-message">
            {claim.message}
          </blockquote>
        </>
      ) : null}
      {claim.state === "rejected" ? (
        <>
          <p>{t("dashboard.claim.rejected")}</p>
          <blockquote className="claim-reason" data-testid="dashboard-claim-reason">
            {claim.reason}
          </blockquote>
        </>
      ) : null}
      {claim.state === "granted" ? <p>{t("dashboard.claim.granted", { tokens: f.int(claim.grantedTokens) })}</p> : null}
      <p className="muted">{t("dashboard.nextTitle")}</p>
      <Link to={href} className="button" data-testid="next-action">
        {t(`dashboard.action.${next}`)}
      </Link>
    </section>
  );
}

export function BalancePanel({ balance, nextPromoExpiry }: Pick<Dashboard, "balance" | "nextPromoExpiry">) {
  const { t } = useTranslation();
  const f = useFormats();
  return (
    <section className="panel" aria-labelledby="balance-title" data-testid="dashboard-balance">
      <h2 id="balance-title">{t("dashboard.balanceTitle")}</h2>
      <p className="balance-figure">{t("dashboard.balanceTotal", { tokens: f.int(balance.total) })}</p>
      <ul className="plain-list">
        <li>{t("dashboard.balancePromo", { tokens: f.int(balance.promo) })}</li>
        <li>{t("dashboard.balancePaid", { tokens: f.int(balance.paid) })}</li>
      </ul>
      <p className="muted" data-testid="dashboard-expiry">
        {nextPromoExpiry ? t("dashboard.nextExpiry", { tokens: f.int(nextPromoExpiry.tokens), date: f.date(nextPromoExpiry.expiresAt) }) : t("dashboard.noExpiry")}
      </p>
      <Link to="/account/credit">{t("dashboard.action.see_usage")}</Link>
    </section>
  );
}

export function KeysPanel({ keys }: Pick<Dashboard, "keys">) {
  const { t } = useTranslation();
  const f = useFormats();
  return (
    <section className="panel" aria-labelledby="keys-title" data-testid="dashboard-keys">
      <h2 id="keys-title">{t("dashboard.keysTitle")}</h2>
      {keys.active === 0 ? <p>{t("dashboard.keysNone")}</p> : <p>{t("dashboard.keysActive", { count: keys.active })}</p>}
      <ul className="plain-list">
        {keys.newest.map((key) => (
          <li key={key.id}>
            {key.name} · <code>{`${key.visiblePrefix}…${key.lastFour}`}</code>{" "}
            <span className="muted">{key.lastUsedAt ? t("dashboard.keyLastUsed", { date: f.date(key.lastUsedAt) }) : t("dashboard.keyNeverUsed")}</span>
          </li>
        ))}
      </ul>
      <Link to="/account/keys">{t("dashboard.manageKeys")}</Link>
    </section>
  );
}

export function UsagePanel({ usage }: { usage: NonNullable<Dashboard["usage"]> }) {
  const { t } = useTranslation();
  const f = useFormats();
  const largest = Math.max(1, ...usage.map((day) => day.tokens));
  const total = usage.reduce((sum, day) => sum + day.tokens, 0);
  return (
    <section className="panel" aria-labelledby="usage-title" data-testid="dashboard-usage">
      <h2 id="usage-title">{t("dashboard.usageTitle")}</h2>
      <p className="balance-figure">{t("dashboard.usageTotal", { tokens: f.int(total) })}</p>
      <ul className="usage-bars" aria-label={t("dashboard.usageTitle")}>
        {usage.map((day) => (
          <li key={day.day} data-day={day.day} data-tokens={day.tokens}>
            <span className="muted">{day.day.slice(5)}</span>
            {/* SVG, not a style attribute: the CSP allows no inline styles. */}
            <svg className="usage-bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
              <rect width={day.tokens === 0 ? 100 : Math.max(1, Math.round((day.tokens / largest) * 100))} height="10" rx="2" className={day.tokens === 0 ? "usage-bar-empty" : "usage-bar-fill"} />
            </svg>
            <span className="numeric">{f.int(day.tokens)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
