import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { CreditPackList } from "~/components/credit-pack-list";
import { FormAlert } from "~/components/form-alert";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { PurchaseTable } from "~/components/purchase-table";
import { findCreditPack, getOwedTokens, listPurchases, startCheckout } from "~/domain/billing.server";
import { getBalance } from "~/domain/ledger.server";
import { requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { formFailure, invalidForm } from "~/lib/form-response.server";
import { formFields } from "~/lib/forms";
import { formatInteger, isLocale, type Locale } from "~/lib/i18n";
import { resolveLocale } from "~/lib/locale.server";
import { pageTitle } from "~/lib/meta";
import { currentProvider } from "~/lib/provider.server";
import { hitRateLimits, tooManyRequests, type RateLimitRule } from "~/lib/rate-limit.server";
import { checkoutPaymentMethods, getStripe } from "~/lib/stripe.server";
import { useRootData } from "~/root";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["billing", "keyLimits", "claims"] };

export const meta: MetaFunction = (args) => pageTitle(args, "billing.title");

const CHECKOUTS_PER_ACCOUNT: RateLimitRule = { name: "checkout-account", limit: 20, windowSeconds: 60 * 60 };

const buySchema = z.object({ packId: z.string({ required_error: "billing.errors.unknownPack" }).min(1, "billing.errors.unknownPack").max(100) });

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const db = getDb();
  const provider = currentProvider();
  const [balance, owed, purchases] = await Promise.all([getBalance(db, user.id), getOwedTokens(db, user.id), listPurchases(db, user.id)]);
  return {
    enabled: getStripe() !== null,
    paymentMethods: checkoutPaymentMethods() ?? null,
    emailVerified: user.emailVerified,
    provider: provider.name,
    packs: provider.creditPacks,
    balance: { total: balance.total, paid: balance.paid, promo: balance.promo },
    owed,
    // Abandoned checkouts (failed, expired) are not receipts; support still sees them.
    purchases: purchases.filter((purchase) => purchase.state !== "failed" && purchase.state !== "expired"),
  };
}

function publicOrigin(request: Request): string {
  return getEnv().APP_URL ? new URL(getEnv().APP_URL!).origin : new URL(request.url).origin;
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const parsed = buySchema.safeParse(formFields(await request.formData()));
  if (!parsed.success) return invalidForm(parsed.error);
  const provider = currentProvider();
  const pack = findCreditPack(provider, parsed.data.packId);
  if (!pack) return formFailure("billing.errors.unknownPack", 400, { packId: "billing.errors.unknownPack" });
  const stripe = getStripe();
  if (!stripe) return formFailure("billing.errors.notEnabled", 409);
  if (!user.emailVerified) return formFailure("billing.errors.unverified", 403);
  const db = getDb();
  const limit = await hitRateLimits(db, [[CHECKOUTS_PER_ACCOUNT, user.id]]);
  if (!limit.allowed) return tooManyRequests(limit.retryAfterSeconds);

  const started = await startCheckout(db, stripe, {
    accountId: user.id,
    email: user.email,
    locale: await resolveLocale(request, user.locale),
    pack,
    providerName: provider.name,
    origin: publicOrigin(request),
    paymentMethods: checkoutPaymentMethods(),
  });
  if (!started.ok) return formFailure("billing.errors.stripeUnavailable", 502);
  // 303 to Stripe's hosted page; the CSP's form-action lists its origin so the browser follows.
  throw redirect(started.url, 303);
}

export default function Billing() {
  const { enabled, emailVerified, paymentMethods, provider, packs, balance, owed, purchases } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation();
  const rootLocale = useRootData()?.locale;
  const locale: Locale = isLocale(rootLocale) ? rootLocale : "en";
  const tokens = (count: number) => formatInteger(count, locale);
  return (
    <>
      <h1>{t("billing.title")}</h1>
      <p className="muted">{t("billing.lead", { provider })}</p>
      <FormAlert error={actionData?.formError} retryAfterSeconds={actionData?.retryAfterSeconds} />
      {owed > 0 ? (
        <div className="alert alert-warning" role="status" data-testid="billing-owed">
          {t("billing.owed", { tokens: tokens(owed) })}
        </div>
      ) : null}

      <section className="panel billing-balance" aria-labelledby="balance-title">
        <h2 id="balance-title">{t("billing.balance.title")}</h2>
        <dl className="balance-figures">
          <div className="balance-total">
            <dt>{t("billing.balance.total")}</dt>
            <dd data-testid="balance-total">{t("billing.balance.tokens", { tokens: tokens(balance.total) })}</dd>
          </div>
          <div>
            <dt>{t("billing.balance.paid")}</dt>
            <dd data-testid="balance-paid">{tokens(balance.paid)}</dd>
          </div>
          <div>
            <dt>{t("billing.balance.promo")}</dt>
            <dd data-testid="balance-promo">{tokens(balance.promo)}</dd>
          </div>
        </dl>
      </section>

      <h2>{t("billing.packs.title")}</h2>
      <CreditPackList packs={packs} locale={locale} enabled={enabled} emailVerified={emailVerified} paymentMethods={paymentMethods} />

      <h2>{t("billing.purchases.title")}</h2>
      {purchases.length === 0 ? <p className="muted">{t("billing.purchases.empty")}</p> : <PurchaseTable purchases={purchases} locale={locale} />}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
