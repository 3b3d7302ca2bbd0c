import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, Links, Meta, NavLink, Outlet, Scripts, ScrollRestoration, useLocation, useMatches, useRouteLoaderData } from "@remix-run/react";
import { useMemo, type ReactNode } from "react";
import { I18nextProvider, useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "./components/error-boundary";
import { useNonce } from "./components/nonce";
import { getOptionalUser } from "./lib/auth.server";
import { getEnv } from "./lib/env.server";
import { DEFAULT_LOCALE, HTML_LANG, LOCALE_NAMES, SUPPORTED_LOCALES, type Locale } from "./lib/i18n";
import { resolveLocale } from "./lib/locale.server";
import { currentProvider } from "./lib/provider.server";
import type { Role } from "./lib/db-schema";
import { hasRole } from "./lib/roles";
import { usePageTranslations } from "./lib/translations";
import { pageHydrates, pageNamespaces } from "./locales/namespaces";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: "/styles/app.css" },
  { rel: "icon", href: "/favicon.ico", sizes: "48x48" },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getOptionalUser(request);
  const locale = await resolveLocale(request, user?.locale);
  const provider = currentProvider();
  const env = getEnv();
  return {
    locale,
    user: user ? { email: user.email, role: user.role, emailVerified: user.emailVerified } : null,
    provider: { name: provider.name, company: locale === "zh" ? provider.companyZh : provider.company },
    devOutbox: !env.isProduction && !env.SMTP_URL,
  };
}

export type RootLoaderData = Awaited<ReturnType<typeof loader>>;

export function useRootData(): RootLoaderData | undefined {
  return useRouteLoaderData<typeof loader>("root");
}

function LanguagePicker({ locale }: { locale: Locale }) {
  const { t } = useTranslation();
  const location = useLocation();
  return (
    <Form method="post" action="/set-language" className="language-picker" aria-label={t("common.nav.language")}>
      <input type="hidden" name="redirectTo" value={`${location.pathname}${location.search}`} />
      {SUPPORTED_LOCALES.map((candidate) => (
        <button
          key={candidate}
          type="submit"
          name="locale"
          value={candidate}
          lang={HTML_LANG[candidate]}
          aria-pressed={candidate === locale}
          className="link-button"
        >
          {LOCALE_NAMES[candidate]}
        </button>
      ))}
    </Form>
  );
}

/** Consoles by role (the server checks again on every request: these links only save clicks). */
function RoleLinks({ role }: { role: Role }) {
  const { t } = useTranslation();
  return (
    <>
      {hasRole(role, "support") ? <NavLink to="/support">{t("common.nav.support")}</NavLink> : null}
      {hasRole(role, "staff") ? <NavLink to="/staff/claims">{t("common.nav.staff")}</NavLink> : null}
      {hasRole(role, "admin") ? <NavLink to="/admin">{t("common.nav.admin")}</NavLink> : null}
    </>
  );
}

function SiteHeader({ root }: { root: RootLoaderData | undefined }) {
  const { t } = useTranslation();
  const provider = root?.provider.name ?? "";
  return (
    <header className="site-header">
      <div className="container header-row">
        <Link to="/" className="brand">
          <img src="/favicon.svg" alt="" className="brand-mark" width={28} height={28} />
          {t("common.appName")}
          <span className="brand-tagline">{t("common.tagline", { provider })}</span>
        </Link>
        <nav aria-label={t("common.nav.mainNavigation")} className="main-nav">
          {root?.user ? (
            <>
              <NavLink to="/account">{t("common.nav.account")}</NavLink>
              <RoleLinks role={root.user.role} />
              <Form method="post" action="/logout">
                <button type="submit" className="link-button">
                  {t("common.nav.logOut")}
                </button>
              </Form>
            </>
          ) : (
            <>
              <NavLink to="/login">{t("common.nav.logIn")}</NavLink>
              <NavLink to="/signup" className="button button-small">
                {t("common.nav.signUp")}
              </NavLink>
            </>
          )}
          <LanguagePicker locale={root?.locale ?? DEFAULT_LOCALE} />
        </nav>
      </div>
    </header>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const root = useRootData();
  const locale = root?.locale ?? DEFAULT_LOCALE;
  const matches = useMatches();
  const { i18n, payloadSrc } = usePageTranslations(locale, pageNamespaces(matches));
  // A fixed translator: on the server it answers plain texts from memory (i18n.t does the whole lookup every call).
  const t = useMemo(() => i18n.getFixedT(locale), [i18n, locale]);
  const nonce = useNonce();
  return (
    <html lang={HTML_LANG[locale]}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <I18nextProvider i18n={i18n}>
          <a href="#main" className="skip-link">
            {t("common.skipToContent")}
          </a>
          <SiteHeader root={root} />
          <main id="main" className="container">
            {children}
          </main>
          <footer className="site-footer container">
            {t("common.footer", { provider: root?.provider.name ?? "", company: root?.provider.company ?? "" })}{" "}
            <Link to="/docs/gateway">{t("common.gatewayDocs")}</Link> · <Link to="/help">{t("common.footerLinks.help")}</Link> ·{" "}
            <Link to="/terms">{t("common.footerLinks.terms")}</Link> · <Link to="/privacy">{t("common.footerLinks.privacy")}</Link>
          </footer>
        </I18nextProvider>
        {pageHydrates(matches) ? (
          <>
            {/* Before <Scripts>, and not async: entry.client starts from these strings. No src in the browser, as Remix's own inline scripts have no text there. */}
            <script nonce={nonce} suppressHydrationWarning src={payloadSrc || undefined} />
            <ScrollRestoration nonce={nonce} />
            <Scripts nonce={nonce} />
          </>
        ) : null}
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
