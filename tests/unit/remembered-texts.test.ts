// The server's page translators remember texts asked for without options; what they answer is what
// i18next answers, for every scope (language, namespace, key prefix), with options and without.
import { expect, it } from "vitest";
import { createI18n } from "~/lib/i18n";
import { REMEMBERED_TEXTS, rememberingPlainTexts } from "~/lib/translations.server";

const strings = {
  common: { hello: "Hello", greet: "Hello {{name}}", nav: { account: "Account" } },
  account: { hello: "Welcome back", items_one: "{{count}} item", items_other: "{{count}} items" },
};

it("answers as i18next does, in every scope", () => {
  const plain = createI18n("en", strings);
  const remembering = rememberingPlainTexts(createI18n("en", strings));
  const scopes: Array<[string | null, string | undefined, string | undefined]> = [
    ["en", undefined, undefined],
    ["en", "translation", "common"],
    ["en", "translation", "account"],
    ["en", "translation", "common.nav"],
  ];
  for (const [lng, ns, prefix] of scopes) {
    const expected = plain.getFixedT(lng as string, ns, prefix);
    const t = remembering.getFixedT(lng as string, ns, prefix);
    for (const key of ["common.hello", "hello", "account", "nav.account", "missing.key", "common.nav"]) {
      expect(t(key)).toEqual(expected(key));
      expect(t(key)).toEqual(expected(key)); // the remembered answer
    }
    expect(t("greet", { name: "Ada" })).toBe(expected("greet", { name: "Ada" }));
    expect(t("items", { count: 1 })).toBe(expected("items", { count: 1 }));
    expect(t("items", { count: 3 })).toBe(expected("items", { count: 3 }));
  }
  expect(remembering.getFixedT("en", null, "account")("hello")).toBe("Welcome back");
  expect(remembering.getFixedT("en", null, "common")("hello")).toBe("Hello");
  expect(remembering.getFixedT("en", null, "common")("greet", { name: "Lin" })).toBe("Hello Lin");
  expect(REMEMBERED_TEXTS).toBeGreaterThan(1000);
});

it("fills every text of both languages as i18next does, with string and number values", async () => {
  const { en, zh } = await import("~/locales");
  const { templateOf } = await import("~/lib/translations.server");
  for (const [locale, dictionary] of [["en", en], ["zh", zh]] as const) {
    const plain = createI18n(locale, dictionary).getFixedT(locale);
    const t = rememberingPlainTexts(createI18n(locale, dictionary)).getFixedT(locale);
    const keys: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (typeof node === "string") keys.push(path);
      else if (node && typeof node === "object") for (const [name, child] of Object.entries(node)) walk(child, path ? `${path}.${name}` : name);
    };
    walk(dictionary, "");
    let filledFast = 0;
    for (const key of keys) {
      const text = plain(key);
      const names = [...text.matchAll(/\{\{-?\s*([^{}]+?)\s*\}\}/g)].map((match) => match[1]!);
      if (names.length === 0) continue;
      if (templateOf(text)) filledFast++;
      const strings = Object.fromEntries(names.map((name) => [name, `<${name} $& 'v'>`]));
      const numbers = Object.fromEntries(names.map((name, index) => [name, index * 1000 + 0.5]));
      for (const options of [strings, numbers, {}, { [names[0]!]: "only one" }]) {
        expect(t(key, options), `${locale} ${key}`).toBe(plain(key, options));
        expect(t(key, options), `${locale} ${key}, again`).toBe(plain(key, options));
      }
    }
    expect(filledFast).toBeGreaterThan(100);
  }
});

it("leaves counts, contexts, formats and missing keys to i18next", () => {
  const strings = { common: { items_one: "{{count}} item", items_other: "{{count}} items", nested: "See $t(common.hello)", hello: "Hi {{name}}", formatted: "{{value, number}} tokens", raw: "{{- html}}" } };
  const plain = createI18n("en", strings).getFixedT("en");
  const t = rememberingPlainTexts(createI18n("en", strings)).getFixedT("en");
  for (const [key, options] of [
    ["common.items", { count: 2 }],
    ["common.hello", { name: "Ada", context: "male" }],
    ["common.hello", { name: "Ada", defaultValue: "x" }],
    ["common.nested", { name: "Ada" }],
    ["common.formatted", { value: 1234 }],
    ["common.raw", { html: "<b>" }],
    ["common.missing", { name: "Ada" }],
    ["common.hello", { name: { first: "Ada" } }],
  ] as const) {
    expect(t(key, options as Record<string, unknown>), key).toBe(plain(key, options as Record<string, unknown>));
  }
});
