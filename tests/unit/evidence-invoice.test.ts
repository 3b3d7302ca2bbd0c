import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { countedMonths, INVOICE_MODEL_PREFIX } from "~/domain/evidence/invoice-months";
import { minorToUsdMicros, parseInvoiceAmount, tokensForUsdMicros } from "~/domain/evidence/invoice-money";
import { invoiceFingerprint, spreadEvenly } from "~/domain/evidence/invoice-reader.server";
import { parsePeriod, readInvoiceText, type TextCell } from "~/domain/evidence/invoice-text";
import { verifyUpload, type VerifyOptions } from "~/domain/evidence/verify.server";
import { corruptPdf, encryptedInvoicePdf, invoicePdf, letterPdf } from "../fixtures/invoice-pdf";

const OPTIONS: VerifyOptions = { maxBytes: 5 * 1024 * 1024, window: { start: "2023-07-01", end: "2024-07-09" }, now: new Date("2024-09-01T00:00:00Z") };
const codes = (findings: Array<{ code: string }>) => findings.map((finding) => finding.code);

function chunks(bytes: Uint8Array, size = 1000) {
  return Readable.from((function* () {
    for (let start = 0; start < bytes.length; start += size) yield bytes.subarray(start, start + size);
  })());
}

/** Cells as a PDF would place them: one row per entry, cells left to right. */
function page(rows: Array<string | string[]>, pageNumber = 1): TextCell[] {
  return rows.flatMap((row, index) => (Array.isArray(row) ? row : [row]).map((value, column) => ({ page: pageNumber, x: 50 + column * 200, y: 760 - index * 14, text: value })));
}

const INVOICE_ROWS: Array<string | string[]> = [
  "Invoice",
  ["Invoice number", "9F8E7D6C-0003"],
  ["Date of issue", "March 1, 2024"],
  ["Date due", "March 1, 2024"],
  ["OpenAI, LLC", "Bill to"],
  ["548 Market Street", "Example Labs GmbH"],
  ["$1,204.50 USD due March 1, 2024"],
  ["API usage — Feb 1 – Feb 29, 2024", "$1,204.50"],
  ["Subtotal", "$1,204.50"],
  ["Total", "$1,204.50"],
  ["Amount due", "$1,204.50 USD"],
];

describe("invoice text → facts", () => {
  it("reads number, dates, period, amount with a thousands separator and the bill-to name", () => {
    const reading = readInvoiceText(page(INVOICE_ROWS));
    expect(reading).toEqual({
      ok: true,
      page: 1,
      facts: {
        document: "invoice",
        invoiceNumber: "9F8E7D6C-0003",
        issuedOn: "2024-03-01",
        periodStart: "2024-02-01",
        periodEnd: "2024-02-29",
        amountMinor: 120_450,
        currency: "USD",
        billTo: "Example Labs GmbH",
        orgId: null,
        pages: 1,
      },
    });
  });

  it("takes the total, not the amount due, when prepaid credit lowered what is due", () => {
    const rows = INVOICE_ROWS.map((row) => (Array.isArray(row) && row[0] === "Amount due" ? ["Amount due", "$0.00 USD"] : row));
    const reading = readInvoiceText(page(rows));
    expect(reading.ok && reading.facts.amountMinor).toBe(120_450);
  });

  it("spans the periods of every line item, across pages and years", () => {
    const cells = [
      ...page(INVOICE_ROWS.slice(0, 6)),
      ...page([["API usage — Dec 15, 2023 – Dec 31, 2023", "$1.00"], ["API usage — Jan 1 – Jan 14, 2024", "$2.00"], ["Total", "$3.00"], ["Amount due", "$3.00 USD"]], 2),
    ];
    const reading = readInvoiceText(cells);
    expect(reading.ok && { start: reading.facts.periodStart, end: reading.facts.periodEnd, pages: reading.facts.pages, amount: reading.facts.amountMinor }).toEqual({
      start: "2023-12-15",
      end: "2024-01-14",
      pages: 2,
      amount: 300,
    });
    expect(parsePeriod("Dec 15 – Jan 14, 2024")).toEqual({ start: "2023-12-15", end: "2024-01-14" });
    expect(parsePeriod("Feb 1 – Feb 30, 2024")).toBeNull();
  });

  it("says what is missing, and refuses what is not an OpenAI invoice", () => {
    const noPeriod = readInvoiceText(page(INVOICE_ROWS.filter((row) => !(Array.isArray(row) && row[0]!.startsWith("API usage")))));
    expect(noPeriod).toEqual({ ok: false, problems: [{ code: "invoice_missing_period" }] });
    const otherSeller = readInvoiceText(page(INVOICE_ROWS.map((row) => (Array.isArray(row) && row[0] === "OpenAI, LLC" ? ["Example Hosting Inc.", "Bill to"] : row))));
    expect(otherSeller).toEqual({ ok: false, problems: [{ code: "not_openai_invoice" }] });
    expect(readInvoiceText([])).toEqual({ ok: false, problems: [{ code: "pdf_no_text" }] });
  });

  it("parses amounts in minor units and refuses unknown currencies", () => {
    expect(parseInvoiceAmount("$1,234,567.89 USD")).toEqual({ ok: true, minor: 123_456_789, currency: "USD" });
    expect(parseInvoiceAmount("€99.00")).toEqual({ ok: true, minor: 9_900, currency: "EUR" });
    expect(parseInvoiceAmount("¥12,345 JPY")).toEqual({ ok: true, minor: 12_345, currency: "JPY" });
    expect(parseInvoiceAmount("CA$10.00")).toEqual({ ok: true, minor: 1_000, currency: "CAD" });
    expect(parseInvoiceAmount("CHF 12.50")).toEqual({ ok: true, minor: 1_250, currency: "CHF" });
    expect(parseInvoiceAmount("¥12.5 JPY")).toEqual({ ok: false, code: "invoice_bad_amount" });
    expect(parseInvoiceAmount("12.00 XYZ")).toEqual({ ok: false, code: "invoice_currency_unsupported", currency: "XYZ" });
    expect(parseInvoiceAmount("twelve dollars")).toEqual({ ok: false, code: "invoice_bad_amount" });
  });

  it("converts to micro-dollars and tokens with integers only", () => {
    expect(minorToUsdMicros(12_345, "USD")).toBe(123_450_000);
    expect(minorToUsdMicros(10_000, "EUR")).toBe(108_100_000);
    expect(minorToUsdMicros(12_345, "JPY")).toBe(80_859_750);
    expect(tokensForUsdMicros(123_450_000, 1_333_333)).toBe(164_599_958);
    expect(spreadEvenly(100, 3)).toEqual([34, 33, 33]);
    expect(invoiceFingerprint("a1b2-0001")).toBe(invoiceFingerprint("A1B2-0001"));
  });

  it("counts a month once: the larger of measured tokens and the converted invoice", () => {
    const day = (d: string, model: string, tokens: number, cost: number) => ({ day: d, model, inputTokens: tokens, outputTokens: 0, costMicros: cost, requests: 0 });
    const months = countedMonths(
      [day("2024-05-01", "gpt-4o", 5_000_000, 0), day("2024-05-02", `${INVOICE_MODEL_PREFIX}X-1`, 0, 1_000_000), day("2024-06-03", `${INVOICE_MODEL_PREFIX}X-2`, 0, 10_000_000)],
      1_000_000,
    );
    expect(months).toEqual([
      { month: "2024-05", inputTokens: 5_000_000, outputTokens: 0, totalTokens: 5_000_000, costMicros: 1_000_000, invoiceTokens: 1_000_000 },
      { month: "2024-06", inputTokens: 0, outputTokens: 0, totalTokens: 10_000_000, costMicros: 10_000_000, invoiceTokens: 10_000_000 },
    ]);
  });
});

describe("verifyUpload: OpenAI invoice PDFs", () => {
  it("accepts a generated invoice: June 2024, $123.45, flagged invoice-only, fingerprint from its number", async () => {
    const outcome = await verifyUpload(chunks(await invoicePdf({ orgId: "org-AbCdEf1234567890" })), OPTIONS);
    expect(outcome.reasons).toEqual([]);
    expect(outcome.status).toBe("accepted");
    expect(outcome.kind).toBe("openai_invoice");
    expect(outcome.periodStart).toBe("2024-06-01");
    expect(outcome.periodEnd).toBe("2024-06-30");
    expect(outcome.costMicros).toBe(123_450_000);
    expect(outcome.inputTokens + outcome.outputTokens).toBe(0);
    expect(outcome.orgId).toBe("org-AbCdEf1234567890");
    expect(codes(outcome.flags)).toEqual(["invoice_only"]);
    expect(outcome.fingerprint).toBe(invoiceFingerprint("A1B2C3D4-0001"));
    expect(outcome.fileSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(outcome.summary.invoice).toMatchObject({ document: "invoice", invoiceNumber: "A1B2C3D4-0001", issuedOn: "2024-07-01", amountMinor: 12_345, currency: "USD", usdMicros: 123_450_000, billTo: "Acme Robotics Ltd" });
    expect(outcome.days).toHaveLength(30);
  });

  it("reads a receipt, a two-page invoice and other currencies", async () => {
    const receipt = await verifyUpload(chunks(await invoicePdf({ document: "receipt", amountDue: "$20.00 USD", issued: "May 2, 2024", items: [{ description: "ChatGPT API usage", period: "API usage — Apr 1 – Apr 30, 2024", amount: "$20.00" }] })), OPTIONS);
    expect(receipt.summary.invoice).toMatchObject({ document: "receipt", issuedOn: "2024-05-02", amountMinor: 2_000, periodStart: "2024-04-01" });

    const items = ["Jan", "Feb", "Mar"].map((month, index) => ({ description: "ChatGPT API usage", period: `API usage — ${month} 1 – ${month} ${[31, 29, 31][index]}, 2024`, amount: "$400.00" }));
    const twoPages = await verifyUpload(chunks(await invoicePdf({ twoPages: true, items, total: "$1,200.00", amountDue: "$1,200.00 USD" })), OPTIONS);
    expect(twoPages.status).toBe("accepted");
    expect(twoPages.summary.invoice).toMatchObject({ pages: 2, amountMinor: 120_000, periodStart: "2024-01-01", periodEnd: "2024-03-31" });
    expect(twoPages.summary.months.map((month) => month.month)).toEqual(["2024-01", "2024-02", "2024-03"]);

    const euro = await verifyUpload(chunks(await invoicePdf({ amountDue: "€1,000.00 EUR" })), OPTIONS);
    expect(euro.summary.invoice).toMatchObject({ currency: "EUR", amountMinor: 100_000, usdMicros: 1_081_000_000 });
    const yen = await verifyUpload(chunks(await invoicePdf({ amountDue: "¥18,000 JPY" })), OPTIONS);
    expect(yen.summary.invoice).toMatchObject({ currency: "JPY", amountMinor: 18_000, usdMicros: 117_900_000 });
  });

  it("counts only the days of the period inside the window, and rejects a period outside it", async () => {
    const july = await verifyUpload(chunks(await invoicePdf({ items: [{ description: "ChatGPT API usage", period: "API usage — Jul 1 – Jul 31, 2024", amount: "$310.00" }], amountDue: "$310.00 USD" })), OPTIONS);
    expect(july.status).toBe("accepted");
    expect(july.periodEnd).toBe("2024-07-09");
    expect(july.costMicros).toBe(90_000_000);
    expect(july.summary.outsideWindowRows).toBe(22);

    const old = await verifyUpload(chunks(await invoicePdf({ items: [{ description: "ChatGPT API usage", period: "API usage — Mar 1 – Mar 31, 2023", amount: "$50.00" }], amountDue: "$50.00 USD" })), OPTIONS);
    expect(old.status).toBe("rejected");
    expect(codes(old.reasons)).toEqual(["nothing_in_window"]);
    expect(old.summary.invoice?.invoiceNumber).toBe("A1B2C3D4-0001");
  });

  it("checks a declared org id against the one printed", async () => {
    const outcome = await verifyUpload(chunks(await invoicePdf({ orgId: "org-AbCdEf1234567890" })), { ...OPTIONS, declaredOrgId: "org-Zzzzzzzz99999999" });
    expect(codes(outcome.reasons)).toEqual(["org_id_mismatch"]);
  });

  it("rejects a PDF that is not an invoice, an encrypted one, a corrupt one and an unknown currency, with reasons", async () => {
    const letter = await verifyUpload(chunks(await letterPdf()), OPTIONS);
    expect([letter.kind, letter.status, codes(letter.reasons)]).toEqual(["openai_invoice", "rejected", ["not_openai_invoice"]]);
    const locked = await verifyUpload(chunks(await encryptedInvoicePdf()), OPTIONS);
    expect(codes(locked.reasons)).toEqual(["pdf_encrypted"]);
    const broken = await verifyUpload(chunks(corruptPdf()), OPTIONS);
    expect(codes(broken.reasons)).toEqual(["pdf_unreadable"]);
    const pesos = await verifyUpload(chunks(await invoicePdf({ amountDue: "$500.00 MXN", total: "$500.00 MXN" })), OPTIONS);
    expect(pesos.reasons).toEqual([{ code: "invoice_currency_unsupported", count: 1, lines: [1], params: { currency: "MXN" } }]);
  });

  it("applies the size cap to a PDF while it streams", async () => {
    const bytes = await invoicePdf();
    const outcome = await verifyUpload(chunks(bytes), { ...OPTIONS, maxBytes: 2048, kindHint: "openai_invoice" });
    expect(outcome.kind).toBe("openai_invoice");
    expect(codes(outcome.reasons)).toEqual(["too_large"]);
  });
});
