import type { MetaArgs } from "@remix-run/node";
import { translator } from "./i18n";

/** `<title>` for a route, in the page's language. */
export function pageTitle(args: Pick<MetaArgs, "matches">, key: string, values: Record<string, unknown> = {}) {
  const root = args.matches.find((match) => match.id === "root")?.data as
    | { locale?: string; provider?: { name: string } }
    | undefined;
  const t = translator(root?.locale ?? "en");
  return [{ title: `${t(key, { provider: root?.provider?.name ?? "", ...values })} · Ferry` }];
}
