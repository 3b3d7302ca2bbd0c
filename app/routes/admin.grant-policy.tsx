import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormAlert, Notice } from "~/components/form-alert";
import { GRANT_POLICY_KEYS } from "~/domain/grant-policy";
import { grantPolicyHistory, policyPatchFromForm } from "~/domain/grant-policy-admin.server";
import { getGrantPolicy, getGrantPolicyLayers, updateGrantPolicy } from "~/domain/grant-policy.server";
import { requestOrigin, requireRole } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { formFields } from "~/lib/forms";
import { formatDateTime, formatInteger } from "~/lib/i18n";
import { pageTitle } from "~/lib/meta";
import { useRootData } from "~/root";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["claims"] };

export const meta: MetaFunction = (args) => pageTitle(args, "admin.policy.title");

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "admin");
  const db = getDb();
  const [policy, layers, history] = await Promise.all([getGrantPolicy(db), getGrantPolicyLayers(db), grantPolicyHistory(db)]);
  return { policy, layers, history };
}

type PolicyOutcome = { ok: true; changed: number } | { ok: false; formError: string; fieldErrors: Record<string, string>; values: Record<string, string> };

export async function action({ request, context }: ActionFunctionArgs) {
  const admin = await requireRole(request, "admin");
  const db = getDb();
  const fields = formFields(await request.formData());
  const patch = policyPatchFromForm(fields, await getGrantPolicy(db));
  if (Object.keys(patch).length === 0) return data<PolicyOutcome>({ ok: true, changed: 0 });
  const result = await updateGrantPolicy(db, patch, admin.id, { ip: requestOrigin(request, context).ip });
  if (!result.ok) return data<PolicyOutcome>({ ok: false, formError: "errors.invalidForm", fieldErrors: result.fieldErrors, values: fields }, { status: 400 });
  return data<PolicyOutcome>({ ok: true, changed: Object.keys(patch).length });
}

export default function AdminGrantPolicy() {
  const { policy, layers, history } = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  const { t } = useTranslation();
  const locale = useRootData()?.locale ?? "en";
  const busy = useNavigation().state === "submitting";
  const failure = outcome && !outcome.ok ? outcome : undefined;
  const sourceOf = (key: (typeof GRANT_POLICY_KEYS)[number]) =>
    key in layers.fromSettings ? "settings" : key in layers.fromEnv ? "env" : "profile";
  return (
    <section aria-labelledby="policy-title">
      <h1 id="policy-title">{t("admin.policy.title")}</h1>
      <p className="muted">{t("admin.policy.lead")}</p>
      {outcome?.ok ? <Notice>{outcome.changed > 0 ? t("admin.policy.saved", { count: outcome.changed }) : t("admin.policy.unchanged")}</Notice> : null}
      <FormAlert error={failure?.formError} />
      <Form method="post" noValidate className="panel policy-form" key={outcome?.ok ? `saved-${history[0]?.id ?? ""}` : "form"}>
        {GRANT_POLICY_KEYS.map((key) => {
          const error = failure?.fieldErrors[key];
          return (
            <div className="field" key={key}>
              <label htmlFor={`policy-${key}`}>{t(`admin.policy.fields.${key}`)}</label>
              <input
                id={`policy-${key}`}
                name={key}
                inputMode="numeric"
                defaultValue={failure?.values[key] ?? String(policy[key])}
                aria-invalid={error ? true : undefined}
                aria-describedby={`policy-${key}-hint${error ? ` policy-${key}-error` : ""}`}
              />
              <p className="field-hint" id={`policy-${key}-hint`}>
                {t(`admin.policy.hints.${key}`)} · {t(`admin.policy.source.${sourceOf(key)}`, { value: formatInteger(layers.profileDefault[key], locale) })}
              </p>
              {error ? (
                <p className="field-error" id={`policy-${key}-error`} role="alert">
                  {t(error)}
                </p>
              ) : null}
            </div>
          );
        })}
        <button type="submit" className="button" disabled={busy}>
          {t("admin.policy.save")}
        </button>
      </Form>
      <h2>{t("admin.policy.history")}</h2>
      {history.length === 0 ? (
        <p className="muted">{t("admin.policy.noHistory")}</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t("admin.audit.columns.time")}</th>
              <th scope="col">{t("admin.audit.columns.actor")}</th>
              <th scope="col">{t("admin.policy.changes")}</th>
            </tr>
          </thead>
          <tbody>
            {history.map((change) => (
              <tr key={change.id}>
                <td>{formatDateTime(change.createdAt, locale)}</td>
                <td>{change.actorEmail ?? "—"}</td>
                <td>
                  <ul className="compact-list">
                    {GRANT_POLICY_KEYS.filter((key) => change.before[key] !== change.after[key]).map((key) => (
                      <li key={key}>
                        {t(`admin.policy.fields.${key}`)}: {change.before[key] === undefined ? t("admin.policy.default") : formatInteger(change.before[key], locale)} →{" "}
                        <strong>{change.after[key] === undefined ? t("admin.policy.default") : formatInteger(change.after[key], locale)}</strong>
                      </li>
                    ))}
                  </ul>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
