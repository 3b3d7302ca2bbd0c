// The account page's credit adjustment: the form (support proposes, staff apply small amounts at
// once) with the limits that apply, and the account's adjustments waiting for a second staff member.
import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { formatDateTime, formatInteger, type Locale } from "~/lib/i18n";
import { ReasonForm, type ActionOutcome } from "./reason-form";

export interface AdjustmentLimits {
  capTokens: number;
  autoApproveLimitTokens: number;
  latestPromoExpiryDay: string;
}

export interface PendingAdjustmentRow {
  id: string;
  tokens: number;
  bucket: "promo" | "paid";
  expiresAt: string | null;
  reason: string;
  proposerEmail: string | null;
  createdAt: string;
}

function FieldError({ outcome, field }: { outcome?: ActionOutcome; field: string }) {
  const { t } = useTranslation();
  const message = outcome && !outcome.ok && outcome.intent === "adjust_credit" ? outcome.fieldErrors?.[field] : undefined;
  return message ? (
    <p className="field-error" role="alert">
      {t(message)}
    </p>
  ) : null;
}

export function CreditAdjustmentPanel({
  adjustmentId,
  isStaff,
  limits,
  pending,
  outcome,
  locale,
}: {
  adjustmentId: string;
  isStaff: boolean;
  limits: AdjustmentLimits;
  pending: PendingAdjustmentRow[];
  outcome?: ActionOutcome;
  locale: Locale;
}) {
  const { t } = useTranslation();
  const int = (value: number) => formatInteger(value, locale);
  return (
    <div className="adjust-credit">
      <h3>{t("support.adjustments.title")}</h3>
      <p className="muted small">
        {t(isStaff ? "support.adjustments.rulesStaff" : "support.adjustments.rulesSupport", {
          auto: int(limits.autoApproveLimitTokens),
          cap: int(limits.capTokens),
          date: limits.latestPromoExpiryDay,
        })}
      </p>
      <ReasonForm intent="adjust_credit" submitLabel={t(isStaff ? "support.actions.adjustCredit" : "support.actions.proposeCredit")} outcome={outcome} hidden={{ adjustmentId }}>
        <div className="field-row">
          <div className="field">
            <label htmlFor="adjust-tokens">{t("support.ledger.adjustTokens")}</label>
            <input id="adjust-tokens" name="tokens" inputMode="numeric" required autoComplete="off" aria-describedby="adjust-tokens-hint" />
            <p className="field-hint" id="adjust-tokens-hint">
              {t(isStaff ? "support.ledger.adjustTokensHint" : "support.adjustments.tokensHintSupport")}
            </p>
            <FieldError outcome={outcome} field="tokens" />
          </div>
          <div className="field">
            <label htmlFor="adjust-bucket">{t("support.ledger.bucket")}</label>
            <select id="adjust-bucket" name="bucket" defaultValue="paid">
              <option value="paid">{t("support.ledger.paid")}</option>
              <option value="promo">{t("support.ledger.promo")}</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="adjust-expires">{t("support.ledger.adjustExpires")}</label>
            <input id="adjust-expires" name="expiresOn" type="date" max={limits.latestPromoExpiryDay} />
            <FieldError outcome={outcome} field="expiresOn" />
          </div>
        </div>
      </ReasonForm>
      <h3 id="pending-adjustments-title">{t("support.adjustments.pendingTitle")}</h3>
      {pending.length === 0 ? (
        <p className="muted">{t("support.account.none")}</p>
      ) : (
        <div className="table-scroll">
          <table className="table" aria-labelledby="pending-adjustments-title">
            <thead>
              <tr>
                <th scope="col">{t("support.account.when")}</th>
                <th scope="col">{t("support.adjustments.proposer")}</th>
                <th scope="col" className="number">
                  {t("support.account.tokens")}
                </th>
                <th scope="col">{t("support.ledger.bucket")}</th>
                <th scope="col">{t("support.adjustments.reason")}</th>
              </tr>
            </thead>
            <tbody>
              {pending.map((row) => (
                <tr key={row.id}>
                  <td>
                    <time dateTime={row.createdAt}>{formatDateTime(row.createdAt, locale)}</time>
                  </td>
                  <td>{row.proposerEmail ?? "—"}</td>
                  <td className="number">{int(row.tokens)}</td>
                  <td>
                    {t(`support.ledger.${row.bucket}`)}
                    {row.expiresAt ? <div className="muted small">{t("support.ledger.expires", { date: formatDateTime(row.expiresAt, locale) })}</div> : null}
                  </td>
                  <td className="small">{row.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {isStaff && pending.length > 0 ? (
        <p>
          <Link to="/staff/adjustments">{t("support.adjustments.toQueue")}</Link>
        </p>
      ) : null}
    </div>
  );
}
