// After the password, the second factor: a code from the authenticator app, a recovery code or,
// where the account has one and the browser supports WebAuthn, a passkey.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { homePathFor } from "~/lib/roles";
import { safeRedirect } from "~/lib/safe-redirect";
import { secondFactorCodeSchema, verifySecondFactor } from "~/domain/two-factor.server";
import { hasPasskey } from "~/domain/passkeys.server";
import { Field } from "~/components/field";
import { PasskeyLogInButton } from "~/components/passkey-parts";
import { FormAlert } from "~/components/form-alert";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { requestOrigin, requirePendingSession, upgradeToFullSession } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { formFailure, invalidForm } from "~/lib/form-response.server";
import { formFields } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import { hitRateLimits, RATE_LIMITS, tooManyRequests } from "~/lib/rate-limit.server";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["twoFactor"] };

export const meta: MetaFunction = (args) => pageTitle(args, "twoFactor.verify.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const current = await requirePendingSession(request, "verify");
  return { email: current.user.email, redirectTo: safeRedirect(new URL(request.url).searchParams.get("redirectTo"), ""), hasPasskey: await hasPasskey(getDb(), current.user.id) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const current = await requirePendingSession(request, "verify");
  const fields = formFields(await request.formData());
  const parsed = secondFactorCodeSchema.safeParse(fields);
  if (!parsed.success) return invalidForm(parsed.error);
  const db = getDb();
  const origin = requestOrigin(request, context);
  const limit = await hitRateLimits(db, [[RATE_LIMITS.codeCheckPerIp, origin.ip]]);
  if (!limit.allowed) return tooManyRequests(limit.retryAfterSeconds);
  const result = await verifySecondFactor(db, current.user.id, parsed.data.code, origin.ip);
  if (!result.ok) {
    if (result.reason === "locked") return tooManyRequests(result.retryAfterSeconds ?? 60);
    return formFailure("errors.invalidForm", 400, { code: `twoFactor.errors.${result.reason}` });
  }
  const cookie = await upgradeToFullSession(current, origin);
  return redirect(safeRedirect(fields.redirectTo, homePathFor(current.user.role)), { headers: { "Set-Cookie": cookie } });
}

export default function SecondFactor() {
  const { email, redirectTo, hasPasskey } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation();
  const busy = useNavigation().state === "submitting";
  return (
    <section className="panel narrow" aria-labelledby="second-factor-title">
      <h1 id="second-factor-title">{t("twoFactor.verify.title")}</h1>
      <p>{t("twoFactor.verify.lead", { email })}</p>
      {hasPasskey ? <PasskeyLogInButton redirectTo={redirectTo} /> : null}
      <FormAlert error={actionData?.fieldErrors.code ? undefined : actionData?.formError} retryAfterSeconds={actionData?.retryAfterSeconds} />
      <Form method="post" noValidate>
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <Field name="code" label={t("twoFactor.verify.codeLabel")} hint={t("twoFactor.verify.hint")} autoComplete="one-time-code" autoCapitalize="off" spellCheck={false} maxLength={40} required autoFocus error={actionData?.fieldErrors.code} />
        <button type="submit" className="button" disabled={busy}>
          {t("twoFactor.verify.submit")}
        </button>
      </Form>
      <Form method="post" action="/logout" className="inline-form">
        <button type="submit" className="link-button">
          {t("twoFactor.cancel")}
        </button>
      </Form>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
