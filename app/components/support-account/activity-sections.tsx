// Sign-ins, purchases and the audit trail of an account: read-only tables.
import { useTranslation } from "react-i18next";
import { AuditActionLabel, AuditDetails } from "~/components/audit-details";
import type { AccountStory } from "~/domain/support-account.server";
import { formatInteger, type Locale } from "~/lib/i18n";
import { formatMoney } from "~/lib/money";
import { StorySection, When } from "./story-parts";

const PURCHASE_BADGE: Record<string, string> = { paid: "badge-success", refunded: "badge-danger", failed: "badge-danger", pending: "badge-warning", expired: "" };

export function SignInsSection({ signIns, locale }: { signIns: AccountStory["signIns"]; locale: Locale }) {
  const { t } = useTranslation();
  return (
    <StorySection id="sign-ins" title={t("support.account.signIns")} empty={signIns.length === 0}>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">{t("support.account.when")}</th>
            <th scope="col">{t("support.account.outcome")}</th>
            <th scope="col">{t("support.account.ip")}</th>
            <th scope="col">{t("support.account.userAgent")}</th>
          </tr>
        </thead>
        <tbody>
          {signIns.map((event) => (
            <tr key={event.id}>
              <td>
                <When iso={event.createdAt} locale={locale} />
              </td>
              <td>{t(`support.signInOutcome.${event.outcome}`, { defaultValue: event.outcome })}</td>
              <td>{event.ip ?? "—"}</td>
              <td className="muted small">{event.userAgent ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </StorySection>
  );
}

export function PurchasesSection({ purchases, locale }: { purchases: AccountStory["purchases"]; locale: Locale }) {
  const { t } = useTranslation();
  return (
    <StorySection id="purchases" title={t("support.account.purchases")} empty={purchases.length === 0}>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">{t("support.purchases.purchase")}</th>
            <th scope="col">{t("support.account.status")}</th>
            <th scope="col" className="number">
              {t("support.account.tokens")}
            </th>
            <th scope="col" className="number">
              {t("support.purchases.amount")}
            </th>
            <th scope="col">{t("support.purchases.stripe")}</th>
          </tr>
        </thead>
        <tbody>
          {purchases.map((purchase) => (
            <tr key={purchase.id}>
              <td>
                <code>{purchase.id}</code>
                <div className="muted small">
                  {purchase.packId} · <When iso={purchase.createdAt} locale={locale} />
                </div>
              </td>
              <td>
                <span className={`badge ${PURCHASE_BADGE[purchase.state] ?? ""}`}>{t(`support.purchaseState.${purchase.state}`)}</span>
                {purchase.refundedTokens > 0 ? (
                  <div className="muted small">{t("support.purchases.refunded", { tokens: formatInteger(purchase.refundedTokens, locale) })}</div>
                ) : null}
              </td>
              <td className="number">{formatInteger(purchase.tokens, locale)}</td>
              <td className="number">{formatMoney(purchase.amount, purchase.currency, locale)}</td>
              <td className="small">
                {purchase.checkoutSessionId ? <code>{purchase.checkoutSessionId}</code> : null}
                {purchase.paymentIntentId ? (
                  <div>
                    <code>{purchase.paymentIntentId}</code>
                  </div>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </StorySection>
  );
}

export function AuditSection({ auditTrail, locale }: { auditTrail: AccountStory["auditTrail"]; locale: Locale }) {
  const { t } = useTranslation();
  return (
    <StorySection id="audit" title={t("support.account.audit")} empty={auditTrail.length === 0}>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">{t("support.account.when")}</th>
            <th scope="col">{t("support.account.actor")}</th>
            <th scope="col">{t("support.account.action")}</th>
            <th scope="col">{t("support.account.details")}</th>
          </tr>
        </thead>
        <tbody>
          {auditTrail.map((entry) => (
            <tr key={entry.id}>
              <td>
                <When iso={entry.createdAt} locale={locale} />
              </td>
              <td>{entry.actorEmail ?? entry.actorId ?? "—"}</td>
              <td>
                <AuditActionLabel action={entry.action} />
              </td>
              <td className="small">
                <AuditDetails details={entry.details} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </StorySection>
  );
}
