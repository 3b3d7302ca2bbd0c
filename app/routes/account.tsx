import type { LoaderFunctionArgs } from "@remix-run/node";
import { NavLink, Outlet } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { requireUser } from "~/lib/auth.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  return null;
}

export default function AccountLayout() {
  const { t } = useTranslation();
  return (
    <div className="account-layout">
      <nav className="sub-nav" aria-label={t("common.nav.account")}>
        <NavLink to="/account" end>
          {t("common.nav.account")}
        </NavLink>
        <NavLink to="/account/evidence">{t("evidence.title")}</NavLink>
        <NavLink to="/account/password">{t("common.nav.changePassword")}</NavLink>
        <NavLink to="/account/billing">{t("billing.title")}</NavLink>
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
