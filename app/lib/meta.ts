import type { MetaArgs } from "@remix-run/node";
import { isLocale } from "./i18n";
import { pageTranslator } from "./translations";

/** `<title>` for a route, in the page's language (its key in one of the route's namespaces). */
export function pageTitle(args: Pick<MetaArgs, "matches">, key: string, values: Record<string, unknown> = {}) {
  const root = args.matches.find((match) => match.id === "root")?.data as
    | { locale?: string; provider?: { name: string } }
    | undefined;
  const t = pageTranslator(isLocale(root?.locale) ? root.locale : "en");
  const title = t ? t(key, { provider: root?.provider?.name ?? "", ...values }) : key;
  return [{ title: `${title} · Ferry` }];
}
