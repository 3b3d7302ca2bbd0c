// A page's strings are a script at a content-addressed URL: any instance answers any valid set (the
// path names it), an older tag gets today's strings, and nothing else is answered.
import { expect, it } from "vitest";
import { en } from "~/locales";
import { PAGE_TEXTS_PREFIX, pageTextsAt, serverTranslations } from "~/lib/translations.server";
import { gunzipSync, brotliDecompressSync } from "node:zlib";

it("names the page's script by language, namespaces and content, and answers it", () => {
  const page = serverTranslations.page("en", ["account", "common", "errors"]);
  if (page instanceof Promise) throw new Error("the server never waits");
  expect(page.payloadSrc).toMatch(/^\/texts\/en\/account\.common\.errors\.[\w-]{16}\.js$/);
  expect(page.payloadSrc.startsWith(PAGE_TEXTS_PREFIX)).toBe(true);
  const texts = pageTextsAt(page.payloadSrc)!;
  expect(texts.current).toBe(true);
  const script = texts.file.identity.toString();
  const payload = JSON.parse(script.match(/^window\.__ferryTranslations=(\{.*\});$/)![1]!);
  expect(payload).toEqual({ locale: "en", strings: { account: en.account, common: en.common, errors: en.errors } });
  expect(brotliDecompressSync(texts.file.br).toString()).toBe(script);
  expect(gunzipSync(texts.file.gzip).toString()).toBe(script);
  expect(script).not.toContain("</script");
});

it("answers a set this process has not rendered, and an old tag with today's strings", () => {
  const texts = pageTextsAt("/texts/zh/common.errors.keys.AAAAAAAAAAAAAAAA.js")!;
  expect(texts.current).toBe(false);
  expect(texts.file.identity.toString()).toContain('"locale":"zh"');
  expect(pageTextsAt(`/texts/zh/common.errors.keys.${texts.file.tag}.js`)!.current).toBe(true);
});

it("answers nothing else", () => {
  for (const path of [
    "/texts/fr/common.errors.AAAAAAAAAAAAAAAA.js", // no such language
    "/texts/en/errors.common.AAAAAAAAAAAAAAAA.js", // not sorted
    "/texts/en/common.common.errors.AAAAAAAAAAAAAAAA.js", // repeated
    "/texts/en/common.errors.nope.AAAAAAAAAAAAAAAA.js", // no such namespace
    "/texts/en/account.errors.AAAAAAAAAAAAAAAA.js", // without the namespaces every page has
    "/texts/en/common.errors.constructor.AAAAAAAAAAAAAAAA.js",
    "/texts/en/common.errors.js",
    "/texts/en/common.errors.AAAAAAAAAAAAAAAA.json",
  ]) {
    expect(pageTextsAt(path), path).toBeNull();
  }
});

it("titles pages with every namespace of the language, as the server's translator does", async () => {
  const { translator } = await import("~/lib/i18n.server");
  for (const locale of ["en", "zh"] as const) {
    const t = serverTranslations.translator(locale);
    for (const key of ["account.title", "keys.title", "review.queue.title", "common.tagline", "admin.policy.lead"]) {
      expect(t(key, { provider: "GLM" })).toBe(translator(locale)(key, { provider: "GLM" }));
      expect(t(key)).toBe(translator(locale)(key));
    }
  }
});
