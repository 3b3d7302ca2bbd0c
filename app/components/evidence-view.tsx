// Evidence displays shared by the evidence pages: monthly chart (server-rendered SVG), per-model
// table, totals, and the reasons/flags list with line numbers.
import { useTranslation } from "react-i18next";
import { formatInteger, isLocale, type Locale } from "~/lib/i18n";
import { formatCompactNumber, formatUsdMicros } from "~/lib/money";

export interface MonthBar {
  month: string;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  costMicros: number;
  /** Tokens counted from invoices (converted); the month's total is the larger figure. */
  invoiceTokens?: number;
}

export interface ModelRow {
  model: string;
  inputTokens: number;
  outputTokens: number;
  costMicros: number;
  requests: number;
}

export interface FindingView {
  code: string;
  count: number;
  lines: number[];
  params?: Record<string, string | number>;
}

/** How invoice spend appears among models (see app/domain/evidence/invoice-months.ts). */
const INVOICE_MODEL_PREFIX = "openai-invoice:";

export function useLocale(): Locale {
  const { i18n } = useTranslation();
  return isLocale(i18n.language) ? i18n.language : "en";
}

/** Micro-dollars as dollars with cents, e.g. "$1,234.57". */
export function formatUsd(micros: number, locale: Locale): string {
  // No cost evidence is not a spend of zero.
  if (micros === 0) return "—";
  return formatUsdMicros(micros, locale);
}

function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

export function UsageChart({ months }: { months: MonthBar[] }) {
  const { t } = useTranslation();
  const locale = useLocale();
  if (months.length === 0) return null;
  const width = 720;
  const height = 240;
  const left = 56;
  const bottom = 28;
  const top = 12;
  const plotHeight = height - top - bottom;
  const max = niceCeiling(Math.max(...months.map((month) => month.totalTokens)));
  const slot = (width - left - 8) / months.length;
  const barWidth = Math.max(4, Math.min(36, slot * 0.7));
  const y = (value: number) => top + plotHeight - (value / max) * plotHeight;
  const summary = months.map((month) => `${month.month}: ${formatInteger(month.totalTokens, locale)}`).join("; ");
  const labelEvery = Math.ceil(months.length / 12);
  const hasInvoices = months.some((month) => month.invoiceTokens !== undefined);
  return (
    <figure className="usage-chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby="usage-chart-title usage-chart-desc" preserveAspectRatio="xMidYMid meet">
        <title id="usage-chart-title">{t("evidence.combined.chartTitle")}</title>
        <desc id="usage-chart-desc">{t("evidence.combined.chartDescription", { summary })}</desc>
        {[0, 0.25, 0.5, 0.75, 1].map((fraction) => (
          <g key={fraction}>
            <line x1={left} x2={width - 4} y1={y(max * fraction)} y2={y(max * fraction)} className="chart-grid" />
            <text x={left - 6} y={y(max * fraction) + 4} textAnchor="end" className="chart-axis">
              {formatCompactNumber(max * fraction, locale)}
            </text>
          </g>
        ))}
        {months.map((month, index) => {
          const x = left + index * slot + (slot - barWidth) / 2;
          const measured = month.inputTokens + month.outputTokens;
          return (
            <g key={month.month}>
              <rect x={x} y={y(month.inputTokens)} width={barWidth} height={plotHeight + top - y(month.inputTokens)} className="chart-input">
                <title>{`${month.month} · ${t("evidence.combined.legendInput")}: ${formatInteger(month.inputTokens, locale)}`}</title>
              </rect>
              <rect x={x} y={y(measured)} width={barWidth} height={y(month.inputTokens) - y(measured)} className="chart-output">
                <title>{`${month.month} · ${t("evidence.combined.legendOutput")}: ${formatInteger(month.outputTokens, locale)}`}</title>
              </rect>
              {month.totalTokens > measured ? (
                <rect x={x} y={y(month.totalTokens)} width={barWidth} height={y(measured) - y(month.totalTokens)} className="chart-invoice">
                  <title>{`${month.month} · ${t("evidence.combined.legendInvoice")}: ${formatInteger(month.invoiceTokens ?? 0, locale)}`}</title>
                </rect>
              ) : null}
              {index % labelEvery === 0 ? (
                <text x={x + barWidth / 2} y={height - 8} textAnchor="middle" className="chart-axis">
                  {month.month}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption className="chart-legend">
        <span className="legend-swatch chart-input" aria-hidden="true" /> {t("evidence.combined.legendInput")}
        <span className="legend-swatch chart-output" aria-hidden="true" /> {t("evidence.combined.legendOutput")}
        {hasInvoices ? (
          <>
            <span className="legend-swatch chart-invoice" aria-hidden="true" /> {t("evidence.combined.legendInvoice")}
          </>
        ) : null}
      </figcaption>
    </figure>
  );
}

export function UsageTotals({ inputTokens, outputTokens, costMicros, months, totalTokens }: { inputTokens: number; outputTokens: number; costMicros: number; months: number; totalTokens?: number }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const items: Array<[string, string]> = [
    // With invoices the total counted can exceed what was measured (see the chart's invoice segment).
    [t("evidence.combined.totalTokens"), formatInteger(totalTokens ?? inputTokens + outputTokens, locale)],
    [t("evidence.combined.inputTokens"), formatInteger(inputTokens, locale)],
    [t("evidence.combined.outputTokens"), formatInteger(outputTokens, locale)],
    [t("evidence.combined.cost"), formatUsd(costMicros, locale)],
    [t("evidence.combined.months"), formatInteger(months, locale)],
  ];
  return (
    <dl className="usage-totals">
      {items.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function ModelTable({ models }: { models: ModelRow[] }) {
  const { t } = useTranslation();
  const locale = useLocale();
  if (models.length === 0) return null;
  return (
    <div>
      <table className="table stack-table">
        <caption className="visually-hidden">{t("evidence.combined.perModel")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("evidence.combined.model")}</th>
            <th scope="col" className="number">{t("evidence.combined.inputTokens")}</th>
            <th scope="col" className="number">{t("evidence.combined.outputTokens")}</th>
            <th scope="col" className="number">{t("evidence.combined.requests")}</th>
            <th scope="col" className="number">{t("evidence.combined.cost")}</th>
          </tr>
        </thead>
        <tbody>
          {models.map((row) => (
            <tr key={row.model}>
              <td data-label={t("evidence.combined.model")}>{row.model.startsWith(INVOICE_MODEL_PREFIX) ? t("evidence.combined.invoiceModel", { number: row.model.slice(INVOICE_MODEL_PREFIX.length) }) : <code>{row.model}</code>}</td>
              <td className="number" data-label={t("evidence.combined.inputTokens")}>{formatInteger(row.inputTokens, locale)}</td>
              <td className="number" data-label={t("evidence.combined.outputTokens")}>{formatInteger(row.outputTokens, locale)}</td>
              <td className="number" data-label={t("evidence.combined.requests")}>{formatInteger(row.requests, locale)}</td>
              <td className="number" data-label={t("evidence.combined.cost")}>{formatUsd(row.costMicros, locale)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Reasons or flags in plain words, each with where (first lines or pages) and how often. */
export function FindingList({ findings, group, pages }: { findings: FindingView[]; group: "reasons" | "flags"; pages: boolean }) {
  const { t } = useTranslation();
  const locale = useLocale();
  return (
    <ul className={`finding-list finding-${group}`}>
      {findings.map((finding) => (
        <li key={finding.code} data-code={finding.code}>
          <span>{t(`evidence.${group}.${finding.code}`, { ...finding.params })}</span>
          {finding.lines.length > 0 ? (
            <span className="muted">
              {" "}
              ({t(pages ? "evidence.detail.atPages" : "evidence.detail.atLines", { count: finding.lines.length, lines: finding.lines.map((line) => formatInteger(line, locale)).join(", ") })}
              {finding.count > finding.lines.length ? `; ${t("evidence.detail.times", { count: finding.count })}` : ""})
            </span>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
