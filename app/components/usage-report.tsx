// One account's usage as the developer and support see it: totals, the daily chart (with its
// table), key × model, a request-id look-up and the CSV link. Renders only; loaders compute.
import { Form } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import type { UsageRequestLookup, UsageSummary } from "~/domain/usage/query.server";
import { formatDate, formatDateTime, formatInteger, type Locale } from "~/lib/i18n";
import { UsageFilters, type UsageFilterValues } from "./usage-filters";
import { WeekChart, type ChartSeries } from "./week-chart";

export interface UsageReportProps {
  summary: UsageSummary;
  filter: UsageFilterValues;
  lookup: UsageRequestLookup | null;
  retentionDays: number;
  csvHref: string;
  locale: Locale;
}

export function UsageReport({ summary, filter, lookup, retentionDays, csvHref, locale }: UsageReportProps) {
  const { t } = useTranslation();
  const n = (value: number) => formatInteger(value, locale);
  const series: ChartSeries[] = summary.series.map((s, index) => ({ label: s.id === "other" ? t("usage.chart.other") : s.label, values: s.values, tone: (index + 1) as ChartSeries["tone"] }));
  const used = summary.totals.inputTokens + summary.totals.outputTokens;
  return (
    <>
      <UsageFilters values={filter} keys={summary.keys} models={summary.models} />

      <dl className="credit-figures usage-totals">
        <div className="credit-figure">
          <dt>{t("usage.totals.requests")}</dt>
          <dd data-testid="usage-requests">{n(summary.totals.requests)}</dd>
        </div>
        <div className="credit-figure">
          <dt>{t("usage.totals.tokens")}</dt>
          <dd data-testid="usage-tokens">{n(used)}</dd>
        </div>
        <div className="credit-figure">
          <dt>{t("usage.totals.debited")}</dt>
          <dd>{n(summary.totals.debitedTokens)}</dd>
        </div>
        <div className="credit-figure">
          <dt>{t("usage.totals.shortfall")}</dt>
          <dd data-testid="usage-shortfall">{n(summary.totals.shortfallTokens)}</dd>
        </div>
      </dl>
      {summary.totals.shortfallTokens > 0 ? (
        <p className="alert alert-warning" role="status">
          {t("usage.totals.shortfallNote", { tokens: n(summary.totals.shortfallTokens) })}
        </p>
      ) : null}

      <WeekChart
        title={t("usage.chart.title", { from: formatDate(summary.from, locale), to: formatDate(summary.to, locale) })}
        weeks={summary.days}
        series={series}
        locale={locale}
        stacked
        labels={{ column: t("usage.chart.day"), empty: t("usage.chart.empty"), showTable: t("usage.chart.showTable") }}
      />

      <section className="panel" aria-labelledby="usage-table-title">
        <h2 id="usage-table-title">{t("usage.table.title")}</h2>
        {summary.rows.length === 0 ? (
          <p className="muted">{t("usage.table.empty")}</p>
        ) : (
          <div className="table-scroll">
            <table className="table usage-table stack-table">
              <thead>
                <tr>
                  <th scope="col">{t("usage.table.key")}</th>
                  <th scope="col">{t("usage.table.model")}</th>
                  <th scope="col" className="number">{t("usage.table.requests")}</th>
                  <th scope="col" className="number">{t("usage.table.input")}</th>
                  <th scope="col" className="number">{t("usage.table.cached")}</th>
                  <th scope="col" className="number">{t("usage.table.output")}</th>
                  <th scope="col" className="number">{t("usage.table.debited")}</th>
                  <th scope="col" className="number">{t("usage.table.shortfall")}</th>
                </tr>
              </thead>
              <tbody>
                {summary.rows.map((row) => (
                  <tr key={`${row.keyId}:${row.model}`}>
                    <td data-label={t("usage.table.key")}>{row.keyLabel}</td>
                    <td data-label={t("usage.table.model")}>
                      <code>{row.model}</code>
                    </td>
                    <td className="number" data-label={t("usage.table.requests")}>{n(row.requests)}</td>
                    <td className="number" data-label={t("usage.table.input")}>{n(row.inputTokens)}</td>
                    <td className="number" data-label={t("usage.table.cached")}>{n(row.cachedInputTokens)}</td>
                    <td className="number" data-label={t("usage.table.output")}>{n(row.outputTokens)}</td>
                    <td className="number" data-label={t("usage.table.debited")}>{n(row.debitedTokens)}</td>
                    <td className="number" data-label={t("usage.table.shortfall")}>{n(row.shortfallTokens)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p>
          <a href={csvHref} className="button button-secondary" download>
            {t("usage.export.csv")}
          </a>{" "}
          <span className="muted">{t("usage.export.note")}</span>
        </p>
      </section>

      <section className="panel" aria-labelledby="usage-lookup-title">
        <h2 id="usage-lookup-title">{t("usage.lookup.title")}</h2>
        <p className="muted">{t("usage.lookup.lead")}</p>
        <Form method="get" className="usage-lookup">
          {Object.entries(filter).map(([name, value]) => (value ? <input key={name} type="hidden" name={name} value={value} /> : null))}
          <div className="field">
            <label htmlFor="usage-request">{t("usage.lookup.label")}</label>
            <input id="usage-request" name="request" defaultValue={lookup?.requestId ?? ""} maxLength={150} autoComplete="off" />
          </div>
          <button type="submit" className="button">
            {t("usage.lookup.submit")}
          </button>
        </Form>
        {lookup ? <LookupResult lookup={lookup} retentionDays={retentionDays} locale={locale} /> : null}
      </section>
    </>
  );
}

function LookupResult({ lookup, retentionDays, locale }: { lookup: UsageRequestLookup; retentionDays: number; locale: Locale }) {
  const { t } = useTranslation();
  const n = (value: number) => formatInteger(value, locale);
  if (lookup.found === "none") {
    return (
      <p className="alert alert-info" role="status" data-testid="usage-lookup">
        {t("usage.lookup.notFound", { requestId: lookup.requestId })}
      </p>
    );
  }
  const rows: Array<[string, React.ReactNode]> =
    lookup.found === "record"
      ? [
          [t("usage.lookup.at"), formatDateTime(lookup.at, locale)],
          [t("usage.lookup.key"), lookup.keyLabel ?? lookup.keyId],
          [t("usage.lookup.model"), <code key="m">{lookup.model}</code>],
          [t("usage.lookup.providerModel"), lookup.providerModel ? <code key="p">{lookup.providerModel}</code> : "—"],
          [t("usage.lookup.input"), n(lookup.inputTokens)],
          [t("usage.lookup.cached"), n(lookup.cachedInputTokens)],
          [t("usage.lookup.output"), n(lookup.outputTokens)],
          [t("usage.lookup.debited"), n(lookup.debitedTokens)],
          [t("usage.lookup.shortfall"), n(lookup.shortfallTokens)],
        ]
      : [
          [t("usage.lookup.at"), formatDateTime(lookup.at, locale)],
          [t("usage.lookup.tokens"), n(lookup.tokens)],
          [t("usage.lookup.debited"), n(lookup.debitedTokens)],
          [t("usage.lookup.shortfall"), n(lookup.shortfallTokens)],
        ];
  return (
    <div data-testid="usage-lookup">
      <h3>
        <code>{lookup.requestId}</code>
      </h3>
      {lookup.found === "debit" ? <p className="muted">{t("usage.lookup.purged", { days: retentionDays })}</p> : null}
      <dl className="usage-lookup-result">
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
