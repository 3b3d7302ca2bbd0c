// The credit packs on the billing page: always listed with their prices, so a developer knows what
// top-ups will cost; a Buy button only where Checkout is on and the e-mail confirmed.
import { Form } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import type { CheckoutPaymentMethod } from "~/lib/env.server";
import { formatInteger, HTML_LANG, type Locale } from "~/lib/i18n";
import { formatCompactNumber, formatMoney } from "~/lib/money";
import type { CreditPack } from "~/providers";

export function CreditPackList({
  packs,
  locale,
  enabled,
  emailVerified,
  paymentMethods,
}: {
  packs: readonly CreditPack[];
  locale: Locale;
  enabled: boolean;
  emailVerified: boolean;
  paymentMethods: readonly CheckoutPaymentMethod[] | null;
}) {
  const { t } = useTranslation();
  const tokens = (count: number) => formatInteger(count, locale);
  const methods = paymentMethods
    ? new Intl.ListFormat(HTML_LANG[locale], { type: "conjunction" }).format(paymentMethods.map((method) => t(`billing.methods.${method}`)))
    : null;
  return (
    <>
      {!enabled ? (
        <div className="alert alert-info" role="status" data-testid="billing-disabled">
          {t("billing.notEnabled")}
        </div>
      ) : !emailVerified ? (
        <div className="alert alert-warning" role="status">
          {t("billing.packs.unverified")}
        </div>
      ) : null}
      <ul className="credit-packs" data-testid="credit-packs">
        {packs.map((pack) => {
          const price = formatMoney(pack.priceMinor, pack.currency, locale);
          const perMillion = formatMoney(Math.round((pack.priceMinor * 1_000_000) / pack.tokens), pack.currency, locale);
          return (
            <li key={pack.id} className="credit-pack" data-tokens={pack.tokens}>
              <h3 title={tokens(pack.tokens)}>{t("billing.packs.tokens", { tokens: formatCompactNumber(pack.tokens, locale) })}</h3>
              <p className="credit-pack-price">{price}</p>
              <p className="muted">{t("billing.packs.perMillion", { price: perMillion })}</p>
              {enabled ? (
                /* A document post: the answer is a redirect to Stripe's hosted page. */
                <Form method="post" reloadDocument>
                  <input type="hidden" name="packId" value={pack.id} />
                  <button type="submit" className="button" disabled={!emailVerified} aria-label={t("billing.packs.buyLabel", { tokens: tokens(pack.tokens), price })}>
                    {t("billing.packs.buy")}
                  </button>
                </Form>
              ) : (
                <p className="credit-pack-off">{t("billing.packs.notYet")}</p>
              )}
            </li>
          );
        })}
      </ul>
      {enabled ? (
        <p className="muted" data-testid="payment-methods">
          {methods ? `${t("billing.packs.methods", { methods })} ` : ""}
          {t("billing.packs.secure")}
        </p>
      ) : null}
    </>
  );
}
