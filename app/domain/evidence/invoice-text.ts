// Reads an OpenAI invoice or receipt from the text a PDF carries (positioned strings, page by
// page): the invoice number, billing period, amount, currency, bill-to name and org id. Pure.
import { parseInvoiceAmount } from "./invoice-money";

/** One string the PDF draws, where it draws it (PDF points, y grows upwards). */
export interface TextCell {
  page: number;
  x: number;
  y: number;
  text: string;
}

export interface InvoiceFacts {
  document: "invoice" | "receipt";
  /** As printed, upper-cased, e.g. "A1B2C3D4-0001". */
  invoiceNumber: string;
  /** "YYYY-MM-DD", or null when not printed. */
  issuedOn: string | null;
  periodStart: string;
  periodEnd: string;
  /** In the currency's minor units (cents; yen for JPY). */
  amountMinor: number;
  /** ISO 4217, upper case. */
  currency: string;
  billTo: string | null;
  orgId: string | null;
  pages: number;
}

export interface InvoiceProblem {
  code: string;
  params?: Record<string, string | number>;
  page?: number;
}

export type InvoiceReading = { ok: true; facts: InvoiceFacts; page: number } | { ok: false; problems: InvoiceProblem[] };

interface Line {
  page: number;
  y: number;
  cells: TextCell[];
  text: string;
}

/** Strings on the same baseline (within 2 points) of a page form a line, read left to right. */
export function linesOf(cells: TextCell[]): Line[] {
  const sorted = cells.filter((cell) => cell.text.trim() !== "").sort((a, b) => a.page - b.page || b.y - a.y || a.x - b.x);
  const lines: Line[] = [];
  for (const cell of sorted) {
    const last = lines.at(-1);
    if (last && last.page === cell.page && Math.abs(last.y - cell.y) <= 2) last.cells.push(cell);
    else lines.push({ page: cell.page, y: cell.y, cells: [cell], text: "" });
  }
  for (const line of lines) {
    line.cells.sort((a, b) => a.x - b.x);
    line.text = line.cells.map((cell) => cell.text.trim()).join(" ").replace(/\s+/g, " ");
  }
  return lines;
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const MONTH = "(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\\.?";
const DATE = new RegExp(`^${MONTH}\\s+(\\d{1,2}),\\s*(\\d{4})$`, "i");
const PERIOD = new RegExp(`\\b${MONTH}\\s+(\\d{1,2})(?:,\\s*(\\d{4}))?\\s*[–—-]\\s*${MONTH}\\s+(\\d{1,2}),\\s*(\\d{4})`, "i");
const INVOICE_NUMBER = /^[A-Z0-9]{4,20}(?:-[A-Z0-9]{2,8})?$/;
const ORG_ID_IN_TEXT = /\borg-[A-Za-z0-9]{8,64}\b/g;

function isoDay(monthName: string, day: string, year: string): string | null {
  const month = MONTHS.indexOf(monthName.slice(0, 3).toLowerCase());
  const date = new Date(Date.UTC(Number(year), month, Number(day)));
  if (month < 0 || date.getUTCMonth() !== month || date.getUTCDate() !== Number(day)) return null;
  return date.toISOString().slice(0, 10);
}

function parseDate(text: string): string | null {
  const match = DATE.exec(text.trim());
  return match ? isoDay(match[1]!, match[2]!, match[3]!) : null;
}

/** "Jun 1 – Jun 30, 2024" or "Dec 15, 2023 – Jan 14, 2024"; a start without a year takes the end's. */
export function parsePeriod(text: string): { start: string; end: string } | null {
  const match = PERIOD.exec(text);
  if (!match) return null;
  const endYear = Number(match[6]);
  const startMonth = MONTHS.indexOf(match[1]!.slice(0, 3).toLowerCase());
  const endMonth = MONTHS.indexOf(match[4]!.slice(0, 3).toLowerCase());
  const startYear = match[3] ? Number(match[3]) : startMonth > endMonth ? endYear - 1 : endYear;
  const start = isoDay(match[1]!, match[2]!, String(startYear));
  const end = isoDay(match[4]!, match[5]!, String(endYear));
  if (!start || !end || start > end) return null;
  return { start, end };
}

/** The value printed after a label on the same line ("Invoice number  A1B2-0001"). */
function valueAfter(lines: Line[], label: RegExp): { value: string; page: number } | null {
  for (const line of lines) {
    const first = line.cells[0]?.text.trim() ?? "";
    if (!label.test(first)) continue;
    const value = line.cells.slice(1).map((cell) => cell.text.trim()).join(" ").trim();
    if (value !== "") return { value, page: line.page };
    // Label and value drawn as one string.
    const joined = first.replace(label, "").trim();
    if (joined !== "") return { value: joined, page: line.page };
  }
  return null;
}

/** The first string under "Bill to" in the same column: the customer's organization name. */
function billToName(cells: TextCell[]): string | null {
  const label = cells.find((cell) => /^bill to$/i.test(cell.text.trim()));
  if (!label) return null;
  const below = cells
    .filter((cell) => cell.page === label.page && cell.y < label.y - 1 && label.y - cell.y < 40 && Math.abs(cell.x - label.x) <= 3 && cell.text.trim() !== "")
    .sort((a, b) => b.y - a.y);
  const name = below[0]?.text.trim() ?? "";
  return name === "" ? null : name.slice(0, 200);
}

/**
 * Reads the facts of one OpenAI invoice or receipt. A document that does not look like one at
 * all is `not_openai_invoice`; one that does but lacks a fact names the missing facts.
 */
export function readInvoiceText(cells: TextCell[]): InvoiceReading {
  const lines = linesOf(cells);
  if (lines.length === 0) return { ok: false, problems: [{ code: "pdf_no_text" }] };
  // The title is the first string of one of the top lines (a logo may share its baseline).
  const title = lines.slice(0, 5).find((line) => /^(invoice|receipt)$/i.test(line.cells[0]!.text.trim()));
  const fromOpenAi = lines.some((line) => /\bOpenAI(,| OpCo,)? (LLC|L\.L\.C\.)/i.test(line.text));
  const numberLine = valueAfter(lines, /^invoice (number|no\.?|#)/i);
  if (!title || !fromOpenAi || !numberLine) return { ok: false, problems: [{ code: "not_openai_invoice" }] };
  const document = /^receipt/i.test(title.text) ? "receipt" : "invoice";

  const problems: InvoiceProblem[] = [];
  const invoiceNumber = numberLine.value.split(" ")[0]!.toUpperCase();
  if (!INVOICE_NUMBER.test(invoiceNumber)) problems.push({ code: "invoice_bad_number", page: numberLine.page });

  const issued = valueAfter(lines, document === "receipt" ? /^date (paid|of issue)$/i : /^date of issue$/i);
  const issuedOn = issued ? parseDate(issued.value) : null;

  // The billed usage is the total; "Amount due" may be lower when prepaid credit was applied.
  const amountLine =
    valueAfter(lines, /^total$/i) ?? valueAfter(lines, document === "receipt" ? /^amount paid$/i : /^amount due$/i) ?? valueAfter(lines, /^amount (due|paid)$/i);
  let amountMinor = 0;
  let currency = "";
  if (amountLine) {
    // A total without a currency code takes the code printed on "Amount due/paid".
    const codeLine = valueAfter(lines, /^amount (due|paid)$/i);
    const code = /\b([A-Z]{3})$/.exec(codeLine?.value ?? "")?.[1];
    const text = /\b[A-Z]{3}$/.test(amountLine.value) || !code ? amountLine.value : `${amountLine.value} ${code}`;
    const amount = parseInvoiceAmount(text);
    if (amount.ok) {
      amountMinor = amount.minor;
      currency = amount.currency;
    } else {
      problems.push({ code: amount.code, page: amountLine.page, ...(amount.currency ? { params: { currency: amount.currency } } : {}) });
    }
  }

  let periodStart: string | null = null;
  let periodEnd: string | null = null;
  for (const line of lines) {
    const period = parsePeriod(line.text);
    if (!period) continue;
    if (!periodStart || period.start < periodStart) periodStart = period.start;
    if (!periodEnd || period.end > periodEnd) periodEnd = period.end;
  }

  if (!amountLine) problems.push({ code: "invoice_missing_amount" });
  // A receipt for prepaid credit names no usage period: it proves a payment, not usage.
  if (!periodStart) problems.push({ code: "invoice_missing_period" });
  if (problems.length > 0 || !periodStart || !periodEnd) return { ok: false, problems };

  const orgIds = new Set(lines.flatMap((line) => line.text.match(ORG_ID_IN_TEXT) ?? []));
  return {
    ok: true,
    page: numberLine.page,
    facts: {
      document,
      invoiceNumber,
      issuedOn,
      periodStart,
      periodEnd,
      amountMinor,
      currency,
      billTo: billToName(cells),
      // Several org ids on one invoice is not something OpenAI prints: leave it to the accumulator.
      orgId: orgIds.size === 1 ? [...orgIds][0]! : null,
      pages: Math.max(...cells.map((cell) => cell.page)),
    },
  };
}

/** Every org id printed on the document (usually none or one). */
export function orgIdsIn(cells: TextCell[]): string[] {
  return [...new Set(linesOf(cells).flatMap((line) => line.text.match(ORG_ID_IN_TEXT) ?? []))];
}
