// Which strings a page ships. A page gets only its language, and only the namespaces (one file per
// area in en/ and zh/) that its matched routes declare in their `handle`, plus ALWAYS_LOADED:
//
//   export const handle: RouteHandle = { i18n: ["auth"] };
//
// A route inherits its parent routes' namespaces. Server-rendered pages carry their namespaces as
// an inline payload; on a client-side navigation the missing ones load as chunks (below) before
// the new page renders. tests/unit/route-namespaces.test.ts names any namespace a route uses
// without declaring it. A new namespace: the two files, a line in ./index.ts, a line in BROWSER_LOADERS.
import type { en } from "./index";
import type { Locale } from "~/lib/i18n";

export type Namespace = keyof typeof en;
export type Strings = Record<string, unknown>;

/** The header, footer, error pages and form errors of every page. */
export const ALWAYS_LOADED: readonly Namespace[] = ["common", "errors"];

export interface RouteHandle {
  /** The namespaces this route's screens use (its parents' are added). */
  i18n?: readonly Namespace[];
  /** `false`: the document is plain HTML, no scripts (a form that works without JavaScript). */
  hydrate?: boolean;
}

/** The namespaces of a page: ALWAYS_LOADED and every matched route's, sorted (a stable cache key). */
export function pageNamespaces(matches: readonly { handle?: unknown }[]): Namespace[] {
  const wanted = new Set<Namespace>(ALWAYS_LOADED);
  for (const match of matches) for (const namespace of (match.handle as RouteHandle | undefined)?.i18n ?? []) wanted.add(namespace);
  return [...wanted].sort();
}

/** Whether the document loads scripts: no matched route said `hydrate: false`. */
export function pageHydrates(matches: readonly { handle?: unknown }[]): boolean {
  return matches.every((match) => (match.handle as RouteHandle | undefined)?.hydrate !== false);
}

type Loader = () => Promise<Strings>;
const pick = (name: string) => (module: Record<string, unknown>) => module[name] as Strings;

/** One chunk per language and namespace, for client-side navigations (the server has them all). */
export const BROWSER_LOADERS: Record<Namespace, Record<Locale, Loader>> = {
  account: { en: () => import("./en/account").then(pick("account")), zh: () => import("./zh/account").then(pick("account")) },
  admin: { en: () => import("./en/admin").then(pick("admin")), zh: () => import("./zh/admin").then(pick("admin")) },
  auth: { en: () => import("./en/auth").then(pick("auth")), zh: () => import("./zh/auth").then(pick("auth")) },
  billing: { en: () => import("./en/billing").then(pick("billing")), zh: () => import("./zh/billing").then(pick("billing")) },
  claims: { en: () => import("./en/claims").then(pick("claims")), zh: () => import("./zh/claims").then(pick("claims")) },
  common: { en: () => import("./en/common").then(pick("common")), zh: () => import("./zh/common").then(pick("common")) },
  credit: { en: () => import("./en/credit").then(pick("credit")), zh: () => import("./zh/credit").then(pick("credit")) },
  errors: { en: () => import("./en/errors").then(pick("errors")), zh: () => import("./zh/errors").then(pick("errors")) },
  evidence: { en: () => import("./en/evidence").then(pick("evidence")), zh: () => import("./zh/evidence").then(pick("evidence")) },
  gatewayDocs: { en: () => import("./en/gatewayDocs").then(pick("gatewayDocs")), zh: () => import("./zh/gatewayDocs").then(pick("gatewayDocs")) },
  keys: { en: () => import("./en/keys").then(pick("keys")), zh: () => import("./zh/keys").then(pick("keys")) },
  landing: { en: () => import("./en/landing").then(pick("landing")), zh: () => import("./zh/landing").then(pick("landing")) },
  mail: { en: () => import("./en/mail").then(pick("mail")), zh: () => import("./zh/mail").then(pick("mail")) },
  organization: { en: () => import("./en/organization").then(pick("organization")), zh: () => import("./zh/organization").then(pick("organization")) },
  outbox: { en: () => import("./en/outbox").then(pick("outbox")), zh: () => import("./zh/outbox").then(pick("outbox")) },
  review: { en: () => import("./en/review").then(pick("review")), zh: () => import("./zh/review").then(pick("review")) },
  sessions: { en: () => import("./en/sessions").then(pick("sessions")), zh: () => import("./zh/sessions").then(pick("sessions")) },
  snippets: { en: () => import("./en/snippets").then(pick("snippets")), zh: () => import("./zh/snippets").then(pick("snippets")) },
  support: { en: () => import("./en/support").then(pick("support")), zh: () => import("./zh/support").then(pick("support")) },
  alerts: { en: () => import("./en/alerts").then(pick("alerts")), zh: () => import("./zh/alerts").then(pick("alerts")) },
  audit: { en: () => import("./en/audit").then(pick("audit")), zh: () => import("./zh/audit").then(pick("audit")) },
  dashboard: { en: () => import("./en/dashboard").then(pick("dashboard")), zh: () => import("./zh/dashboard").then(pick("dashboard")) },
  help: { en: () => import("./en/help").then(pick("help")), zh: () => import("./zh/help").then(pick("help")) },
  keyLimits: { en: () => import("./en/keyLimits").then(pick("keyLimits")), zh: () => import("./zh/keyLimits").then(pick("keyLimits")) },
  offer: { en: () => import("./en/offer").then(pick("offer")), zh: () => import("./zh/offer").then(pick("offer")) },
  usage: { en: () => import("./en/usage").then(pick("usage")), zh: () => import("./zh/usage").then(pick("usage")) },
  twoFactor: { en: () => import("./en/twoFactor").then(pick("twoFactor")), zh: () => import("./zh/twoFactor").then(pick("twoFactor")) },
  codes: { en: () => import("./en/codes").then(pick("codes")), zh: () => import("./zh/codes").then(pick("codes")) },
};
