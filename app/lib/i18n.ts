// The one i18n layer (i18next), used by the server, the browser and e-mails alike. The strings
// themselves are not imported here: the server has them all (i18n.server.ts, translations.server.ts),
// a browser only its page's language and namespaces (app/locales/namespaces.ts).
import i18next, { type i18n } from "i18next";
import { dateTimeFormat, numberFormat } from "./intl-formats";

export const SUPPORTED_LOCALES = ["en", "zh"] as const;
export type Locale = (typeof SUPPORTED_LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en";

export const LOCALE_NAMES: Record<Locale, string> = { en: "English", zh: "简体中文" };
export const HTML_LANG: Record<Locale, string> = { en: "en", zh: "zh-CN" };

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (SUPPORTED_LOCALES as readonly string[]).includes(value);
}

/** An instance over `strings` ({ namespace: {…} }) in one language; a key it lacks shows as the key. */
export function createI18n(locale: Locale, strings: Record<string, unknown>): i18n {
  const instance = i18next.createInstance();
  void instance.init({
    lng: locale,
    fallbackLng: false,
    resources: { [locale]: { translation: strings } },
    initAsync: false,
    interpolation: { escapeValue: false },
    returnNull: false,
    showSupportNotice: false,
  });
  return instance;
}

export function formatInteger(value: number, locale: Locale): string {
  return numberFormat(HTML_LANG[locale], { maximumFractionDigits: 0 }).format(value);
}

export function formatDateTime(iso: string, locale: Locale): string {
  return dateTimeFormat(HTML_LANG[locale], {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: "UTC",
  }).format(new Date(iso)) + " UTC";
}

export function formatDate(iso: string, locale: Locale): string {
  return dateTimeFormat(HTML_LANG[locale], { dateStyle: "medium", timeZone: "UTC" }).format(new Date(iso));
}
