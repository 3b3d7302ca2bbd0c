import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { emailField, verifySchema } from "~/domain/account-schemas.server";
import { findUserById, resendVerificationCode, verifyEmail } from "~/domain/accounts.server";
import { Field } from "~/components/field";
import { FormAlert, Notice } from "~/components/form-alert";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { useRootData } from "~/root";
import { getOptionalUser, requestOrigin, secondFactorPath, startSession } from "~/lib/auth.server";
import { secondFactorAtLogIn } from "~/domain/two-factor.server";
import { getDb } from "~/lib/db.server";
import { formFailure, invalidForm } from "~/lib/form-response.server";
import { formFields } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import { hitRateLimits, RATE_LIMITS, tooManyRequests } from "~/lib/rate-limit.server";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["auth"] };

export const meta: MetaFunction = (args) => pageTitle(args, "auth.verify.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const fromQuery = emailField.safeParse(new URL(request.url).searchParams.get("email") ?? "");
  const user = await getOptionalUser(request);
  if (user?.emailVerified) throw redirect("/account");
  return { email: fromQuery.success ? fromQuery.data : user?.email ?? "" };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const fields = formFields(await request.formData());
  const db = getDb();
  const ip = requestOrigin(request, context).ip;

  if (fields.intent === "resend") {
    const email = emailField.safeParse(fields.email ?? "");
    if (!email.success) return formFailure("errors.invalidForm", 400, { email: email.error.issues[0]?.message ?? "errors.emailInvalid" });
    const limit = await hitRateLimits(db, [
      [RATE_LIMITS.emailPerIp, ip],
      [RATE_LIMITS.emailPerAddress, email.data],
    ]);
    if (!limit.allowed) return tooManyRequests(limit.retryAfterSeconds);
    await resendVerificationCode(db, email.data);
    return data({ ok: true as const, resent: true });
  }

  const parsed = verifySchema.safeParse(fields);
  if (!parsed.success) return invalidForm(parsed.error);
  const limit = await hitRateLimits(db, [[RATE_LIMITS.codeCheckPerIp, ip]]);
  if (!limit.allowed) return tooManyRequests(limit.retryAfterSeconds);
  const result = await verifyEmail(db, parsed.data);
  if (!result.ok) return formFailure("errors.invalidForm", 400, { code: `errors.${result.reason}` });
  // A fresh session: whatever session id the browser held before is not reused.
  const user = await findUserById(db, result.userId);
  const secondFactor = user ? await secondFactorAtLogIn(db, user) : "none";
  const cookie = await startSession(result.userId, requestOrigin(request, context), secondFactor);
  const next = secondFactor === "enrol" || secondFactor === "verify" ? secondFactorPath(secondFactor) : "/account";
  return redirect(next, { headers: { "Set-Cookie": cookie } });
}

export default function Verify() {
  const { email } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const root = useRootData();
  const { t } = useTranslation();
  const busy = useNavigation().state === "submitting";
  const failure = actionData && !actionData.ok ? actionData : undefined;
  const fieldErrors = failure?.fieldErrors ?? {};
  return (
    <section className="panel narrow" aria-labelledby="verify-title">
      <h1 id="verify-title">{t("auth.verify.title")}</h1>
      <p>{email ? t("auth.verify.lead", { email }) : t("auth.verify.leadNoEmail")}</p>
      {root?.devOutbox ? (
        <p className="muted">
          {t("auth.verify.devOutbox")} <Link to="/dev/outbox">/dev/outbox</Link>
        </p>
      ) : null}
      {actionData?.ok && "resent" in actionData ? <Notice>{t("auth.verify.resent")}</Notice> : null}
      <FormAlert error={failure?.formError} retryAfterSeconds={failure?.retryAfterSeconds} />
      <Form method="post" noValidate>
        <Field name="email" type="email" label={t("auth.email")} autoComplete="email" defaultValue={email} required error={fieldErrors.email} />
        <Field
          name="code"
          label={t("auth.verify.code")}
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]{6}"
          maxLength={6}
          required
          error={fieldErrors.code}
        />
        <div className="form-actions">
          <button type="submit" name="intent" value="verify" className="button" disabled={busy}>
            {t("auth.verify.submit")}
          </button>
          <button type="submit" name="intent" value="resend" className="button button-secondary" disabled={busy} formNoValidate>
            {t("auth.verify.resend")}
          </button>
        </div>
      </Form>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
