// Money and pack sizes for display: integers in, localized text out.
import { HTML_LANG, type Locale } from "./i18n";

/** Minor units per major unit; every currency Ferry sells in has two decimals. */
const MINOR_DIGITS: Record<string, number> = { cny: 2, usd: 2 };

export function formatMoney(minor: number, currency: string, locale: Locale): string {
  const digits = MINOR_DIGITS[currency.toLowerCase()] ?? 2;
  return new Intl.NumberFormat(HTML_LANG[locale], {
    style: "currency",
    currency: currency.toUpperCase(),
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(minor / 10 ** digits);
}

/** Big token counts as people say them: "10M" in English, "1000万" in Chinese. */
export function formatCompactTokens(tokens: number, locale: Locale): string {
  return new Intl.NumberFormat(HTML_LANG[locale], { notation: "compact", maximumFractionDigits: 1 }).format(tokens);
}
