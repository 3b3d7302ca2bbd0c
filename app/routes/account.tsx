import type { LoaderFunctionArgs } from "@remix-run/node";
import { NavLink, Outlet, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { requireUser } from "~/lib/auth.server";
import { hasRole } from "~/lib/roles";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return { canReview: hasRole(user.role, "staff") };
}

export default function AccountLayout() {
  const { t } = useTranslation();
  const { canReview } = useLoaderData<typeof loader>();
  return (
    <div className="account-layout">
      <nav className="sub-nav" aria-label={t("common.nav.account")}>
        <NavLink to="/account" end>
          {t("common.nav.account")}
        </NavLink>
        <NavLink to="/account/evidence">{t("common.nav.evidence")}</NavLink>
        <NavLink to="/account/claim">{t("claims.nav")}</NavLink>
        <NavLink to="/account/credit">{t("credit.nav")}</NavLink>
        <NavLink to="/account/usage">{t("usage.nav")}</NavLink>
        <NavLink to="/account/billing">{t("billing.title")}</NavLink>
        <NavLink to="/account/keys">{t("keys.nav")}</NavLink>
        <NavLink to="/account/snippets">{t("snippets.title")}</NavLink>
        <NavLink to="/account/password">{t("common.nav.changePassword")}</NavLink>
        <NavLink to="/account/security">{t("twoFactor.settings.nav")}</NavLink>
        <NavLink to="/account/sessions">{t("sessions.nav")}</NavLink>
        <NavLink to="/account/privacy">{t("help.data.navLink")}</NavLink>
        <NavLink to="/account/notifications">{t("alerts.settings.nav")}</NavLink>
        {canReview ? <NavLink to="/staff/claims">{t("review.queue.title")}</NavLink> : null}
        {canReview ? <NavLink to="/staff/adjustments">{t("support.adjustments.queueTitle")}</NavLink> : null}
        {canReview ? <NavLink to="/staff/deletions">{t("help.deletion.queueTitle")}</NavLink> : null}
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
