import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormAlert, Notice } from "~/components/form-alert";
import { revokeKeySchema } from "~/domain/api-key-schemas.server";
import { listApiKeys, MAX_ACTIVE_KEYS, revokeApiKey } from "~/domain/api-keys.server";
import { KeyLimitsSummary } from "~/components/key-limits-form";
import { listKeyLimits } from "~/domain/key-limits/index.server";
import { listKeyLeaks } from "~/domain/leaked-keys.server";
import { requestOrigin, requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { formFailure } from "~/lib/form-response.server";
import { formFields } from "~/lib/forms";
import { formDateTimeOrNull, useLocale } from "~/lib/use-locale";
import { pageTitle } from "~/lib/meta";
import { currentProvider } from "~/lib/provider.server";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["keys", "keyLimits"] };

export const meta: MetaFunction = (args) => pageTitle(args, "keys.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const db = getDb();
  const keys = await listApiKeys(db, user.id);
  const limits = await listKeyLimits(db, user.id);
  const leaks = await listKeyLeaks(db, user.id);
  const activeCount = keys.filter((key) => key.status === "active").length;
  const rows = keys.map((key) => ({ ...key, ownLimits: limits.get(key.id)?.own ?? null, leak: leaks.get(key.id) ?? null }));
  return { keys: rows, activeCount, max: MAX_ACTIVE_KEYS, provider: currentProvider().name, limitDefaults: currentProvider().keyLimitDefaults };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const parsed = revokeKeySchema.safeParse(formFields(await request.formData()));
  if (!parsed.success) return formFailure("errors.invalidForm");
  const db = getDb();
  const result = await revokeApiKey(db, { accountId: user.id, keyId: parsed.data.keyId, ip: requestOrigin(request, context).ip });
  if (!result.ok) throw new Response("Not found", { status: 404 });
  const keys = await listApiKeys(db, user.id);
  const revoked = keys.find((key) => key.id === parsed.data.keyId);
  return data({ ok: true as const, alreadyRevoked: result.alreadyRevoked, label: revoked ? `${revoked.visiblePrefix}…${revoked.lastFour}` : "" });
}

export default function ApiKeys() {
  const { keys, activeCount, max, provider, limitDefaults } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation();
  const locale = useLocale();
  const busy = useNavigation().state === "submitting";
  return (
    <>
      <h1>{t("keys.title")}</h1>
      <p>{t("keys.lead", { provider })}</p>
      {actionData?.ok ? <Notice>{t(actionData.alreadyRevoked ? "keys.alreadyRevoked" : "keys.revoked", { key: actionData.label })}</Notice> : null}
      {actionData && !actionData.ok ? <FormAlert error={actionData.formError} /> : null}
      <p className="keys-toolbar">
        <Link to="/account/keys/new" className="button">
          {t("keys.create")}
        </Link>
        <Link to="/account/snippets" className="button button-secondary">
          {t("keys.snippetsLink")}
        </Link>
        <span className="muted">{t("keys.activeCount", { count: activeCount, max })}</span>
      </p>
      {keys.length === 0 ? (
        <p className="muted">{t("keys.empty")}</p>
      ) : (
        <div>
          <table className="table keys-table stack-table">
            <thead>
              <tr>
                <th scope="col">{t("keys.columns.name")}</th>
                <th scope="col">{t("keys.columns.key")}</th>
                <th scope="col">{t("keys.columns.created")}</th>
                <th scope="col">{t("keys.columns.lastUsed")}</th>
                <th scope="col">{t("keys.columns.expires")}</th>
                <th scope="col">{t("keys.columns.status")}</th>
                <th scope="col">{t("keyLimits.column")}</th>
                <th scope="col">{t("keys.columns.actions")}</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => (
                <tr key={key.id} data-key-id={key.id}>
                  <td data-label={t("keys.columns.name")}>{key.name}</td>
                  <td data-label={t("keys.columns.key")}>
                    <code>
                      {key.visiblePrefix}…{key.lastFour}
                    </code>
                  </td>
                  <td data-label={t("keys.columns.created")}>{formDateTimeOrNull(key.createdAt, locale)}</td>
                  <td data-label={t("keys.columns.lastUsed")}>{formDateTimeOrNull(key.lastUsedAt, locale) ?? t("keys.never")}</td>
                  <td data-label={t("keys.columns.expires")}>{formDateTimeOrNull(key.expiresAt, locale) ?? t("keys.noExpiry")}</td>
                  <td data-label={t("keys.columns.status")}>
                    <span className={`key-status key-status-${key.status}`}>{t(`keys.status.${key.status}`)}</span>
                    {key.leak ? <p className="key-leak">{t("keyLimits.leakedAt", { where: key.leak.url ?? key.leak.source ?? "?" })}</p> : null}
                  </td>
                  <td data-label={t("keyLimits.column")}>
                    <KeyLimitsSummary own={key.ownLimits} defaults={limitDefaults} />
                  </td>
                  <td className="key-actions" data-label={t("keys.columns.actions")}>
                    {key.status !== "revoked" ? <Link to={`/account/keys/${key.id}/limits`}>
                        {t("keyLimits.link")}
                        <span className="visually-hidden"> ({key.name})</span>
                      </Link> : null}
                    {key.status === "active" ? <Link to={`/account/keys/${key.id}/roll`}>
                        {t("keys.roll")}
                        <span className="visually-hidden"> ({key.name})</span>
                      </Link> : null}
                    {key.status !== "revoked" ? (
                      <Form method="post">
                        <input type="hidden" name="intent" value="revoke" />
                        <input type="hidden" name="keyId" value={key.id} />
                        <button
                          type="submit"
                          className="link-button danger-link"
                          disabled={busy}
                          onClick={(event) => {
                            if (!window.confirm(t("keys.revokeConfirm"))) event.preventDefault();
                          }}
                        >
                          {t("keys.revoke")}
                          <span className="visually-hidden"> ({key.name})</span>
                        </button>
                      </Form>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
