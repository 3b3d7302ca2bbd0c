// The server's side of app/lib/translations.tsx: one cached instance and payload per language and
// namespace set (there are as many sets as routes), so no request initializes i18next.
import type { i18n } from "i18next";
import type { Namespace } from "~/locales/namespaces";
import { createI18n, type Locale } from "./i18n";
import { DICTIONARIES, translator } from "./i18n.server";
import { PAYLOAD_GLOBAL, type PageTranslations, type TranslationPayload, type TranslationSource } from "./translations";

/** JSON that is safe inside <script>: no "</script>", no U+2028/2029 line breaks. */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

const pages = new Map<string, PageTranslations>();

/** Distinct plain texts remembered per instance (keys come from code, so far fewer exist). */
export const REMEMBERED_TEXTS = 10_000;

/**
 * A server instance never changes language or strings, so a text asked for without options (most
 * of a page's) is the same every time: it is looked up once. i18next's own `t` copies all its
 * options for every call, a tenth of a signed-in page's CPU. Calls with options (values, counts)
 * go to i18next as before.
 */
export function rememberingPlainTexts(instance: i18n): i18n {
  const getFixedT = instance.getFixedT.bind(instance) as unknown as (...args: unknown[]) => unknown;
  const remembered = new Map<string, string>();
  instance.getFixedT = ((...scopeArgs: unknown[]) => {
    const fixed = getFixedT(...scopeArgs) as unknown as ((...args: unknown[]) => unknown) & Record<string, unknown>;
    if (typeof scopeArgs[2] === "function") return fixed; // a selector prefix has no name to remember by
    const scope = `${JSON.stringify([fixed.lng ?? null, fixed.lngs ?? null, fixed.ns ?? null, fixed.keyPrefix ?? null])}\u0000`;
    const t = (...args: unknown[]) => {
      const [key] = args;
      if (args.length !== 1 || typeof key !== "string") return fixed(...args);
      const cacheKey = scope + key;
      let text = remembered.get(cacheKey);
      if (text === undefined) {
        const value = fixed(key);
        if (typeof value !== "string") return value;
        text = value;
        if (remembered.size < REMEMBERED_TEXTS) remembered.set(cacheKey, text);
      }
      return text;
    };
    return Object.assign(t, { lng: fixed.lng, lngs: fixed.lngs, ns: fixed.ns, keyPrefix: fixed.keyPrefix });
  }) as unknown as i18n["getFixedT"];
  return instance;
}

export const serverTranslations: TranslationSource = {
  page(locale: Locale, namespaces: readonly Namespace[]) {
    const key = `${locale}:${namespaces.join(",")}`;
    let page = pages.get(key);
    if (!page) {
      const strings = Object.fromEntries(namespaces.map((namespace) => [namespace, DICTIONARIES[locale][namespace] as Record<string, unknown>]));
      const payload: TranslationPayload = { locale, strings };
      page = { i18n: rememberingPlainTexts(createI18n(locale, strings)), payloadScript: `window.${PAYLOAD_GLOBAL}=${scriptSafeJson(payload)};` };
      pages.set(key, page);
    }
    return page;
  },
  translator,
};
