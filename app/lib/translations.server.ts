// The server's side of app/lib/translations.tsx: one cached instance and payload per language and
// namespace set (there are as many sets as routes), so no request initializes i18next.
import type { Namespace } from "~/locales/namespaces";
import { createI18n, type Locale } from "./i18n";
import { DICTIONARIES, translator } from "./i18n.server";
import { PAYLOAD_GLOBAL, type PageTranslations, type TranslationPayload, type TranslationSource } from "./translations";

/** JSON that is safe inside <script>: no "</script>", no U+2028/2029 line breaks. */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

const pages = new Map<string, PageTranslations>();

export const serverTranslations: TranslationSource = {
  page(locale: Locale, namespaces: readonly Namespace[]) {
    const key = `${locale}:${namespaces.join(",")}`;
    let page = pages.get(key);
    if (!page) {
      const strings = Object.fromEntries(namespaces.map((namespace) => [namespace, DICTIONARIES[locale][namespace] as Record<string, unknown>]));
      const payload: TranslationPayload = { locale, strings };
      page = { i18n: createI18n(locale, strings), payloadScript: `window.${PAYLOAD_GLOBAL}=${scriptSafeJson(payload)};` };
      pages.set(key, page);
    }
    return page;
  },
  translator,
};
