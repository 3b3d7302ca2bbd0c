import { useRootData } from "~/root";
import { formatDateTime, isLocale, type Locale } from "./i18n";

/** The page's locale, from the root loader. */
export function useLocale(): Locale {
  const locale = useRootData()?.locale;
  return isLocale(locale) ? locale : "en";
}

export function formDateTimeOrNull(iso: string | null, locale: Locale): string | null {
  return iso ? formatDateTime(iso, locale) : null;
}
