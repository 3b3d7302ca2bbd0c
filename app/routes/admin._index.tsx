import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { WeekChart, type ChartSeries } from "~/components/week-chart";
import { getProgramNumbers, type WeeklySeries } from "~/domain/program-stats.server";
import { requireRole } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { formatInteger } from "~/lib/i18n";
import { pageTitle } from "~/lib/meta";
import { useRootData } from "~/root";

export const meta: MetaFunction = (args) => pageTitle(args, "admin.overview.title");

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "admin");
  return { numbers: await getProgramNumbers(getDb()) };
}

/** Colours that mean something: green granted or approved, red rejected, amber waiting. */
const SERIES_TONE: Record<string, ChartSeries["tone"]> = {
  signups: 1,
  verified: 2,
  pending: 3,
  needs_info: 5,
  auto_approved: 1,
  approved: 2,
  rejected: 4,
  granted: 2,
  adjusted: 5,
  used: 1,
  expired: 3,
};

export default function AdminOverview() {
  const { numbers } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const locale = useRootData()?.locale ?? "en";
  const toSeries = (group: string, list: WeeklySeries[]): ChartSeries[] =>
    list.map((series, index) => ({
      label: t(`admin.overview.series.${group}.${series.key}`),
      values: series.values,
      tone: SERIES_TONE[series.key] ?? (((index % 5) + 1) as ChartSeries["tone"]),
    }));
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">{t("admin.overview.title")}</h1>
      <p className="muted">{t("admin.overview.lead", { weeks: numbers.weeks.length })}</p>
      <dl className="stat-cards">
        <div>
          <dt>{t("admin.overview.totalAccounts")}</dt>
          <dd>{formatInteger(numbers.totals.accounts, locale)}</dd>
        </div>
        <div>
          <dt>{t("admin.overview.totalVerified")}</dt>
          <dd>{formatInteger(numbers.totals.verified, locale)}</dd>
        </div>
      </dl>
      <div className="wk-charts">
        <WeekChart title={t("admin.overview.charts.accounts")} weeks={numbers.weeks} series={toSeries("accounts", numbers.accounts)} locale={locale} />
        {numbers.claims.length > 0 ? (
          <WeekChart title={t("admin.overview.charts.claims")} weeks={numbers.weeks} series={toSeries("claims", numbers.claims)} locale={locale} />
        ) : null}
        {numbers.tokens.length > 0 ? (
          <WeekChart title={t("admin.overview.charts.tokens")} weeks={numbers.weeks} series={toSeries("tokens", numbers.tokens)} locale={locale} />
        ) : null}
      </div>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
