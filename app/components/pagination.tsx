import { Link, useLocation } from "@remix-run/react";
import { useTranslation } from "react-i18next";

/** Previous / next links that keep the current query string and change only `page`. */
export function Pagination({ page, pageCount }: { page: number; pageCount: number }) {
  const { t } = useTranslation();
  const location = useLocation();
  if (pageCount <= 1) return null;
  const hrefFor = (target: number) => {
    const params = new URLSearchParams(location.search);
    params.set("page", String(target));
    return `${location.pathname}?${params}`;
  };
  return (
    <nav className="pager" aria-label={t("support.pagination.label")}>
      {page > 1 ? <Link to={hrefFor(page - 1)} rel="prev">{t("support.pagination.previous")}</Link> : <span className="muted">{t("support.pagination.previous")}</span>}
      <span>{t("support.pagination.position", { page, pageCount })}</span>
      {page < pageCount ? <Link to={hrefFor(page + 1)} rel="next">{t("support.pagination.next")}</Link> : <span className="muted">{t("support.pagination.next")}</span>}
    </nav>
  );
}
