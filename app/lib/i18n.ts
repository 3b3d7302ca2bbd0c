// The one i18n layer (i18next), used by the server, the browser and e-mails alike.
import i18next, { type i18n, type TFunction } from "i18next";
import { resources } from "~/locales";

export const SUPPORTED_LOCALES = ["en", "zh"] as const;
export type Locale = (typeof SUPPORTED_LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en";

export const LOCALE_NAMES: Record<Locale, string> = { en: "English", zh: "简体中文" };
export const HTML_LANG: Record<Locale, string> = { en: "en", zh: "zh-CN" };

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (SUPPORTED_LOCALES as readonly string[]).includes(value);
}

export function createI18n(locale: Locale): i18n {
  const instance = i18next.createInstance();
  void instance.init({
    lng: locale,
    fallbackLng: DEFAULT_LOCALE,
    resources,
    initAsync: false,
    interpolation: { escapeValue: false },
    returnNull: false,
    showSupportNotice: false,
  });
  return instance;
}

const translators = new Map<Locale, TFunction>();

/** A translator for server-side text (e-mails, API messages). */
export function translator(locale: string): TFunction {
  const chosen = isLocale(locale) ? locale : DEFAULT_LOCALE;
  let t = translators.get(chosen);
  if (!t) {
    t = createI18n(chosen).t;
    translators.set(chosen, t);
  }
  return t;
}

const numberFormats = new Map<Locale, Intl.NumberFormat>();
export function formatInteger(value: number, locale: Locale): string {
  let format = numberFormats.get(locale);
  if (!format) {
    format = new Intl.NumberFormat(HTML_LANG[locale], { maximumFractionDigits: 0 });
    numberFormats.set(locale, format);
  }
  return format.format(value);
}

export function formatDateTime(iso: string, locale: Locale): string {
  return new Intl.DateTimeFormat(HTML_LANG[locale], {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: "UTC",
  }).format(new Date(iso)) + " UTC";
}

export function formatDate(iso: string, locale: Locale): string {
  return new Intl.DateTimeFormat(HTML_LANG[locale], { dateStyle: "medium", timeZone: "UTC" }).format(new Date(iso));
}
