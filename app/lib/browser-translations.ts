// The browser's side of app/lib/translations.tsx: one instance per language that grows as pages
// need more namespaces. It starts from the payload the server put in the page.
import type { i18n } from "i18next";
import { BROWSER_LOADERS, type Namespace } from "~/locales/namespaces";
import { createI18n, type Locale } from "./i18n";
import type { TranslationPayload, TranslationSource } from "./translations";

const instances = new Map<Locale, i18n>();
const loaded = new Set<string>();
const loading = new Map<string, Promise<void>>();

function instanceFor(locale: Locale): i18n {
  let instance = instances.get(locale);
  if (!instance) {
    instance = createI18n(locale, {});
    instances.set(locale, instance);
  }
  return instance;
}

function add(locale: Locale, namespace: string, strings: unknown) {
  instanceFor(locale).addResourceBundle(locale, "translation", { [namespace]: strings }, true, true);
  loaded.add(`${locale}/${namespace}`);
}

function load(locale: Locale, namespace: Namespace): Promise<void> {
  const key = `${locale}/${namespace}`;
  let pending = loading.get(key);
  if (!pending) {
    pending = BROWSER_LOADERS[namespace][locale]().then(
      (strings) => add(locale, namespace, strings),
      (error: unknown) => {
        loading.delete(key); // a later navigation tries again
        throw error;
      },
    );
    loading.set(key, pending);
  }
  return pending;
}

export function browserTranslations(payload: TranslationPayload | undefined): TranslationSource {
  if (payload) for (const [namespace, strings] of Object.entries(payload.strings)) add(payload.locale, namespace, strings);
  return {
    page(locale, namespaces) {
      const missing = namespaces.filter((namespace) => !loaded.has(`${locale}/${namespace}`));
      if (missing.length > 0) return Promise.all(missing.map((namespace) => load(locale, namespace)));
      return { i18n: instanceFor(locale), payloadSrc: "" };
    },
    translator: (locale) => instanceFor(locale).t,
  };
}
