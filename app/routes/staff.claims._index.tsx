import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { ClaimStatusBadge, useFormats } from "~/components/claim-parts";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { QUEUE_FLAG_FILTERS, QUEUE_SORTS, QUEUE_VIEWS } from "~/domain/claim-queue";
import { queueQuerySchema } from "~/domain/claim-queue-query.server";
import { listClaimQueue } from "~/domain/claim-review.server";
import { getGrantPolicy } from "~/domain/grant-policy.server";
import { requireRole } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { pageTitle } from "~/lib/meta";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["account", "claims", "evidence", "review", "support"] };

export const meta: MetaFunction = (args) => pageTitle(args, "review.queue.title");

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "staff");
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const parsed = queueQuerySchema.safeParse(params);
  // Bad numbers in the filters are dropped rather than failing the page.
  const query = parsed.success ? parsed.data : queueQuerySchema.parse({ ...params, minTokens: undefined, maxTokens: undefined, minAgeDays: undefined });
  const db = getDb();
  const [queue, policy] = await Promise.all([listClaimQueue(db, query), getGrantPolicy(db)]);
  return { ...queue, query, filterError: !parsed.success, largeLimit: policy.largeGrantLimitTokens, now: new Date().toISOString() };
}

function ageDays(fromIso: string, nowIso: string): number {
  return Math.floor((Date.parse(nowIso) - Date.parse(fromIso)) / 86_400_000);
}

export default function ClaimQueue() {
  const { claims, total, page, pages, query, filterError, largeLimit, now } = useLoaderData<typeof loader>();
  const [searchParams] = useSearchParams();
  const { t } = useTranslation();
  const f = useFormats();
  const pageLink = (target: number) => {
    const next = new URLSearchParams(searchParams);
    next.set("page", String(target));
    return `?${next}`;
  };
  return (
    <>
      <h1>{t("review.queue.title")}</h1>
      <p className="muted">
        {t("review.queue.lead")} <Link to="/staff/adjustments">{t("support.adjustments.queueLink")}</Link>
      </p>
      <Form method="get" className="panel queue-filters" aria-label={t("review.queue.filters")}>
        <div className="field">
          <label htmlFor="queue-view">{t("review.queue.view")}</label>
          <select id="queue-view" name="view" defaultValue={query.view}>
            {QUEUE_VIEWS.map((view) => (
              <option key={view} value={view}>
                {t(`review.queue.views.${view}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="queue-sort">{t("review.queue.sort")}</label>
          <select id="queue-sort" name="sort" defaultValue={query.sort}>
            {QUEUE_SORTS.map((sort) => (
              <option key={sort} value={sort}>
                {t(`review.queue.sorts.${sort}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="queue-flags">{t("review.queue.flags")}</label>
          <select id="queue-flags" name="flags" defaultValue={query.flags}>
            {QUEUE_FLAG_FILTERS.map((flags) => (
              <option key={flags} value={flags}>
                {t(`review.queue.flagFilters.${flags}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="queue-min">{t("review.queue.minTokens")}</label>
          <input id="queue-min" name="minTokens" inputMode="numeric" defaultValue={query.minTokens ?? ""} />
        </div>
        <div className="field">
          <label htmlFor="queue-max">{t("review.queue.maxTokens")}</label>
          <input id="queue-max" name="maxTokens" inputMode="numeric" defaultValue={query.maxTokens ?? ""} />
        </div>
        <div className="field">
          <label htmlFor="queue-age">{t("review.queue.minAgeDays")}</label>
          <input id="queue-age" name="minAgeDays" inputMode="numeric" defaultValue={query.minAgeDays ?? ""} />
        </div>
        <div className="queue-filter-actions">
          <button type="submit" className="button">
            {t("review.queue.apply")}
          </button>
          <Link to="/staff/claims" className="button button-secondary">
            {t("review.queue.reset")}
          </Link>
        </div>
      </Form>
      {filterError ? (
        <div className="alert alert-warning" role="status">
          {t("review.errors.number")}
        </div>
      ) : null}
      <p>{t("review.queue.count", { count: total })}</p>
      {claims.length === 0 ? (
        <p className="muted">{t("review.queue.empty")}</p>
      ) : (
        <table className="table queue-table stack-table" data-testid="claim-queue">
          <thead>
            <tr>
              <th scope="col">{t("review.queue.columns.claim")}</th>
              <th scope="col">{t("review.queue.columns.developer")}</th>
              <th scope="col" className="numeric">
                {t("review.queue.columns.tokens")}
              </th>
              <th scope="col">{t("review.queue.columns.flags")}</th>
              <th scope="col">{t("review.queue.columns.age")}</th>
              <th scope="col">{t("review.queue.columns.status")}</th>
            </tr>
          </thead>
          <tbody>
            {claims.map((claim) => {
              const days = ageDays(claim.submittedAt, now);
              return (
                <tr key={claim.id} data-testid="queue-row">
                  <td data-label={t("review.queue.columns.claim")}>
                    <Link to={`/staff/claims/${claim.id}`}>{claim.id}</Link>
                  </td>
                  <td data-label={t("review.queue.columns.developer")}>
                    {claim.organizationName ? (
                      <>
                        {claim.organizationName} <span className="badge">{t("account.roles.organization")}</span>
                      </>
                    ) : (
                      claim.email
                    )}
                  </td>
                  <td className="numeric" data-label={t("review.queue.columns.tokens")}>
                    {f.int(claim.offeredTokens)}
                    {claim.offeredTokens > largeLimit ? (
                      <div>
                        <span className="flag-badge flag-badge-info">{t("review.queue.twoApprovals")}</span>
                      </div>
                    ) : null}
                  </td>
                  <td data-label={t("review.queue.columns.flags")}>
                    {claim.flagCount === 0 ? (
                      <span className="muted">{t("review.queue.noFlags")}</span>
                    ) : (
                      <span className="flag-badge" title={claim.flagCodes.map((code) => t(`claims.flags.${code}`, { detail: "" })).join("\n")}>
                        {claim.flagCount}
                      </span>
                    )}
                  </td>
                  <td data-label={t("review.queue.columns.age")} title={f.dateTime(claim.submittedAt)}>{days < 1 ? t("review.queue.ageHours") : t("review.queue.ageDays", { count: days })}</td>
                  <td data-label={t("review.queue.columns.status")}>
                    <ClaimStatusBadge status={claim.status} />
                    {claim.firstApprovedTokens !== null && claim.status === "pending" ? (
                      <div className="muted small">{t("review.queue.secondApproval", { tokens: f.int(claim.firstApprovedTokens) })}</div>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {pages > 1 ? (
        <nav className="pagination" aria-label={t("review.queue.page", { page, pages })}>
          {page > 1 ? <Link to={pageLink(page - 1)}>{t("review.queue.previous")}</Link> : <span />}
          <span>{t("review.queue.page", { page, pages })}</span>
          {page < pages ? <Link to={pageLink(page + 1)}>{t("review.queue.next")}</Link> : <span />}
        </nav>
      ) : null}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
