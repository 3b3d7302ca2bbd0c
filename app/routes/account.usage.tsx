// The developer's usage: tokens per day by key or model, key × model, a request-id look-up, CSV.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { UsageReport } from "~/components/usage-report";
import { loadUsageView, usageCsvQuery } from "~/domain/usage/view.server";
import { requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { isLocale, type Locale } from "~/lib/i18n";
import { pageTitle } from "~/lib/meta";
import { useRootData } from "~/root";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["usage", "admin"] };

export const meta: MetaFunction = (args) => pageTitle(args, "usage.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const params = new URL(request.url).searchParams;
  let outcome = await loadUsageView(getDb(), user.id, params);
  let invalid: string | null = null;
  if (!outcome.ok) {
    // Bad filters: say so, and show the default view.
    invalid = outcome.message;
    outcome = await loadUsageView(getDb(), user.id, new URLSearchParams());
    if (!outcome.ok) throw new Error("the default usage filter is invalid");
  }
  const { parsed: _parsed, ok: _ok, ...view } = outcome;
  return { ...view, invalid, retentionDays: getEnv().USAGE_RECORD_RETENTION_DAYS, csvHref: `/account/usage.csv?${usageCsvQuery(view.filter)}` };
}

export default function Usage() {
  const { invalid, ...view } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const rootLocale = useRootData()?.locale;
  const locale: Locale = isLocale(rootLocale) ? rootLocale : "en";
  return (
    <>
      <h1>{t("usage.title")}</h1>
      <p className="muted">{t("usage.lead")}</p>
      {invalid ? (
        <p className="alert alert-error" role="alert">
          {t("usage.filters.invalid", { message: invalid })}
        </p>
      ) : null}
      <UsageReport {...view} locale={locale} />
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
