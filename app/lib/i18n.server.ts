// Server-side text (e-mails, API messages, CLI output): every namespace of a language.
import type { TFunction } from "i18next";
import { en, zh } from "~/locales";
import { createI18n, DEFAULT_LOCALE, isLocale, type Locale } from "./i18n";

export const DICTIONARIES: Record<Locale, Record<string, unknown>> = { en, zh };

const translators = new Map<Locale, TFunction>();

export function translator(locale: string): TFunction {
  const chosen = isLocale(locale) ? locale : DEFAULT_LOCALE;
  let t = translators.get(chosen);
  if (!t) {
    t = createI18n(chosen, DICTIONARIES[chosen]).t;
    translators.set(chosen, t);
  }
  return t;
}
