// Where a page's i18next instance comes from: the server builds it from every string it has, the
// browser from the page's payload and the namespace chunks it fetched (app/locales/namespaces.ts).
import { createContext, useContext, type ReactNode } from "react";
import type { i18n, TFunction } from "i18next";
import type { Namespace } from "~/locales/namespaces";
import type { Locale } from "./i18n";

export interface PageTranslations {
  i18n: i18n;
  /** The URL of the script that hands the page's strings to the browser ("" once in the browser). */
  payloadSrc: string;
}

export interface TranslationSource {
  /** The page's strings, or a promise while the browser still fetches some of them. */
  page(locale: Locale, namespaces: readonly Namespace[]): PageTranslations | Promise<unknown>;
  /** Text outside React (page titles): what this side has loaded of `locale`. */
  translator(locale: Locale): TFunction;
}

/** The global the payload script sets and entry.client reads. */
export const PAYLOAD_GLOBAL = "__ferryTranslations";
export interface TranslationPayload {
  locale: Locale;
  strings: Record<string, Record<string, unknown>>;
}

const SourceContext = createContext<TranslationSource | null>(null);
let sideSource: TranslationSource | null = null;

/** Set once per side by entry.server / entry.client. */
export function TranslationsProvider({ source, children }: { source: TranslationSource; children: ReactNode }) {
  sideSource = source;
  return <SourceContext.Provider value={source}>{children}</SourceContext.Provider>;
}

/** The page's translations; suspends a client-side navigation until its namespaces have arrived. */
export function usePageTranslations(locale: Locale, namespaces: readonly Namespace[]): PageTranslations {
  const source = useContext(SourceContext);
  if (!source) throw new Error("usePageTranslations outside TranslationsProvider");
  const page = source.page(locale, namespaces);
  if (page instanceof Promise) throw page; // React renders again when the chunks are in
  return page;
}

/** For meta functions, which run outside React. */
export function pageTranslator(locale: Locale): TFunction | null {
  return sideSource?.translator(locale) ?? null;
}
