import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormAlert } from "~/components/form-alert";
import { NewKeyPanel } from "~/components/new-key-panel";
import { ReauthField } from "~/components/reauth-field";
import { ROLL_GRACE_HOUR_CHOICES } from "~/domain/api-key-choices";
import { rollKeySchema } from "~/domain/api-key-schemas.server";
import { getApiKey, rollApiKey } from "~/domain/api-keys.server";
import { requestOrigin, requireSession } from "~/lib/auth.server";
import { randomToken } from "~/lib/crypto.server";
import { getDb } from "~/lib/db.server";
import { fieldErrorsOf, formFields } from "~/lib/forms";
import { keyFormFailure, needsPassword, NO_STORE, requireRecentPassword } from "~/lib/key-forms.server";
import { pageTitle } from "~/lib/meta";
import { currentProvider } from "~/lib/provider.server";
import { resolveLocale } from "~/lib/locale.server";
import { snippetsView } from "~/lib/snippets-view.server";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["keys", "snippets"] };

export const meta: MetaFunction = (args) => pageTitle(args, "keys.roll");

// The page may hold a live key (after the form is sent): never cached, never kept by the browser.
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const current = await requireSession(request);
  const apiKey = await getApiKey(getDb(), current.user.id, params.keyId ?? "");
  if (!apiKey) throw new Response("Not found", { status: 404 });
  return { apiKey, needsPassword: needsPassword(current), formToken: randomToken(24) };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const current = await requireSession(request);
  const db = getDb();
  const existing = await getApiKey(db, current.user.id, params.keyId ?? "");
  if (!existing) throw new Response("Not found", { status: 404 });
  const parsed = rollKeySchema.safeParse(formFields(await request.formData()));
  if (!parsed.success) return keyFormFailure("errors.invalidForm", 400, fieldErrorsOf(parsed.error));
  const refused = await requireRecentPassword(db, current, parsed.data.password);
  if (refused) return refused;
  const provider = currentProvider();
  const result = await rollApiKey(db, {
    accountId: current.user.id,
    keyId: existing.id,
    graceHours: parsed.data.graceHours,
    prefix: provider.keyPrefix,
    creationToken: parsed.data.formToken,
    ip: requestOrigin(request, context).ip,
  });
  if (!result.ok) {
    if (result.reason === "not_found") throw new Response("Not found", { status: 404 });
    return keyFormFailure(`keys.errors.${result.reason}`, 409);
  }
  const previous = {
    label: `${result.previous.visiblePrefix}…${result.previous.lastFour}`,
    until: result.previous.status === "revoked" ? null : result.previous.expiresAt,
  };
  return data({ ok: true as const, key: result.key, apiKey: result.apiKey, previous, snippets: snippetsView(provider, result.key, await resolveLocale(request, current.user.locale)) }, { headers: NO_STORE });
}

export default function RollApiKey() {
  const { apiKey, needsPassword: passwordNeeded, formToken } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation();
  const busy = useNavigation().state === "submitting";
  if (actionData?.ok) {
    return <NewKeyPanel keyText={actionData.key} apiKey={actionData.apiKey} snippets={actionData.snippets} previous={actionData.previous} />;
  }
  const failure = actionData && !actionData.ok ? actionData : undefined;
  return (
    <section className="panel narrow-left" aria-labelledby="roll-title">
      <h1 id="roll-title">{t("keys.rollPage.title", { name: apiKey.name })}</h1>
      <p>
        <code>
          {apiKey.visiblePrefix}…{apiKey.lastFour}
        </code>
      </p>
      <p>{t("keys.rollPage.lead")}</p>
      <FormAlert error={failure?.formError} retryAfterSeconds={failure?.retryAfterSeconds} />
      <Form method="post" noValidate>
        <input type="hidden" name="formToken" value={formToken} />
        <div className="field">
          <label htmlFor="field-graceHours">{t("keys.rollPage.grace")}</label>
          <select id="field-graceHours" name="graceHours" defaultValue="24">
            {ROLL_GRACE_HOUR_CHOICES.map((hours) => (
              <option key={hours} value={hours}>
                {hours === 0
                  ? t("keys.rollPage.graceNone")
                  : hours < 48
                    ? t("keys.rollPage.graceHours", { count: hours })
                    : t("keys.rollPage.graceDays", { count: hours / 24 })}
              </option>
            ))}
          </select>
          {failure?.fieldErrors.graceHours ? (
            <p className="field-error" role="alert">
              {t(failure.fieldErrors.graceHours)}
            </p>
          ) : null}
        </div>
        {passwordNeeded || failure?.needsPassword ? <ReauthField error={failure?.fieldErrors.password} /> : null}
        <button type="submit" className="button" disabled={busy || apiKey.status !== "active"}>
          {t("keys.rollPage.submit")}
        </button>
      </Form>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
