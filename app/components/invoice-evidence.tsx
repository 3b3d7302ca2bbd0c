// OpenAI invoice evidence: its facts (developer's evidence page) and a table of invoices (staff).
import { useTranslation } from "react-i18next";
import { formatDate, formatInteger, type Locale } from "~/lib/i18n";
import { formatMoney, formatUsdMicros } from "~/lib/money";
import { useLocale } from "./evidence-view";

export interface InvoiceViewData {
  evidenceId: string;
  document: "invoice" | "receipt";
  invoiceNumber: string;
  issuedOn: string | null;
  periodStart: string;
  periodEnd: string;
  amountMinor: number;
  currency: string;
  usdMicros: number;
  billTo: string | null;
  orgId: string | null;
  pages: number;
  countedTokens: number;
  tokensPerUsd: number;
  usdPerUnit: string;
}

/** "$123.45 USD" as the invoice prints it; the code is not repeated where the symbol names it ("US$", "JP¥"). */
export function invoiceAmount(invoice: Pick<InvoiceViewData, "amountMinor" | "currency">, locale: Locale): string {
  const money = formatMoney(invoice.amountMinor, invoice.currency, locale);
  return /[A-Z]/.test(money) ? money : `${money} ${invoice.currency}`;
}

export function invoicePeriod(invoice: Pick<InvoiceViewData, "periodStart" | "periodEnd">, locale: Locale): string {
  return `${formatDate(invoice.periodStart, locale)} – ${formatDate(invoice.periodEnd, locale)}`;
}

export function InvoiceFacts({ invoice, accepted }: { invoice: InvoiceViewData; accepted: boolean }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const facts: Array<[string, string]> = [
    [t("evidence.invoice.document"), t(`evidence.invoice.documents.${invoice.document}`)],
    [t("evidence.invoice.number"), invoice.invoiceNumber],
    [t("evidence.invoice.issuedOn"), invoice.issuedOn ? formatDate(invoice.issuedOn, locale) : t("evidence.detail.none")],
    [t("evidence.invoice.period"), invoicePeriod(invoice, locale)],
    [t("evidence.invoice.amount"), invoiceAmount(invoice, locale)],
  ];
  if (invoice.currency !== "USD") {
    facts.push([t("evidence.invoice.usd"), `${formatUsdMicros(invoice.usdMicros, locale)} (${t("evidence.invoice.usdNote", { rate: invoice.usdPerUnit, currency: invoice.currency })})`]);
  }
  facts.push([t("evidence.invoice.billTo"), invoice.billTo ?? t("evidence.detail.none")]);
  facts.push([t("evidence.invoice.orgId"), invoice.orgId ?? t("evidence.detail.none")]);
  facts.push([t("evidence.invoice.pages"), formatInteger(invoice.pages, locale)]);
  if (accepted) {
    facts.push([t("evidence.invoice.counts"), t("evidence.invoice.countsValue", { tokens: formatInteger(invoice.countedTokens, locale), rate: formatInteger(invoice.tokensPerUsd, locale) })]);
  }
  return (
    <>
      <dl className="evidence-facts" data-testid="invoice-facts">
        {facts.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <p className="muted">{t("evidence.invoice.reviewNote")}</p>
    </>
  );
}

/** One line for support's account story: which invoice, how much, for when, billed to whom. */
export function InvoiceLine({ invoice, locale }: { invoice: Pick<InvoiceViewData, "document" | "invoiceNumber" | "amountMinor" | "currency" | "periodStart" | "periodEnd" | "billTo">; locale: Locale }) {
  const { t } = useTranslation();
  return (
    <div className="small" data-testid="invoice-line">
      {t(`evidence.invoice.documents.${invoice.document}`)} <code>{invoice.invoiceNumber}</code> · {invoiceAmount(invoice, locale)} · {invoicePeriod(invoice, locale)}
      {invoice.billTo ? ` · ${invoice.billTo}` : ""}
    </div>
  );
}

/** Staff's view of the invoices behind a claim: what each says and what it counts for. */
export function InvoiceTable({ invoices }: { invoices: InvoiceViewData[] }) {
  const { t } = useTranslation();
  const locale = useLocale();
  if (invoices.length === 0) return null;
  return (
    <>
      <h3 className="invoice-table-title">{t("review.claim.invoicesTitle")}</h3>
      <p className="muted">{t("evidence.invoice.reviewNote")}</p>
      <div className="table-scroll">
        <table className="table" data-testid="claim-invoices">
          <thead>
            <tr>
              <th scope="col">{t("evidence.invoice.number")}</th>
              <th scope="col">{t("evidence.invoice.period")}</th>
              <th scope="col" className="numeric">{t("evidence.invoice.amount")}</th>
              <th scope="col">{t("evidence.invoice.billTo")}</th>
              <th scope="col" className="numeric">{t("evidence.invoice.counts")}</th>
            </tr>
          </thead>
          <tbody>
            {invoices.map((invoice) => (
              <tr key={invoice.evidenceId}>
                <td>
                  <code>{invoice.invoiceNumber}</code>
                  <div className="muted small">{t(`evidence.invoice.documents.${invoice.document}`)}</div>
                </td>
                <td className="nowrap">{invoicePeriod(invoice, locale)}</td>
                <td className="numeric nowrap">
                  {invoiceAmount(invoice, locale)}
                  {invoice.currency !== "USD" ? <div className="muted small">≈ {formatUsdMicros(invoice.usdMicros, locale)}</div> : null}
                </td>
                <td>{invoice.billTo ?? "—"}</td>
                <td className="numeric">
                  {formatInteger(invoice.countedTokens, locale)}
                  <div className="muted small">{t("review.claim.invoiceRate", { rate: formatInteger(invoice.tokensPerUsd, locale) })}</div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
