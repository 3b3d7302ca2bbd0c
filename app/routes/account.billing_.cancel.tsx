import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { requireUser } from "~/lib/auth.server";
import { pageTitle } from "~/lib/meta";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["billing"] };

export const meta: MetaFunction = (args) => pageTitle(args, "billing.cancel.title");

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  return null;
}

export default function CheckoutCancelled() {
  const { t } = useTranslation();
  return (
    <section className="panel narrow-left" aria-labelledby="cancel-title">
      <h1 id="cancel-title">{t("billing.cancel.title")}</h1>
      <p>{t("billing.cancel.body")}</p>
      <p>
        <Link to="/account/billing" className="button">
          {t("billing.cancel.back")}
        </Link>
      </p>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
