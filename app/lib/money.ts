// Money for display: integers in the currency's minor unit in, a localized price out.
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
