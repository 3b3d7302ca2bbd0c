import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Pagination } from "~/components/pagination";
import { auditQuery, auditSearch, containsKeySecret, searchAccounts, searchQuerySchema, type SearchContext } from "~/domain/support-search.server";
import { requestOrigin, requireRole } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { fieldErrorsOf } from "~/lib/forms";
import { formatDate } from "~/lib/i18n";
import { pageTitle } from "~/lib/meta";
import { currentProvider } from "~/lib/provider.server";
import { useRootData } from "~/root";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["account", "support"] };

export const meta: MetaFunction = (args) => pageTitle(args, "support.search.title");

async function runSearch(request: Request, context: LoaderFunctionArgs["context"], input: { q: string | null; page: unknown }) {
  const user = await requireRole(request, "support");
  const searchContext: SearchContext = { keyPrefix: currentProvider().keyPrefix };
  if (input.q === null || input.q.trim() === "") return { q: "", error: null, outcome: null };
  // A whole key never comes back into the page, a URL or the audit log: only its visible parts.
  const shownQuery = auditQuery(input.q, searchContext);
  const parsed = searchQuerySchema.safeParse({ q: input.q, page: input.page ?? 1 });
  if (!parsed.success) return data({ q: shownQuery, error: fieldErrorsOf(parsed.error).q ?? "support.errors.searchTooShort", outcome: null }, { status: 400 });
  const db = getDb();
  const outcome = await searchAccounts(db, parsed.data, searchContext);
  await auditSearch(db, { id: user.id, ip: requestOrigin(request, context).ip }, parsed.data.q, outcome, searchContext);
  return { q: shownQuery, error: null, outcome };
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  return runSearch(request, context, { q: url.searchParams.get("q"), page: url.searchParams.get("page") });
}

/**
 * The search box posts here so a pasted key is never part of a URL (history, proxies, logs).
 * Anything else is sent on to a plain, shareable `?q=` address.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  await requireRole(request, "support");
  const q = String((await request.formData()).get("q") ?? "").trim();
  if (containsKeySecret(q, { keyPrefix: currentProvider().keyPrefix })) return runSearch(request, context, { q, page: 1 });
  return redirect(q ? `/support?${new URLSearchParams({ q })}` : "/support");
}

export default function SupportSearch() {
  const loaded = useLoaderData<typeof loader>();
  const posted = useActionData<typeof action>();
  const { q, error, outcome } = posted ?? loaded;
  const { t } = useTranslation();
  const locale = useRootData()?.locale ?? "en";
  const busy = useNavigation().state !== "idle";
  return (
    <section aria-labelledby="support-search-title">
      <h1 id="support-search-title">{t("support.search.title")}</h1>
      <p className="muted">{t("support.search.lead")}</p>
      <Form method="post" className="search-form" role="search" key={q}>
        <div className="field">
          <label htmlFor="support-q">{t("support.search.label")}</label>
          <div className="search-row">
            <input
              id="support-q"
              name="q"
              type="search"
              defaultValue={q}
              autoComplete="off"
              spellCheck={false}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? "support-q-error support-q-hint" : "support-q-hint"}
            />
            <button type="submit" className="button" disabled={busy}>
              {t("support.search.submit")}
            </button>
          </div>
          <p className="field-hint" id="support-q-hint">
            {t("support.search.hint")}
          </p>
          {error ? (
            <p className="field-error" id="support-q-error" role="alert">
              {t(error)}
            </p>
          ) : null}
        </div>
      </Form>
      {outcome ? (
        <div className="search-results">
          <p className="muted" role="status">
            {t("support.search.resultCount", { count: outcome.total })}
            {outcome.kinds.length > 0 ? ` · ${t("support.search.lookedFor", { kinds: outcome.kinds.map((kind) => t(`support.kinds.${kind}`)).join(t("support.search.listSeparator")) })}` : ""}
          </p>
          {outcome.truncated ? <div className="alert alert-warning">{t("support.search.truncated")}</div> : null}
          {outcome.accounts.length > 0 ? (
            <table className="table stack-table">
              <thead>
                <tr>
                  <th scope="col">{t("support.search.columns.account")}</th>
                  <th scope="col">{t("support.search.columns.matched")}</th>
                  <th scope="col">{t("support.search.columns.status")}</th>
                  <th scope="col">{t("support.search.columns.created")}</th>
                </tr>
              </thead>
              <tbody>
                {outcome.accounts.map((account) => (
                  <tr key={account.accountId} data-testid="search-result">
                    <td data-label={t("support.search.columns.account")}>
                      <Link to={`/support/accounts/${account.accountId}`}>{account.email}</Link>
                      <div className="muted small">{t(`account.roles.${account.role}`)}</div>
                    </td>
                    <td data-label={t("support.search.columns.matched")}>
                      <ul className="compact-list">
                        {account.matches.map((match) => (
                          <li key={`${match.kind}:${match.matched}`}>
                            <span className="muted">{t(`support.kinds.${match.kind}`)}:</span> <code>{match.matched}</code>{" "}
                            {match.exact ? <span className="badge badge-success">{t("support.search.exact")}</span> : null}
                          </li>
                        ))}
                      </ul>
                    </td>
                    <td data-label={t("support.search.columns.status")}>
                      {account.disabled ? <span className="badge badge-danger">{t("support.status.disabled")}</span> : null}{" "}
                      {account.verified ? (
                        <span className="badge">{t("support.status.verified")}</span>
                      ) : (
                        <span className="badge badge-warning">{t("support.status.unverified")}</span>
                      )}
                    </td>
                    <td data-label={t("support.search.columns.created")}>{formatDate(account.createdAt, locale)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p>{t("support.search.noMatch")}</p>
          )}
          <Pagination page={outcome.page} pageCount={outcome.pageCount} />
        </div>
      ) : null}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
