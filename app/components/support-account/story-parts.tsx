// What every section of the support account page shares.
import { useTranslation } from "react-i18next";
import { formatDateTime, type Locale } from "~/lib/i18n";

export function When({ iso, locale }: { iso: string | null; locale: Locale }) {
  const { t } = useTranslation();
  return iso ? <time dateTime={iso}>{formatDateTime(iso, locale)}</time> : <span className="muted">{t("support.account.never")}</span>;
}

/** One part of the account's story: a heading, then its table or "Nothing yet.". */
export function StorySection({ id, title, empty, children }: { id: string; title: string; empty: boolean; children: React.ReactNode }) {
  const { t } = useTranslation();
  return (
    <section id={id} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {empty ? <p className="muted">{t("support.account.none")}</p> : children}
    </section>
  );
}

export interface StoryColumn<Row> {
  /** The column's heading, and each cell's label when the table stacks on a phone. */
  label: string;
  /** Right-aligned digits. */
  number?: boolean;
  className?: string;
  cell: (row: Row) => React.ReactNode;
}

/**
 * One table of the account's story, every section alike: a heading per column, one row per
 * record; on a phone each row becomes a card with each value under its column's name.
 */
export function StoryTable<Row>({ rows, columns, rowKey, rowTestId }: { rows: Row[]; columns: StoryColumn<Row>[]; rowKey: (row: Row) => string; rowTestId?: string }) {
  const classOf = (column: StoryColumn<Row>) => [column.number ? "number" : "", column.className ?? ""].join(" ").trim() || undefined;
  return (
    <table className="table stack-table">
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column.label} scope="col" className={column.number ? "number" : undefined}>
              {column.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)} data-testid={rowTestId}>
            {columns.map((column) => (
              <td key={column.label} data-label={column.label} className={classOf(column)}>
                {column.cell(row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
