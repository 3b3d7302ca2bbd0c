// Every piece of an account's evidence for staff and support: accepted, rejected and removed, each
// with its reasons and flags in words (first lines of each kind, and how often), never raw codes.
import { useTranslation } from "react-i18next";
import { FindingList, useLocale, type FindingView } from "~/components/evidence-view";
import { InvoiceLine } from "~/components/invoice-evidence";
import { formatDateTime, formatInteger } from "~/lib/i18n";

export interface AccountEvidenceRow {
  id: string;
  kind: string;
  status: "accepted" | "rejected";
  fileName: string | null;
  orgId: string | null;
  periodStart: string | null;
  periodEnd: string | null;
  inputTokens: number;
  outputTokens: number;
  reasons: FindingView[];
  flags: FindingView[];
  removedAt: string | null;
  createdAt: string;
  /** Measured tokens, or an invoice's amount converted at the provider's rate. */
  countedTokens: number;
  invoice: InvoiceRow | null;
}

type InvoiceRow = Parameters<typeof InvoiceLine>[0]["invoice"];

/** The fields the table shows, picked from a stored piece of evidence (the loader sends no more). */
export function toAccountEvidenceRow<T extends AccountEvidenceRow>(piece: T): AccountEvidenceRow {
  const { id, kind, status, fileName, orgId, periodStart, periodEnd, inputTokens, outputTokens, reasons, flags, removedAt, createdAt, countedTokens, invoice } = piece;
  return { id, kind, status, fileName, orgId, periodStart, periodEnd, inputTokens, outputTokens, reasons, flags, removedAt, createdAt, countedTokens, invoice };
}

export function AccountEvidenceTable({ evidence }: { evidence: AccountEvidenceRow[] }) {
  const { t } = useTranslation();
  const locale = useLocale();
  return (
    <div className="table-scroll">
      <table className="table account-evidence">
        <thead>
          <tr>
            <th scope="col">{t("evidence.records.evidence")}</th>
            <th scope="col">{t("evidence.records.status")}</th>
            <th scope="col">{t("evidence.records.orgId")}</th>
            <th scope="col">{t("evidence.records.period")}</th>
            <th scope="col" className="number">{t("evidence.records.tokens")}</th>
            <th scope="col">{t("evidence.records.findings")}</th>
          </tr>
        </thead>
        <tbody>
          {evidence.map((item) => {
            const pages = item.kind === "usage_api_json" || item.kind === "api_read";
            return (
              <tr key={item.id} data-evidence-id={item.id} className={item.removedAt ? "evidence-removed" : undefined}>
                <td>
                  <code>{item.id}</code>
                  <div className="small">{t(`evidence.kinds.${item.kind}`)}</div>
                  {item.fileName ? <div className="muted small file-name">{item.fileName}</div> : null}
                  {item.invoice ? <InvoiceLine invoice={item.invoice} locale={locale} /> : null}
                  <div className="muted small">
                    <time dateTime={item.createdAt}>{formatDateTime(item.createdAt, locale)}</time>
                  </div>
                </td>
                <td>
                  <span className={item.status === "accepted" ? "badge badge-success" : "badge badge-danger"}>{t(`evidence.status.${item.status}`)}</span>
                  {item.removedAt ? (
                    <div className="small muted" data-testid="evidence-removed">
                      {t("evidence.records.removed", { date: formatDateTime(item.removedAt, locale) })}
                    </div>
                  ) : null}
                </td>
                <td>{item.orgId ? <code>{item.orgId}</code> : "—"}</td>
                <td>{item.periodStart && item.periodEnd ? `${item.periodStart} → ${item.periodEnd}` : "—"}</td>
                <td className="number">{formatInteger(item.countedTokens, locale)}</td>
                <td>
                  {item.reasons.length > 0 ? <FindingList findings={item.reasons} group="reasons" pages={pages} /> : null}
                  {item.flags.length > 0 ? <FindingList findings={item.flags} group="flags" pages={pages} /> : null}
                  {item.reasons.length === 0 && item.flags.length === 0 ? <span className="muted">—</span> : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
