// Invoice amounts: parsing "$1,234.56 USD" into integer minor units, and the fixed conversions
// to micro-dollars and to tokens. Integers (BigInt where a product could pass 2^53), never floats.

export interface InvoiceCurrency {
  /** Digits after the decimal point (JPY and KRW have none). */
  exponent: number;
  /**
   * Micro-dollars per whole unit. Fixed approximate averages of the first half of 2024 (ECB
   * reference rates crossed with USD), so an offer never depends on the day it is computed.
   */
  usdMicrosPerUnit: bigint;
}

export const INVOICE_CURRENCIES: Record<string, InvoiceCurrency> = {
  USD: { exponent: 2, usdMicrosPerUnit: 1_000_000n },
  EUR: { exponent: 2, usdMicrosPerUnit: 1_081_000n },
  GBP: { exponent: 2, usdMicrosPerUnit: 1_266_000n },
  CHF: { exponent: 2, usdMicrosPerUnit: 1_120_000n },
  CAD: { exponent: 2, usdMicrosPerUnit: 736_000n },
  AUD: { exponent: 2, usdMicrosPerUnit: 661_000n },
  SGD: { exponent: 2, usdMicrosPerUnit: 742_000n },
  HKD: { exponent: 2, usdMicrosPerUnit: 128_000n },
  INR: { exponent: 2, usdMicrosPerUnit: 12_000n },
  BRL: { exponent: 2, usdMicrosPerUnit: 195_000n },
  JPY: { exponent: 0, usdMicrosPerUnit: 6_550n },
  KRW: { exponent: 0, usdMicrosPerUnit: 740n },
};

// Longest first, so "CA$" is not read as "$".
const SYMBOLS: Array<[string, string]> = [
  ["CA$", "CAD"],
  ["A$", "AUD"],
  ["S$", "SGD"],
  ["HK$", "HKD"],
  ["R$", "BRL"],
  ["US$", "USD"],
  ["$", "USD"],
  ["€", "EUR"],
  ["£", "GBP"],
  ["¥", "JPY"],
  ["₹", "INR"],
  ["₩", "KRW"],
];

const NUMBER = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$/;

export type ParsedAmount = { ok: true; minor: number; currency: string } | { ok: false; code: "invoice_bad_amount" | "invoice_currency_unsupported"; currency?: string };

/**
 * "$1,234.56 USD", "€99.00", "¥12,345 JPY", "CHF 12.50", "1,234.56 EUR": the written code wins
 * over the symbol; a bare "$" is USD. English number format (comma thousands, dot decimals), as
 * OpenAI's invoices print it.
 */
export function parseInvoiceAmount(text: string): ParsedAmount {
  let rest = text.replace(/\u00a0/g, " ").trim();
  let code: string | null = null;
  const suffix = /\s*\b([A-Z]{3})$/.exec(rest);
  if (suffix) {
    code = suffix[1]!;
    rest = rest.slice(0, suffix.index).trim();
  }
  const prefixCode = /^([A-Z]{3})\s+/.exec(rest);
  if (prefixCode) {
    code ??= prefixCode[1]!;
    rest = rest.slice(prefixCode[0].length);
  }
  let symbolCurrency: string | null = null;
  for (const [symbol, currency] of SYMBOLS) {
    if (rest.startsWith(symbol)) {
      symbolCurrency = currency;
      rest = rest.slice(symbol.length).trim();
      break;
    }
  }
  const currency = code ?? symbolCurrency;
  const match = NUMBER.exec(rest);
  if (!match) return { ok: false, code: "invoice_bad_amount" };
  if (!currency) return { ok: false, code: "invoice_bad_amount" };
  const spec = INVOICE_CURRENCIES[currency];
  if (!spec) return { ok: false, code: "invoice_currency_unsupported", currency };
  const fraction = match[2] ?? "";
  if (fraction.length > spec.exponent) return { ok: false, code: "invoice_bad_amount" };
  const minor = Number(match[1]!.replace(/,/g, "") + fraction.padEnd(spec.exponent, "0"));
  if (!Number.isSafeInteger(minor)) return { ok: false, code: "invoice_bad_amount" };
  return { ok: true, minor, currency };
}

/** Minor units of a supported currency as micro-dollars, rounded half up. */
export function minorToUsdMicros(minor: number, currency: string): number {
  const spec = INVOICE_CURRENCIES[currency];
  if (!spec) throw new Error(`unsupported invoice currency ${currency}`);
  const scale = 10n ** BigInt(spec.exponent);
  return Number((BigInt(minor) * spec.usdMicrosPerUnit * 2n + scale) / (2n * scale));
}

/** Tokens a spend counts for at the provider's documented rate (rounded down). */
export function tokensForUsdMicros(usdMicros: number, tokensPerUsd: number): number {
  return Number((BigInt(usdMicros) * BigInt(tokensPerUsd)) / 1_000_000n);
}
