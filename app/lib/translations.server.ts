// The server's side of app/lib/translations.tsx: one cached instance and payload per language and
// namespace set (there are as many sets as routes), so no request initializes i18next. The payload
// is a script of its own at a content-addressed URL (/texts/<locale>/<namespaces>.<tag>.js): a
// browser caches it, and a page's HTML is a third of the size it was with the strings inline.
import { createHash } from "node:crypto";
import { brotliCompressSync, constants as zlibConstants, gzipSync } from "node:zlib";
import type { i18n, TFunction } from "i18next";
import { ALWAYS_LOADED, type Namespace } from "~/locales/namespaces";
import { createI18n, isLocale, type Locale } from "./i18n";
import { DICTIONARIES } from "./i18n.server";
import { PAGE_BROTLI_QUALITY, PAGE_GZIP_LEVEL } from "./page-compression.server";
import { PAYLOAD_GLOBAL, type PageTranslations, type TranslationPayload, type TranslationSource } from "./translations";

/** JSON that is safe inside <script>: no "</script>", no U+2028/2029 line breaks. */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

const pages = new Map<string, PageTranslations>();

export const PAGE_TEXTS_PREFIX = "/texts/";

/** A payload script and its compressed copies (a kept set is compressed once per process). */
export interface PageTextsFile {
  tag: string;
  identity: Buffer;
  br: Buffer;
  gzip: Buffer;
}

/** Payload scripts by `<locale>/<namespaces joined by ".">`: as many as the routes' namespace sets. */
const files = new Map<string, PageTextsFile>();

function stringsOf(locale: Locale, namespaces: readonly Namespace[]): Record<string, Record<string, unknown>> {
  return Object.fromEntries(namespaces.map((namespace) => [namespace, DICTIONARIES[locale][namespace] as Record<string, unknown>]));
}

function payloadScriptOf(locale: Locale, namespaces: readonly Namespace[]): string {
  const payload: TranslationPayload = { locale, strings: stringsOf(locale, namespaces) };
  return `window.${PAYLOAD_GLOBAL}=${scriptSafeJson(payload)};`;
}

function tagOf(script: string): string {
  return createHash("sha256").update(script).digest("base64url").slice(0, 16);
}

/** Kept files are compressed once, at the highest levels; one built for a single answer, at the pages' levels. */
const KEPT_LEVELS = { brotli: 11, gzip: 9 };
const ONE_ANSWER_LEVELS = { brotli: PAGE_BROTLI_QUALITY, gzip: PAGE_GZIP_LEVEL };

function fileOf(script: string, levels: { brotli: number; gzip: number }): PageTextsFile {
  const identity = Buffer.from(script);
  return {
    tag: tagOf(script),
    identity,
    br: brotliCompressSync(identity, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: levels.brotli, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: identity.length } }),
    gzip: gzipSync(identity, { level: levels.gzip }),
  };
}

/**
 * The payload script a `/texts/…` path names, and whether its tag is the current one (an older
 * page's tag, during a deploy, gets today's strings, not to be cached for long); null for anything
 * else. Any instance answers any set a route can have: the path names the set, not a remembered
 * render. Sets no page of this instance has rendered yet are built for the answer and not kept,
 * compressed at the pages' levels (anyone may ask for any set: no request costs a slow compression).
 */
export function pageTextsAt(path: string): { file: PageTextsFile; current: boolean } | null {
  const match = /^\/texts\/([a-z]{2})\/([A-Za-z.]+)\.([\w-]{16})\.js$/.exec(path);
  if (!match || !isLocale(match[1])) return null;
  const locale = match[1];
  const names = match[2]!.split(".");
  const known = DICTIONARIES[locale] as Record<string, unknown>;
  const sorted = [...new Set(names)].sort();
  if (sorted.length !== names.length || sorted.some((name, index) => name !== names[index] || !Object.hasOwn(known, name))) return null;
  if (ALWAYS_LOADED.some((namespace) => !names.includes(namespace))) return null;
  const namespaces = names as Namespace[];
  const file = files.get(`${locale}/${names.join(".")}`) ?? fileOf(payloadScriptOf(locale, namespaces), ONE_ANSWER_LEVELS);
  return { file, current: file.tag === match[3] };
}

/** Distinct plain texts remembered per instance (keys come from code, so far fewer exist). */
export const REMEMBERED_TEXTS = 10_000;

/** Option names i18next reads itself: a call with any of them is left to i18next. */
const I18NEXT_OPTIONS = new Set([
  "count", "context", "ordinal", "replace", "lng", "lngs", "fallbackLng", "ns", "keyPrefix", "keySeparator", "nsSeparator",
  "returnObjects", "returnDetails", "joinArrays", "postProcess", "interpolation", "skipInterpolation", "nest", "defaultValue",
]);

/** A text's parts: literal, variable name, literal, …, literal. */
type Template = string[];

/**
 * The parts of a text whose only markup is `{{name}}` placeholders; null when it has anything
 * i18next does more with (formats, unescaped or nested values, deep names, a stray brace pair).
 */
export function templateOf(text: string): Template | null {
  if (text.includes("$t(")) return null;
  const parts: string[] = [];
  let from = 0;
  for (;;) {
    const open = text.indexOf("{{", from);
    if (open === -1) break;
    const close = text.indexOf("}}", open + 2);
    if (close === -1) return null;
    const name = text.slice(open + 2, close).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return null;
    parts.push(text.slice(from, open), name);
    from = close + 2;
  }
  if (text.indexOf("}}", from) !== -1) return null;
  parts.push(text.slice(from));
  return parts;
}

/** The filled text, or undefined when the options are more than plain string and number values for every placeholder. */
function filled(template: Template, options: Record<string, unknown>): string | undefined {
  for (const name in options) if (I18NEXT_OPTIONS.has(name) || name.startsWith("defaultValue")) return undefined;
  let text = template[0]!;
  for (let index = 1; index < template.length; index += 2) {
    const value = options[template[index]!];
    if (typeof value === "string") text += value;
    else if (typeof value === "number") text += String(value);
    else return undefined;
    text += template[index + 1]!;
  }
  return text;
}

/**
 * A server instance never changes language or strings, so a text asked for without options (most
 * of a page's) is the same every time: it is looked up once. i18next's own `t` copies all its
 * options for every call, a tenth of a signed-in page's CPU. A text with `{{name}}` placeholders
 * asked for with plain values (strings, numbers) is filled from its remembered parts; anything else
 * (counts, contexts, formats, nesting, missing values) goes to i18next as before.
 */
export function rememberingPlainTexts(instance: i18n): i18n {
  const getFixedT = instance.getFixedT.bind(instance) as unknown as (...args: unknown[]) => unknown;
  const remembered = new Map<string, string>();
  const templates = new Map<string, Template | null>();
  instance.getFixedT = ((...scopeArgs: unknown[]) => {
    const fixed = getFixedT(...scopeArgs) as unknown as ((...args: unknown[]) => unknown) & Record<string, unknown>;
    if (typeof scopeArgs[2] === "function") return fixed; // a selector prefix has no name to remember by
    const scope = `${JSON.stringify([fixed.lng ?? null, fixed.lngs ?? null, fixed.ns ?? null, fixed.keyPrefix ?? null])}\u0000`;
    const plainText = (key: string): string | undefined => {
      const cacheKey = scope + key;
      let text = remembered.get(cacheKey);
      if (text === undefined) {
        const value = fixed(key);
        if (typeof value !== "string") return undefined;
        text = value;
        if (remembered.size < REMEMBERED_TEXTS) remembered.set(cacheKey, text);
      }
      return text;
    };
    const t = (...args: unknown[]) => {
      const [key, options] = args;
      if (typeof key !== "string") return fixed(...args);
      if (args.length === 1) return plainText(key) ?? fixed(key);
      if (args.length === 2 && typeof options === "object" && options !== null && Object.getPrototypeOf(options) === Object.prototype) {
        const cacheKey = scope + key;
        let template = templates.get(cacheKey);
        if (template === undefined) {
          // The text as written (without options i18next would already have applied its formats).
          const text = fixed(key, { skipInterpolation: true });
          // A missing key answers the key itself; i18next's own path handles that (and its fallbacks).
          template = typeof text !== "string" || text === key ? null : templateOf(text);
          if (templates.size < REMEMBERED_TEXTS) templates.set(cacheKey, template);
        }
        const text = template ? filled(template, options as Record<string, unknown>) : undefined;
        if (text !== undefined) return text;
      }
      return fixed(...args);
    };
    return Object.assign(t, { lng: fixed.lng, lngs: fixed.lngs, ns: fixed.ns, keyPrefix: fixed.keyPrefix });
  }) as unknown as i18n["getFixedT"];
  return instance;
}

const titleTranslators = new Map<Locale, TFunction>();

/** Page titles (meta functions, outside React): every namespace of the language, remembered like the pages' texts. */
function pageTitleTranslator(locale: Locale): TFunction {
  let t = titleTranslators.get(locale);
  if (!t) {
    t = rememberingPlainTexts(createI18n(locale, DICTIONARIES[locale] as Record<string, unknown>)).getFixedT(locale);
    titleTranslators.set(locale, t);
  }
  return t;
}

export const serverTranslations: TranslationSource = {
  page(locale: Locale, namespaces: readonly Namespace[]) {
    const key = `${locale}:${namespaces.join(",")}`;
    let page = pages.get(key);
    if (!page) {
      const strings = stringsOf(locale, namespaces);
      const name = `${locale}/${namespaces.join(".")}`;
      let file = files.get(name);
      if (!file) files.set(name, (file = fileOf(payloadScriptOf(locale, namespaces), KEPT_LEVELS)));
      page = { i18n: rememberingPlainTexts(createI18n(locale, strings)), payloadSrc: `${PAGE_TEXTS_PREFIX}${name}.${file.tag}.js` };
      pages.set(key, page);
    }
    return page;
  },
  translator: pageTitleTranslator,
};
