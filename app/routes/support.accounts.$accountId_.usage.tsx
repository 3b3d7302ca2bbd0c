// Support's read-only view of one account's usage: the developer's page, audited.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { UsageReport } from "~/components/usage-report";
import { recordAudit } from "~/domain/audit.server";
import { getAccountProfile } from "~/domain/support-account.server";
import { loadUsageView, usageCsvQuery } from "~/domain/usage/view.server";
import { requestOrigin, requireRole } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { isLocale, type Locale } from "~/lib/i18n";
import { pageTitle } from "~/lib/meta";
import { useRootData } from "~/root";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["usage", "admin"] };

export const meta: MetaFunction = (args) => pageTitle(args, "usage.title");

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireRole(request, "support");
  const db = getDb();
  const account = await getAccountProfile(db, params.accountId ?? "");
  if (!account) throw new Response("Not Found", { status: 404 });
  const outcome = await loadUsageView(db, account.id, new URL(request.url).searchParams);
  if (!outcome.ok) throw new Response(`Bad Request: ${outcome.message}`, { status: 400 });
  const { parsed, ok: _ok, ...view } = outcome;
  await recordAudit(db, { actorId: user.id, action: "support.usage_view", targetType: "user", targetId: account.id, details: { filter: parsed, request: view.lookup?.requestId ?? null }, ip: requestOrigin(request, context).ip });
  return {
    ...view,
    account: { id: account.id, email: account.email },
    retentionDays: getEnv().USAGE_RECORD_RETENTION_DAYS,
    csvHref: `/support/accounts/${account.id}/usage.csv?${usageCsvQuery(view.filter)}`,
  };
}

export default function SupportUsage() {
  const { account, ...view } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const rootLocale = useRootData()?.locale;
  const locale: Locale = isLocale(rootLocale) ? rootLocale : "en";
  return (
    <>
      <p>
        <Link to={`/support/accounts/${account.id}`}>← {t("usage.backToAccount")}</Link>
      </p>
      <h1>{t("usage.supportTitle", { email: account.email })}</h1>
      <p className="muted">{t("usage.supportLead")}</p>
      <UsageReport {...view} locale={locale} />
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
