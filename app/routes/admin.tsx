import type { LoaderFunctionArgs } from "@remix-run/node";
import { NavLink, Outlet } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { requireRole } from "~/lib/auth.server";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["admin", "help"] };

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "admin");
  return null;
}

export default function AdminLayout() {
  const { t } = useTranslation();
  return (
    <div className="account-layout">
      <nav className="sub-nav" aria-label={t("admin.nav.label")}>
        <NavLink to="/admin" end>
          {t("admin.nav.overview")}
        </NavLink>
        <NavLink to="/admin/users">{t("admin.nav.users")}</NavLink>
        <NavLink to="/admin/grant-policy">{t("admin.nav.grantPolicy")}</NavLink>
        <NavLink to="/admin/audit">{t("admin.nav.audit")}</NavLink>
        <NavLink to="/admin/pages">{t("help.admin.navLink")}</NavLink>
      </nav>
      <div className="account-content">
        <Outlet />
      </div>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
