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
