import { isRouteErrorResponse, Link, useLocation, useRouteError } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { useRootData } from "~/root";

export function GeneralErrorBoundary() {
  const error = useRouteError();
  const { t } = useTranslation();
  const root = useRootData();
  const location = useLocation();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  if (!isRouteErrorResponse(error)) console.error(error);
  const title = status === 404 ? t("common.errorPage.notFoundTitle") : status === 403 ? t("common.errorPage.forbiddenTitle") : t("common.errorPage.title");
  const message =
    status === 404
      ? t("common.errorPage.notFoundDetail", { path: location.pathname, provider: root?.provider.name ?? "" })
      : status === 403
        ? t("common.errorPage.forbidden")
        : t("common.errorPage.generic");
  return (
    <section className="panel narrow error-page" aria-labelledby="error-title">
      <p className="error-status">{status}</p>
      <h1 id="error-title">{title}</h1>
      <p>{message}</p>
      <p className="form-actions">
        {root?.user ? (
          <Link to="/account" className="button">
            {t("common.errorPage.dashboard")}
          </Link>
        ) : null}
        <Link to="/" className={root?.user ? "button button-secondary" : "button"}>
          {t("common.errorPage.backHome")}
        </Link>
        <Link to="/help#contact">{t("common.contactSupport")}</Link>
      </p>
    </section>
  );
}
