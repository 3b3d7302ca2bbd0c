import type { LoaderFunctionArgs } from "@remix-run/node";
import { NavLink, Outlet } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { requireRole } from "~/lib/auth.server";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["help"] };

// Support agents, staff and admins; everyone else is stopped here and again in each child.
export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "support");
  return null;
}

export default function SupportLayout() {
  const { t } = useTranslation();
  return (
    <div className="console">
      <nav className="sub-nav sub-nav-inline" aria-label={t("common.nav.support")}>
        <NavLink to="/support" end>
          {t("common.nav.support")}
        </NavLink>
        <NavLink to="/support/tickets">{t("help.tickets.navLink")}</NavLink>
      </nav>
      <Outlet />
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
