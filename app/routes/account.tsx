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
        <NavLink to="/account/claim">{t("common.accountNav.claim")}</NavLink>
        <NavLink to="/account/credit">{t("common.accountNav.credit")}</NavLink>
        <NavLink to="/account/usage">{t("common.accountNav.usage")}</NavLink>
        <NavLink to="/account/billing">{t("common.accountNav.billing")}</NavLink>
        <NavLink to="/account/keys">{t("common.accountNav.keys")}</NavLink>
        <NavLink to="/account/organization">{t("common.accountNav.organization")}</NavLink>
        <NavLink to="/account/snippets">{t("common.accountNav.snippets")}</NavLink>
        <NavLink to="/account/password">{t("common.nav.changePassword")}</NavLink>
        <NavLink to="/account/security">{t("common.accountNav.security")}</NavLink>
        <NavLink to="/account/sessions">{t("common.accountNav.sessions")}</NavLink>
        <NavLink to="/account/notifications">{t("common.accountNav.notifications")}</NavLink>
        <NavLink to="/account/privacy">{t("common.accountNav.privacy")}</NavLink>
        {canReview ? <NavLink to="/staff/claims">{t("common.accountNav.reviewQueue")}</NavLink> : null}
        {canReview ? <NavLink to="/staff/adjustments">{t("common.accountNav.adjustments")}</NavLink> : null}
        {canReview ? <NavLink to="/staff/codes">{t("common.accountNav.codes")}</NavLink> : null}
        {canReview ? <NavLink to="/staff/deletions">{t("common.accountNav.deletions")}</NavLink> : null}
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
