// A server-rendered SVG bar chart of weekly (or daily) numbers (no script, no inline style: CSP-friendly),
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

export interface ChartLabels {
  /** Heading of the table's first column (the period). */
  column: string;
  empty: string;
  showTable: string;
}

/**
 * `weeks` are the periods' first days (ISO). `stacked`: one bar per period with the series on top
 * of each other (for many periods); otherwise the series' bars stand side by side.
 */
export function WeekChart({ title, weeks, series, locale, labels, stacked = false }: { title: string; weeks: string[]; series: ChartSeries[]; locale: Locale; labels?: ChartLabels; stacked?: boolean }) {
  const { t } = useTranslation();
  const text = labels ?? { column: t("admin.overview.weekOf"), empty: t("admin.overview.empty"), showTable: t("admin.overview.showTable") };
  const highest = stacked
    ? Math.max(0, ...weeks.map((_, w) => series.reduce((total, s) => total + (s.values[w] ?? 0), 0)))
    : Math.max(0, ...series.flatMap((s) => s.values));
  const max = niceMax(highest);
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const groupWidth = plotWidth / Math.max(1, weeks.length);
  const barWidth = stacked ? Math.max(2, groupWidth * 0.8) : Math.max(2, (groupWidth * 0.8) / Math.max(1, series.length));
  // About eight day labels whatever the period's length.
  const labelEvery = Math.max(2, Math.ceil(weeks.length / 8));
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
            {text.empty}
          </text>
        ) : null}
        {weeks.map((week, w) => (
          <g key={week}>
            {series.map((s, i) => {
              const value = s.values[w] ?? 0;
              const below = stacked ? series.slice(0, i).reduce((total, other) => total + (other.values[w] ?? 0), 0) : 0;
              const x = PAD.left + w * groupWidth + groupWidth * 0.1 + (stacked ? 0 : i * barWidth);
              const top = y(below + value);
              return (
                <rect key={s.label} x={x} y={top} width={barWidth} height={Math.max(0, y(below) - top)} className={`wk-series-${s.tone}`}>
                  <title>{`${formatDate(week, locale)} · ${s.label}: ${formatInteger(value, locale)}`}</title>
                </rect>
              );
            })}
            {w % labelEvery === 0 ? (
              <text x={PAD.left + w * groupWidth + groupWidth / 2} y={HEIGHT - 8} textAnchor="middle" className="wk-axis">
                {week.slice(5)}
              </text>
            ) : null}
          </g>
        ))}
      </svg>
      <details className="wk-table">
        <summary>{text.showTable}</summary>
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{text.column}</th>
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
