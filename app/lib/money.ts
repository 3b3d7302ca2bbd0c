// Money and pack sizes for display: integers in, localized text out.
import { HTML_LANG, type Locale } from "./i18n";
import { numberFormat } from "./intl-formats";

/** Minor units (cents, fen) as money in the page's language; the currency's own decimals (ISO 4217). */
export function formatMoney(minor: number, currency: string, locale: Locale): string {
  const code = currency.toUpperCase();
  const digits = numberFormat("en", { style: "currency", currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
  return numberFormat(HTML_LANG[locale], {
    style: "currency",
    currency: code,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(minor / 10 ** digits);
}

/** Big counts as people say them: "10M" in English, "1000万" in Chinese (pack sizes, chart axes). */
export function formatCompactNumber(tokens: number, locale: Locale): string {
  return numberFormat(HTML_LANG[locale], { notation: "compact", maximumFractionDigits: 1 }).format(tokens);
}

/** Integer micro-dollars (how usage cost is stored) as US dollars with cents. */
export function formatUsdMicros(micros: number, locale: Locale): string {
  return numberFormat(HTML_LANG[locale], { style: "currency", currency: "USD" }).format(Math.round(micros / 10_000) / 100);
}
