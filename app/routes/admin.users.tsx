import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Pagination } from "~/components/pagination";
import { changeRole, listUsers, roleChangeSchema, userListSchema } from "~/domain/user-roles.server";
import { requestOrigin, requireRole } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { formFields } from "~/lib/forms";
import { formatDate } from "~/lib/i18n";
import { pageTitle } from "~/lib/meta";
import { ROLES } from "~/lib/roles";
import { useRootData } from "~/root";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["account", "support", "twoFactor"] };

export const meta: MetaFunction = (args) => pageTitle(args, "admin.users.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireRole(request, "admin");
  const url = new URL(request.url);
  const filter = userListSchema.parse({
    q: url.searchParams.get("q") ?? undefined,
    role: url.searchParams.get("role") || undefined,
    page: url.searchParams.get("page") ?? 1,
  });
  return { list: await listUsers(getDb(), filter), filter: { q: filter.q ?? "", role: filter.role ?? "" }, adminId: admin.id };
}

interface RoleOutcome {
  ok: boolean;
  userId: string;
  message: string;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const admin = await requireRole(request, "admin");
  const parsed = roleChangeSchema.safeParse(formFields(await request.formData()));
  if (!parsed.success) return data<RoleOutcome>({ ok: false, userId: "", message: "admin.errors.roleInvalid" }, { status: 400 });
  const result = await changeRole(getDb(), { actorId: admin.id, ...parsed.data, ip: requestOrigin(request, context).ip });
  if (!result.ok) {
    const status = result.reason === "not_found" ? 404 : result.reason === "unchanged" ? 400 : 409;
    return data<RoleOutcome>({ ok: false, userId: parsed.data.userId, message: `admin.errors.${result.reason}` }, { status });
  }
  return data<RoleOutcome>({ ok: true, userId: parsed.data.userId, message: "admin.users.changed" });
}

export default function AdminUsers() {
  const { list, filter, adminId } = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  const { t } = useTranslation();
  const locale = useRootData()?.locale ?? "en";
  const navigation = useNavigation();
  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">{t("admin.users.title")}</h1>
      <p className="muted">{t("admin.users.lead")}</p>
      <Form method="get" className="filter-row" role="search">
        <div className="field">
          <label htmlFor="users-q">{t("admin.users.search")}</label>
          <input id="users-q" name="q" type="search" defaultValue={filter.q} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="users-role">{t("admin.users.role")}</label>
          <select id="users-role" name="role" defaultValue={filter.role}>
            <option value="">{t("admin.users.anyRole")}</option>
            {ROLES.map((role) => (
              <option key={role} value={role}>
                {t(`account.roles.${role}`)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button button-secondary">
          {t("admin.users.filter")}
        </button>
      </Form>
      {outcome ? (
        <div className={outcome.ok ? "alert alert-success" : "alert alert-error"} role={outcome.ok ? "status" : "alert"}>
          {t(outcome.message)}
        </div>
      ) : null}
      <p className="muted">{t("admin.users.count", { count: list.total })}</p>
      <table className="table stack-table">
        <thead>
          <tr>
            <th scope="col">{t("admin.users.email")}</th>
            <th scope="col">{t("admin.users.status")}</th>
            <th scope="col">{t("admin.users.created")}</th>
            <th scope="col">{t("admin.users.role")}</th>
          </tr>
        </thead>
        <tbody>
          {list.rows.map((user) => (
            <tr key={user.id} data-testid="user-row">
              <td data-label={t("admin.users.email")}>
                <Link to={`/support/accounts/${user.id}`}>{user.email}</Link>
                {user.id === adminId ? <span className="muted"> ({t("admin.users.you")})</span> : null}
                <br />
                <Link to={`/admin/users/${user.id}/security`} className="muted">
                  {t("twoFactor.admin.link")}
                  <span className="visually-hidden"> ({user.email})</span>
                </Link>
              </td>
              <td data-label={t("admin.users.status")}>
                {user.disabled ? <span className="badge badge-danger">{t("support.status.disabled")}</span> : null}{" "}
                {user.verified ? <span className="badge">{t("support.status.verified")}</span> : <span className="badge badge-warning">{t("support.status.unverified")}</span>}
              </td>
              <td data-label={t("admin.users.created")}>{formatDate(user.createdAt, locale)}</td>
              <td data-label={t("admin.users.role")}>
                <Form method="post" className="inline-form">
                  <input type="hidden" name="userId" value={user.id} />
                  <label className="visually-hidden" htmlFor={`role-${user.id}`}>
                    {t("admin.users.roleFor", { email: user.email })}
                  </label>
                  <select id={`role-${user.id}`} name="role" defaultValue={user.role} key={`${user.id}-${user.role}`}>
                    {ROLES.map((role) => (
                      <option key={role} value={role}>
                        {t(`account.roles.${role}`)}
                      </option>
                    ))}
                  </select>
                  <button type="submit" className="button button-secondary button-small" disabled={navigation.state === "submitting"}>
                    {t("admin.users.save")}
                  </button>
                </Form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pagination page={list.page} pageCount={list.pageCount} />
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
