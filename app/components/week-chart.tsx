// A server-rendered SVG bar chart of weekly numbers (no script, no inline style: CSP-friendly),
// with the same numbers in a table for screen readers and copy-paste.
import { useTranslation } from "react-i18next";
import { formatDate, formatInteger, type Locale } from "~/lib/i18n";
import { formatCompactNumber } from "~/lib/money";

export interface ChartSeries {
  label: string;
  values: number[];
  /** One of the chart palette classes: series-1 … series-5. */
  tone: 1 | 2 | 3 | 4 | 5;
}

const WIDTH = 640;
const HEIGHT = 220;
const PAD = { top: 12, right: 8, bottom: 28, left: 56 };

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (value <= step * magnitude) return step * magnitude;
  }
  return 10 * magnitude;
}

export function WeekChart({ title, weeks, series, locale }: { title: string; weeks: string[]; series: ChartSeries[]; locale: Locale }) {
  const { t } = useTranslation();
  const highest = Math.max(0, ...series.flatMap((s) => s.values));
  const max = niceMax(highest);
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const groupWidth = plotWidth / Math.max(1, weeks.length);
  const barWidth = Math.max(2, (groupWidth * 0.8) / Math.max(1, series.length));
  const y = (value: number) => PAD.top + plotHeight - (value / max) * plotHeight;
  // Counts are whole numbers: no "0.5 sign-ups" tick.
  const ticks = [0, max / 2, max].filter((tick) => Number.isInteger(tick));
  return (
    <figure className="week-chart">
      <figcaption>{title}</figcaption>
      <ul className="wk-legend">
        {series.map((s) => (
          <li key={s.label}>
            <span className={`wk-swatch wk-series-${s.tone}`} aria-hidden="true" />
            {s.label}
          </li>
        ))}
      </ul>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={title} className="wk-svg">
        {ticks.map((tick) => (
          <g key={tick}>
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(tick)} y2={y(tick)} className="wk-gridline" />
            <text x={PAD.left - 6} y={y(tick) + 4} textAnchor="end" className="wk-axis">
              {formatCompactNumber(tick, locale)}
            </text>
          </g>
        ))}
        {highest === 0 ? (
          <text x={PAD.left + plotWidth / 2} y={PAD.top + plotHeight / 2} textAnchor="middle" className="wk-empty">
            {t("admin.overview.empty")}
          </text>
        ) : null}
        {weeks.map((week, w) => (
          <g key={week}>
            {series.map((s, i) => {
              const value = s.values[w] ?? 0;
              const x = PAD.left + w * groupWidth + groupWidth * 0.1 + i * barWidth;
              return (
                <rect key={s.label} x={x} y={y(value)} width={barWidth} height={Math.max(0, PAD.top + plotHeight - y(value))} className={`wk-series-${s.tone}`}>
                  <title>{`${formatDate(week, locale)} · ${s.label}: ${formatInteger(value, locale)}`}</title>
                </rect>
              );
            })}
            {w % 2 === 0 ? (
              <text x={PAD.left + w * groupWidth + groupWidth / 2} y={HEIGHT - 8} textAnchor="middle" className="wk-axis">
                {week.slice(5)}
              </text>
            ) : null}
          </g>
        ))}
      </svg>
      <details className="wk-table">
        <summary>{t("admin.overview.showTable")}</summary>
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t("admin.overview.weekOf")}</th>
              {series.map((s) => (
                <th key={s.label} scope="col" className="number">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {weeks.map((week, w) => (
              <tr key={week}>
                <th scope="row">{formatDate(week, locale)}</th>
                {series.map((s) => (
                  <td key={s.label} className="number">
                    {formatInteger(s.values[w] ?? 0, locale)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
