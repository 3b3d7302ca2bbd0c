// E-mail alert settings: the low-balance threshold and which alerts to receive (unsubscribe).
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field } from "~/components/field";
import { FormAlert, Notice } from "~/components/form-alert";
import { alertSettingsFormSchema, getAlertSettings, setAlertSettings } from "~/domain/alerts/index.server";
import { requestOrigin, requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { formFields } from "~/lib/forms";
import { invalidForm } from "~/lib/form-response.server";
import { formatInteger } from "~/lib/i18n";
import { pageTitle } from "~/lib/meta";
import { useLocale } from "~/lib/use-locale";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["alerts"] };

export const meta: MetaFunction = (args) => pageTitle(args, "alerts.settings.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return { email: user.email, settings: await getAlertSettings(getDb(), user.id) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const parsed = alertSettingsFormSchema.safeParse({ balanceThresholdTokens: "", ...formFields(await request.formData()) });
  if (!parsed.success) return invalidForm(parsed.error);
  await setAlertSettings(getDb(), { userId: user.id, settings: parsed.data, ip: requestOrigin(request, context).ip });
  return data({ ok: true as const });
}

const CHECKBOXES = ["balanceAlerts", "promoExpiryAlerts", "keyBudgetAlerts"] as const;

export default function Notifications() {
  const { email, settings } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation();
  const locale = useLocale();
  const busy = useNavigation().state === "submitting";
  const failure = actionData && !actionData.ok ? actionData : undefined;
  return (
    <section className="panel narrow-left" aria-labelledby="alerts-title">
      <h1 id="alerts-title">{t("alerts.settings.title")}</h1>
      <p>{t("alerts.settings.lead", { email })}</p>
      {actionData?.ok ? <Notice>{t("alerts.settings.saved")}</Notice> : null}
      <FormAlert error={failure?.formError} />
      <Form method="post" noValidate>
        <fieldset className="alert-choices">
          {CHECKBOXES.map((name) => (
            <label key={name} className="checkbox">
              <input type="checkbox" name={name} defaultChecked={settings[name]} /> {t(`alerts.settings.${name}`)}
            </label>
          ))}
        </fieldset>
        <Field
          name="balanceThresholdTokens"
          label={t("alerts.settings.threshold")}
          inputMode="numeric"
          autoComplete="off"
          defaultValue={settings.balanceThresholdTokens !== null ? String(settings.balanceThresholdTokens) : ""}
          placeholder={settings.defaultThresholdTokens !== null ? formatInteger(settings.defaultThresholdTokens, locale) : ""}
          hint={settings.defaultThresholdTokens !== null ? t("alerts.settings.thresholdHint", { tokens: formatInteger(settings.defaultThresholdTokens, locale) }) : t("alerts.settings.thresholdHintNone")}
          error={failure?.fieldErrors.balanceThresholdTokens}
        />
        <button type="submit" className="button" disabled={busy}>
          {t("alerts.settings.save")}
        </button>
      </Form>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
