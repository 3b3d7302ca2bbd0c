import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useLocation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { findPurchaseBySession, fulfilCheckoutSession } from "~/domain/billing.server";
import { getBalance } from "~/domain/ledger.server";
import { requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { formatInteger, isLocale } from "~/lib/i18n";
import { pageTitle } from "~/lib/meta";
import { getStripe } from "~/lib/stripe.server";
import { useRootData } from "~/root";
import { errorFields, log } from "~/lib/logger.server";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["billing"] };

export const meta: MetaFunction = (args) => pageTitle(args, "billing.success.title");

const sessionIdSchema = z.string().regex(/^cs_[A-Za-z0-9_]{1,250}$/);

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const parsed = sessionIdSchema.safeParse(new URL(request.url).searchParams.get("session_id"));
  if (!parsed.success) throw new Response("Not Found", { status: 404 });
  const db = getDb();
  let purchase = await findPurchaseBySession(db, user.id, parsed.data);
  if (!purchase) throw new Response("Not Found", { status: 404 });

  // The customer may arrive before the webhook: fulfil from the session as Stripe reports it.
  const stripe = getStripe();
  if (purchase.state === "pending" && stripe) {
    try {
      const session = await stripe.checkout.sessions.retrieve(parsed.data);
      await fulfilCheckoutSession(db, session, { source: "success_page" });
      purchase = (await findPurchaseBySession(db, user.id, parsed.data)) ?? purchase;
    } catch (error) {
      // The webhook will credit it; the page says the payment is still being confirmed.
      log.warn({ checkoutSessionId: parsed.data, ...errorFields(error) }, "Checkout Session could not be checked");
    }
  }
  const balance = await getBalance(db, user.id);
  return { state: purchase.state, tokens: purchase.tokens, total: balance.total };
}

export default function PurchaseSuccess() {
  const { state, tokens, total } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const location = useLocation();
  const rootLocale = useRootData()?.locale;
  const locale = isLocale(rootLocale) ? rootLocale : "en";
  return (
    <section className="panel narrow-left" aria-labelledby="success-title">
      <h1 id="success-title">{t("billing.success.title")}</h1>
      {state === "paid" ? (
        <div className="alert alert-success" role="status" data-testid="purchase-credited">
          {t("billing.success.credited", { tokens: formatInteger(tokens, locale) })}
        </div>
      ) : state === "refunded" ? (
        <div className="alert alert-info" role="status">
          {t("billing.success.refunded")}
        </div>
      ) : (
        <div className="alert alert-info" role="status" data-testid="purchase-pending">
          {t("billing.success.pending")}
        </div>
      )}
      <p>
        {t("billing.success.available")} <strong data-testid="balance-total">{t("billing.balance.tokens", { tokens: formatInteger(total, locale) })}</strong>
      </p>
      <p className="form-actions">
        {state === "pending" ? (
          <Link to={`${location.pathname}${location.search}`} reloadDocument className="button button-secondary">
            {t("billing.success.checkAgain")}
          </Link>
        ) : null}
        <Link to="/account/billing" className="button">
          {t("billing.success.back")}
        </Link>
      </p>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
