// Sign-ins, purchases and the audit trail of an account: read-only tables.
import { useTranslation } from "react-i18next";
import { AuditActionLabel, AuditDetails } from "~/components/audit-details";
import type { AccountStory } from "~/domain/support-account.server";
import { formatInteger, type Locale } from "~/lib/i18n";
import { formatMoney } from "~/lib/money";
import { StorySection, StoryTable, When } from "./story-parts";

const PURCHASE_BADGE: Record<string, string> = { paid: "badge-success", refunded: "badge-danger", failed: "badge-danger", pending: "badge-warning", expired: "" };

export function SignInsSection({ signIns, locale }: { signIns: AccountStory["signIns"]; locale: Locale }) {
  const { t } = useTranslation();
  return (
    <StorySection id="sign-ins" title={t("support.account.signIns")} empty={signIns.length === 0}>
      <StoryTable
        rows={signIns}
        rowKey={(event) => event.id}
        columns={[
          { label: t("support.account.when"), cell: (event) => <When iso={event.createdAt} locale={locale} /> },
          { label: t("support.account.outcome"), cell: (event) => t(`support.signInOutcome.${event.outcome}`, { defaultValue: event.outcome }) },
          { label: t("support.account.ip"), cell: (event) => event.ip ?? "—" },
          { label: t("support.account.userAgent"), className: "muted small", cell: (event) => event.userAgent ?? "—" },
        ]}
      />
    </StorySection>
  );
}

export function PurchasesSection({ purchases, locale }: { purchases: AccountStory["purchases"]; locale: Locale }) {
  const { t } = useTranslation();
  return (
    <StorySection id="purchases" title={t("support.account.purchases")} empty={purchases.length === 0}>
      <StoryTable
        rows={purchases}
        rowKey={(purchase) => purchase.id}
        columns={[
          {
            label: t("support.purchases.purchase"),
            cell: (purchase) => (
              <>
                <code>{purchase.id}</code>
                <div className="muted small">
                  {purchase.packId} · <When iso={purchase.createdAt} locale={locale} />
                </div>
              </>
            ),
          },
          {
            label: t("support.account.status"),
            cell: (purchase) => (
              <>
                <span className={`badge ${PURCHASE_BADGE[purchase.state] ?? ""}`}>{t(`support.purchaseState.${purchase.state}`)}</span>
                {purchase.refundedTokens > 0 ? (
                  <div className="muted small">{t("support.purchases.refunded", { tokens: formatInteger(purchase.refundedTokens, locale) })}</div>
                ) : null}
              </>
            ),
          },
          { label: t("support.account.tokens"), number: true, cell: (purchase) => formatInteger(purchase.tokens, locale) },
          { label: t("support.purchases.amount"), number: true, cell: (purchase) => formatMoney(purchase.amount, purchase.currency, locale) },
          {
            label: t("support.purchases.stripe"),
            className: "small",
            cell: (purchase) => (
              <>
                {purchase.checkoutSessionId ? <code>{purchase.checkoutSessionId}</code> : null}
                {purchase.paymentIntentId ? (
                  <div>
                    <code>{purchase.paymentIntentId}</code>
                  </div>
                ) : null}
              </>
            ),
          },
        ]}
      />
    </StorySection>
  );
}

export function AuditSection({ auditTrail, locale }: { auditTrail: AccountStory["auditTrail"]; locale: Locale }) {
  const { t } = useTranslation();
  return (
    <StorySection id="audit" title={t("support.account.audit")} empty={auditTrail.length === 0}>
      <StoryTable
        rows={auditTrail}
        rowKey={(entry) => entry.id}
        columns={[
          { label: t("support.account.when"), cell: (entry) => <When iso={entry.createdAt} locale={locale} /> },
          { label: t("support.account.actor"), cell: (entry) => entry.actorEmail ?? entry.actorId ?? "—" },
          { label: t("support.account.action"), cell: (entry) => <AuditActionLabel action={entry.action} /> },
          { label: t("support.account.details"), className: "small", cell: (entry) => <AuditDetails details={entry.details} /> },
        ]}
      />
    </StorySection>
  );
}
