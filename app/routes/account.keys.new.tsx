import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field } from "~/components/field";
import { FormAlert } from "~/components/form-alert";
import { NewKeyPanel } from "~/components/new-key-panel";
import { ReauthField } from "~/components/reauth-field";
import { EXPIRY_DAY_CHOICES } from "~/domain/api-key-choices";
import { createKeySchema } from "~/domain/api-key-schemas.server";
import { createApiKey } from "~/domain/api-keys.server";
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

export const meta: MetaFunction = (args) => pageTitle(args, "keys.new.title");

// The page may hold a live key (after the form is sent): never cached, never kept by the browser.
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

export async function loader({ request }: LoaderFunctionArgs) {
  const current = await requireSession(request);
  return { needsPassword: needsPassword(current), formToken: randomToken(24) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const current = await requireSession(request);
  const parsed = createKeySchema.safeParse(formFields(await request.formData()));
  if (!parsed.success) return keyFormFailure("errors.invalidForm", 400, fieldErrorsOf(parsed.error));
  const db = getDb();
  const refused = await requireRecentPassword(db, current, parsed.data.password);
  if (refused) return refused;
  const provider = currentProvider();
  const now = new Date();
  const result = await createApiKey(db, {
    accountId: current.user.id,
    name: parsed.data.name,
    prefix: provider.keyPrefix,
    expiresAt: parsed.data.expiresInDays ? new Date(now.getTime() + parsed.data.expiresInDays * 86_400_000) : null,
    creationToken: parsed.data.formToken,
    ip: requestOrigin(request, context).ip,
    now,
  });
  if (!result.ok) return keyFormFailure(`keys.errors.${result.reason}`, result.reason === "too_many_keys" ? 409 : 400);
  return data(
    { ok: true as const, key: result.key, apiKey: result.apiKey, snippets: snippetsView(provider, result.key, await resolveLocale(request, current.user.locale)) },
    { headers: NO_STORE },
  );
}

export default function NewApiKey() {
  const { needsPassword: passwordNeeded, formToken } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation();
  const busy = useNavigation().state === "submitting";
  if (actionData?.ok) return <NewKeyPanel keyText={actionData.key} apiKey={actionData.apiKey} snippets={actionData.snippets} />;
  const failure = actionData && !actionData.ok ? actionData : undefined;
  return (
    <section className="panel narrow-left" aria-labelledby="new-key-title">
      <h1 id="new-key-title">{t("keys.new.title")}</h1>
      <p>{t("keys.new.lead")}</p>
      <FormAlert error={failure?.formError} retryAfterSeconds={failure?.retryAfterSeconds} />
      <Form method="post" noValidate>
        <input type="hidden" name="formToken" value={formToken} />
        <Field name="name" label={t("keys.new.name")} hint={t("keys.new.nameHint")} maxLength={60} required autoComplete="off" error={failure?.fieldErrors.name} />
        <div className="field">
          <label htmlFor="field-expiresInDays">{t("keys.new.expiry")}</label>
          <select id="field-expiresInDays" name="expiresInDays" defaultValue="">
            <option value="">{t("keys.new.expiryNever")}</option>
            {EXPIRY_DAY_CHOICES.map((days) => (
              <option key={days} value={days}>
                {t("keys.new.expiryDays", { count: days })}
              </option>
            ))}
          </select>
          {failure?.fieldErrors.expiresInDays ? (
            <p className="field-error" role="alert">
              {t(failure.fieldErrors.expiresInDays)}
            </p>
          ) : null}
        </div>
        {passwordNeeded || failure?.needsPassword ? <ReauthField error={failure?.fieldErrors.password} /> : null}
        <button type="submit" className="button" disabled={busy}>
          {t("keys.new.submit")}
        </button>
      </Form>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
