import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useLoaderData, useLocation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { AuditActionLabel, AuditDetails } from "~/components/audit-details";
import { Pagination } from "~/components/pagination";
import { AUDIT_FILTER_FIELDS as FILTER_FIELDS } from "~/domain/audit-filter";
import { auditFilterInput, auditFilterSchema, listAuditEntries } from "~/domain/audit-query.server";
import { requireRole } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { fieldErrorsOf } from "~/lib/forms";
import { formatDateTime } from "~/lib/i18n";
import { pageTitle } from "~/lib/meta";
import { useRootData } from "~/root";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["support", "audit", "alerts", "evidence", "claims", "account", "credit"] };

export const meta: MetaFunction = (args) => pageTitle(args, "admin.audit.title");

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "admin");
  const url = new URL(request.url);
  const input = auditFilterInput(url.searchParams);
  const shown = Object.fromEntries(FILTER_FIELDS.map((name) => [name, input[name] ?? ""])) as Record<(typeof FILTER_FIELDS)[number], string>;
  const parsed = auditFilterSchema.safeParse(input);
  if (!parsed.success) {
    return data({ filter: shown, fieldErrors: fieldErrorsOf(parsed.error), result: null }, { status: 400 });
  }
  return { filter: shown, fieldErrors: {} as Record<string, string>, result: await listAuditEntries(getDb(), parsed.data) };
}

export default function AdminAudit() {
  const { filter, fieldErrors, result } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const locale = useRootData()?.locale ?? "en";
  const location = useLocation();
  const exportParams = new URLSearchParams(location.search);
  exportParams.delete("page");
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">{t("admin.audit.title")}</h1>
      <p className="muted">{t("admin.audit.lead")}</p>
      <Form method="get" className="filter-row" role="search">
        {FILTER_FIELDS.map((name) => (
          <div className="field" key={name}>
            <label htmlFor={`audit-${name}`}>{t(`admin.audit.filters.${name}`)}</label>
            <input
              id={`audit-${name}`}
              name={name}
              type={name === "from" || name === "to" ? "date" : "text"}
              defaultValue={filter[name]}
              autoComplete="off"
              aria-invalid={fieldErrors[name] ? true : undefined}
            />
            {fieldErrors[name] ? (
              <p className="field-error" role="alert">
                {t(fieldErrors[name]!)}
              </p>
            ) : null}
          </div>
        ))}
        <button type="submit" className="button button-secondary">
          {t("admin.audit.apply")}
        </button>
      </Form>
      {result ? (
        <>
          <p className="muted toolbar">
            <span>{t("admin.audit.count", { count: result.total })}</span>
            <a className="button button-small" href={`/admin/audit.csv${exportParams.size ? `?${exportParams}` : ""}`} download>
              {t("admin.audit.export")}
            </a>
          </p>
          <div>
            <table className="table audit-table stack-table">
              <thead>
                <tr>
                  <th scope="col">{t("admin.audit.columns.time")}</th>
                  <th scope="col">{t("admin.audit.columns.actor")}</th>
                  <th scope="col">{t("admin.audit.columns.action")}</th>
                  <th scope="col">{t("admin.audit.columns.target")}</th>
                  <th scope="col">{t("admin.audit.columns.details")}</th>
                </tr>
              </thead>
              <tbody>
                {result.rows.map((row) => (
                  <tr key={row.id} data-testid="audit-row">
                    <td className="small" data-label={t("admin.audit.columns.time")}>{formatDateTime(row.createdAt, locale)}</td>
                    <td data-label={t("admin.audit.columns.actor")}>
                      {row.actorEmail ?? row.actorId ?? "—"}
                      {row.ip ? <div className="muted small">{row.ip}</div> : null}
                    </td>
                    <td data-label={t("admin.audit.columns.action")}>
                      <AuditActionLabel action={row.action} />
                    </td>
                    <td className="small" data-label={t("admin.audit.columns.target")}>{row.targetType ? <code className="break">{row.targetId ? `${row.targetType}:${row.targetId}` : row.targetType}</code> : "—"}</td>
                    <td className="small" data-label={t("admin.audit.columns.details")}>
                      <AuditDetails details={row.details} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pagination page={result.page} pageCount={result.pageCount} />
        </>
      ) : null}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
