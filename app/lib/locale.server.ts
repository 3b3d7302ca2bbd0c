import { createCookie } from "@remix-run/node";
import Negotiator from "negotiator";
import { DEFAULT_LOCALE, isLocale, SUPPORTED_LOCALES, type Locale } from "./i18n";

export const localeCookie = createCookie("ferry_lang", {
  path: "/",
  sameSite: "lax",
  httpOnly: true,
  maxAge: 60 * 60 * 24 * 365,
});

const NEGOTIABLE = ["en", "zh", "zh-CN", "zh-Hans", "zh-TW", "zh-HK"];

export function localeFromAcceptLanguage(header: string | null): Locale {
  if (!header) return DEFAULT_LOCALE;
  const best = new Negotiator({ headers: { "accept-language": header } }).language(NEGOTIABLE);
  if (!best) return DEFAULT_LOCALE;
  return best.startsWith("zh") ? "zh" : "en";
}

/** Cookie (the language picker) first, then the account's saved choice, then Accept-Language. */
export async function resolveLocale(request: Request, accountLocale?: string | null): Promise<Locale> {
  const fromCookie = await localeCookie.parse(request.headers.get("cookie"));
  if (isLocale(fromCookie)) return fromCookie;
  if (isLocale(accountLocale)) return accountLocale;
  return localeFromAcceptLanguage(request.headers.get("accept-language"));
}

export { SUPPORTED_LOCALES };
