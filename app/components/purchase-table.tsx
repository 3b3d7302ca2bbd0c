// Receipts: an account's purchases (the billing page, and support's view of an account).
import { useTranslation } from "react-i18next";
import { formatDateTime, formatInteger, type Locale } from "~/lib/i18n";
import { formatMoney } from "~/lib/money";

export interface PurchaseRow {
  id: string;
  tokens: number;
  amount: number;
  currency: string;
  state: "pending" | "paid" | "refunded" | "failed" | "expired";
  refundedAmount: number;
  createdAt: string;
  paidAt: string | null;
  checkoutSessionId?: string | null;
  paymentIntentId?: string | null;
}

export function PurchaseTable({ purchases, locale, showPaymentIds = false }: { purchases: PurchaseRow[]; locale: Locale; showPaymentIds?: boolean }) {
  const { t } = useTranslation();
  return (
    <table className="table purchases-table stack-table" data-testid="purchases">
      <thead>
        <tr>
          <th scope="col">{t("billing.purchases.date")}</th>
          <th scope="col" className="number">
            {t("billing.purchases.tokens")}
          </th>
          <th scope="col" className="number">
            {t("billing.purchases.amount")}
          </th>
          <th scope="col">{t("billing.purchases.status")}</th>
          <th scope="col">{t("billing.purchases.reference")}</th>
        </tr>
      </thead>
      <tbody>
        {purchases.map((purchase) => (
          <tr key={purchase.id} data-testid="purchase-row" data-state={purchase.state}>
            <td data-label={t("billing.purchases.date")}>{formatDateTime(purchase.paidAt ?? purchase.createdAt, locale)}</td>
            <td className="number" data-label={t("billing.purchases.tokens")}>{formatInteger(purchase.tokens, locale)}</td>
            <td className="number" data-label={t("billing.purchases.amount")}>{formatMoney(purchase.amount, purchase.currency, locale)}</td>
            <td data-label={t("billing.purchases.status")}>
              <span className={`purchase-state state-${purchase.state}`}>{t(`billing.purchases.states.${purchase.state}`)}</span>
              {purchase.refundedAmount > 0 && purchase.state !== "refunded" ? (
                <span className="muted"> · {t("billing.purchases.refunded", { amount: formatMoney(purchase.refundedAmount, purchase.currency, locale) })}</span>
              ) : null}
            </td>
            <td data-label={t("billing.purchases.reference")}>
              <code>{purchase.id}</code>
              {showPaymentIds && (purchase.paymentIntentId || purchase.checkoutSessionId) ? (
                <div className="muted">
                  <code>{purchase.paymentIntentId ?? purchase.checkoutSessionId}</code>
                </div>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
