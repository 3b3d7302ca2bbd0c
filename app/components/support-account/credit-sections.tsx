// The account's credit (balance, expiring grants, newest ledger entries, adjustments) and its keys.
import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { CreditAdjustmentPanel } from "~/components/credit-adjustment-panel";
import { ReasonForm, type ActionOutcome } from "~/components/reason-form";
import type { AccountStory } from "~/domain/support-account.server";
import { formatDateTime, formatInteger, type Locale } from "~/lib/i18n";
import { When } from "./story-parts";

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
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t("support.account.when")}</th>
              <th scope="col">{t("support.ledger.kind")}</th>
              <th scope="col">{t("support.ledger.bucket")}</th>
              <th scope="col" className="number">
                {t("support.account.tokens")}
              </th>
              <th scope="col">{t("support.ledger.reference")}</th>
              <th scope="col">{t("support.ledger.note")}</th>
            </tr>
          </thead>
          <tbody>
            {ledger.entries.map((entry) => (
              <tr key={entry.id}>
                <td>
                  <When iso={entry.createdAt} locale={locale} />
                </td>
                <td>{t(`support.ledger.kinds.${entry.kind}`)}</td>
                <td>
                  {t(`support.ledger.${entry.bucket}`)}
                  {entry.expiresAt ? <div className="muted small">{t("support.ledger.expires", { date: formatDateTime(entry.expiresAt, locale) })}</div> : null}
                </td>
                <td className="number">{formatInteger(entry.amount, locale)}</td>
                <td className="small">
                  <code>{`${entry.referenceType}:${entry.referenceId}`}</code>
                </td>
                <td className="small">{entry.note ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
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
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t("support.keys.key")}</th>
              <th scope="col">{t("support.account.status")}</th>
              <th scope="col">{t("support.account.created")}</th>
              <th scope="col">{t("support.keys.lastUsed")}</th>
              <th scope="col">{t("support.account.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((key) => (
              <tr key={key.id} data-testid="support-key-row">
                <td>
                  <code>{`${key.visiblePrefix}…${key.lastFour}`}</code>
                  <div className="muted small">{key.name}</div>
                </td>
                <td>
                  <span className={key.status === "active" ? "badge badge-success" : key.status === "revoked" ? "badge badge-danger" : "badge badge-warning"}>
                    {t(`support.keys.status.${key.status}`)}
                  </span>
                  {key.expiresAt ? <div className="muted small">{t("support.keys.expires", { date: formatDateTime(key.expiresAt, locale) })}</div> : null}
                </td>
                <td>
                  <When iso={key.createdAt} locale={locale} />
                </td>
                <td>
                  <When iso={key.lastUsedAt} locale={locale} />
                </td>
                <td>
                  {key.status === "revoked" ? (
                    <span className="muted small">
                      {t("support.keys.revokedOn")} <When iso={key.revokedAt} locale={locale} />
                    </span>
                  ) : (
                    <ReasonForm intent="revoke_key" target={key.id} hidden={{ keyId: key.id }} submitLabel={t("support.actions.revokeKey")} danger outcome={outcome} />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
