import { isRouteErrorResponse, Link, useRouteError } from "@remix-run/react";
import { useTranslation } from "react-i18next";

export function GeneralErrorBoundary() {
  const error = useRouteError();
  const { t } = useTranslation();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const message =
    status === 404 ? t("common.errorPage.notFound") : status === 403 ? t("common.errorPage.forbidden") : t("common.errorPage.generic");
  if (!isRouteErrorResponse(error)) console.error(error);
  return (
    <section className="panel narrow" aria-labelledby="error-title">
      <h1 id="error-title">
        {status} · {t("common.errorPage.title")}
      </h1>
      <p>{message}</p>
      <p>
        <Link to="/">{t("common.errorPage.backHome")}</Link> · <Link to="/help#contact">{t("common.contactSupport")}</Link>
      </p>
    </section>
  );
}
