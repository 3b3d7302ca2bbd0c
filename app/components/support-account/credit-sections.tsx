// The account's credit (balance, expiring grants, newest ledger entries, adjustments) and its keys.
import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { CreditAdjustmentPanel } from "~/components/credit-adjustment-panel";
import { ReasonForm, type ActionOutcome } from "~/components/reason-form";
import type { AccountStory } from "~/domain/support-account.server";
import { formatDateTime, formatInteger, type Locale } from "~/lib/i18n";
import { StoryTable, When } from "./story-parts";

type AdjustmentPanelProps = Parameters<typeof CreditAdjustmentPanel>[0];

export function LedgerSection({
  accountId,
  ledger,
  adjustments,
  isStaff,
  outcome,
  locale,
}: {
  accountId: string;
  ledger: AccountStory["ledger"];
  adjustments: { id: string | null; limits: AdjustmentPanelProps["limits"]; pending: AdjustmentPanelProps["pending"] };
  isStaff: boolean;
  outcome?: ActionOutcome;
  locale: Locale;
}) {
  const { t } = useTranslation();
  return (
    <section id="ledger" aria-labelledby="ledger-title">
      <h2 id="ledger-title">{t("support.account.ledger")}</h2>
      <p>
        <Link to={`/support/accounts/${accountId}/usage`}>{t("usage.supportLink")}</Link>
      </p>
      <dl className="stat-cards">
        <div>
          <dt>{t("support.ledger.total")}</dt>
          <dd>{formatInteger(ledger.balance.total, locale)}</dd>
        </div>
        <div>
          <dt>{t("support.ledger.promo")}</dt>
          <dd>{formatInteger(ledger.balance.promo, locale)}</dd>
        </div>
        <div>
          <dt>{t("support.ledger.paid")}</dt>
          <dd>{formatInteger(ledger.balance.paid, locale)}</dd>
        </div>
      </dl>
      {ledger.balance.promoGrants.length > 0 ? (
        <>
          <h3>{t("support.ledger.expiring")}</h3>
          <ul className="compact-list">
            {ledger.balance.promoGrants.map((grant) => (
              <li key={grant.entryId}>{t("support.ledger.expiresLine", { tokens: formatInteger(grant.remaining, locale), date: formatDateTime(grant.expiresAt, locale) })}</li>
            ))}
          </ul>
        </>
      ) : null}
      {ledger.entries.length === 0 ? (
        <p className="muted">{t("support.account.none")}</p>
      ) : (
        <StoryTable
          rows={ledger.entries}
          rowKey={(entry) => entry.id}
          columns={[
            { label: t("support.account.when"), cell: (entry) => <When iso={entry.createdAt} locale={locale} /> },
            { label: t("support.ledger.kind"), cell: (entry) => t(`support.ledger.kinds.${entry.kind}`) },
            {
              label: t("support.ledger.bucket"),
              cell: (entry) => (
                <>
                  {t(`support.ledger.${entry.bucket}`)}
                  {entry.expiresAt ? <div className="muted small">{t("support.ledger.expires", { date: formatDateTime(entry.expiresAt, locale) })}</div> : null}
                </>
              ),
            },
            { label: t("support.account.tokens"), number: true, cell: (entry) => formatInteger(entry.amount, locale) },
            { label: t("support.ledger.reference"), className: "small", cell: (entry) => <code>{`${entry.referenceType}:${entry.referenceId}`}</code> },
            { label: t("support.ledger.note"), className: "small", cell: (entry) => entry.note ?? "" },
          ]}
        />
      )}
      {ledger.more ? <p className="muted small">{t("support.ledger.more", { count: ledger.entries.length })}</p> : null}
      {adjustments.id ? (
        <CreditAdjustmentPanel adjustmentId={adjustments.id} isStaff={isStaff} limits={adjustments.limits} pending={adjustments.pending} outcome={outcome} locale={locale} />
      ) : null}
    </section>
  );
}

export function KeysSection({ keys, outcome, locale }: { keys: AccountStory["keys"]; outcome?: ActionOutcome; locale: Locale }) {
  const { t } = useTranslation();
  return (
    <section id="keys" aria-labelledby="keys-title">
      <h2 id="keys-title">{t("support.account.keys")}</h2>
      {keys.length === 0 ? (
        <p className="muted">{t("support.account.none")}</p>
      ) : (
        <StoryTable
          rows={keys}
          rowKey={(key) => key.id}
          rowTestId="support-key-row"
          columns={[
            {
              label: t("support.keys.key"),
              cell: (key) => (
                <>
                  <code>{`${key.visiblePrefix}…${key.lastFour}`}</code>
                  <div className="muted small">{key.name}</div>
                </>
              ),
            },
            {
              label: t("support.account.status"),
              cell: (key) => (
                <>
                  <span className={key.status === "active" ? "badge badge-success" : key.status === "revoked" ? "badge badge-danger" : "badge badge-warning"}>
                    {t(`support.keys.status.${key.status}`)}
                  </span>
                  {key.expiresAt ? <div className="muted small">{t("support.keys.expires", { date: formatDateTime(key.expiresAt, locale) })}</div> : null}
                </>
              ),
            },
            { label: t("support.account.created"), cell: (key) => <When iso={key.createdAt} locale={locale} /> },
            { label: t("support.keys.lastUsed"), cell: (key) => <When iso={key.lastUsedAt} locale={locale} /> },
            {
              label: t("support.account.actions"),
              cell: (key) =>
                key.status === "revoked" ? (
                  <span className="muted small">
                    {t("support.keys.revokedOn")} <When iso={key.revokedAt} locale={locale} />
                  </span>
                ) : (
                  <ReasonForm intent="revoke_key" target={key.id} hidden={{ keyId: key.id }} submitLabel={t("support.actions.revokeKey")} danger outcome={outcome} />
                ),
            },
          ]}
        />
      )}
    </section>
  );
}
