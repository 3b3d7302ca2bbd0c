import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormAlert, Notice } from "~/components/form-alert";
import { KeyLimitsForm } from "~/components/key-limits-form";
import { getApiKey } from "~/domain/api-keys.server";
import { getKeyLimits, keyLimitsFormSchema, setKeyLimits } from "~/domain/key-limits/index.server";
import { requestOrigin, requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { fieldErrorsOf, formFields, type FormFailure } from "~/lib/forms";
import { formatInteger } from "~/lib/i18n";
import { pageTitle } from "~/lib/meta";
import { currentProvider } from "~/lib/provider.server";
import { useLocale } from "~/lib/use-locale";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["keyLimits", "keys"] };

export const meta: MetaFunction = (args) => pageTitle(args, "keyLimits.link");

const EMPTY_FORM = { requestsPerMinute: "", tokensPerMinute: "", dailyTokens: "", monthlyTokens: "", allowedModels: "", allowedCidrs: "" };

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const db = getDb();
  const apiKey = await getApiKey(db, user.id, params.keyId ?? "");
  const limits = apiKey ? await getKeyLimits(db, user.id, apiKey.id) : undefined;
  if (!apiKey || !limits) throw new Response("Not found", { status: 404 });
  return { apiKey, limits, defaults: currentProvider().keyLimitDefaults, saved: new URL(request.url).searchParams.get("saved") === "1" };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const sent = { ...EMPTY_FORM, ...formFields(await request.formData()) };
  const parsed = keyLimitsFormSchema.safeParse(sent);
  if (!parsed.success) return data<FormFailure & { sent: Record<string, string> }>({ ok: false, fieldErrors: fieldErrorsOf(parsed.error), formError: "errors.invalidForm", sent }, { status: 400 });
  const result = await setKeyLimits(getDb(), { accountId: user.id, keyId: params.keyId ?? "", limits: parsed.data, ip: requestOrigin(request, context).ip });
  if (!result.ok) throw new Response("Not found", { status: 404 });
  // Back to the page as saved (the form shows the stored values, not what was typed).
  return redirect(`/account/keys/${encodeURIComponent(params.keyId ?? "")}/limits?saved=1`);
}

export default function KeyLimits() {
  const { apiKey, limits, defaults, saved } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation();
  const locale = useLocale();
  const busy = useNavigation().state === "submitting";
  const failure = actionData ?? undefined;
  const n = (value: number) => formatInteger(value, locale);
  return (
    <section className="panel narrow-left" aria-labelledby="limits-title">
      <p>
        <Link to="/account/keys">← {t("keyLimits.back")}</Link>
      </p>
      <h1 id="limits-title">{t("keyLimits.title", { name: apiKey.name })}</h1>
      <p>
        <code>
          {apiKey.visiblePrefix}…{apiKey.lastFour}
        </code>{" "}
        <span className={`key-status key-status-${apiKey.status}`}>{t(`keys.status.${apiKey.status}`)}</span>
      </p>
      <p>{t("keyLimits.lead")}</p>
      {saved && !failure ? <Notice>{t("keyLimits.saved")}</Notice> : null}
      <FormAlert error={failure?.formError} />
      <div className="key-limits-used" aria-labelledby="limits-used-title">
        <h2 id="limits-used-title">{t("keyLimits.used.title")}</h2>
        <ul>
          <li>{t("keyLimits.used.minute", { requests: n(limits.used.minuteRequests), tokens: n(limits.used.minuteTokens) })}</li>
          <li>{t("keyLimits.used.day", { tokens: n(limits.used.dayTokens) })}</li>
          <li>{t("keyLimits.used.month", { tokens: n(limits.used.monthTokens) })}</li>
        </ul>
      </div>
      <KeyLimitsForm key={JSON.stringify(limits.own)} own={limits.own} defaults={defaults} fieldErrors={failure?.fieldErrors ?? {}} sent={failure?.sent} busy={busy} />
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
