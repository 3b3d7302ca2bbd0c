import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { signUpSchema } from "~/domain/account-schemas.server";
import { signUp } from "~/domain/accounts.server";
import { parseReferralCode } from "~/domain/referrals.server";
import { FormAlert } from "~/components/form-alert";
import { Field } from "~/components/field";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { requestOrigin, requireAnonymous } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { formFailure, invalidForm } from "~/lib/form-response.server";
import { formFields } from "~/lib/forms";
import { resolveLocale } from "~/lib/locale.server";
import { pageTitle } from "~/lib/meta";
import { hitRateLimits, RATE_LIMITS, tooManyRequests } from "~/lib/rate-limit.server";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["auth"] };

export const meta: MetaFunction = (args) => pageTitle(args, "auth.signUp.title");

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAnonymous(request);
  // An invitation link (/signup?ref=…) is carried through the form; anything else is dropped.
  return { referralCode: parseReferralCode(new URL(request.url).searchParams.get("ref")) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  await requireAnonymous(request);
  const fields = formFields(await request.formData());
  const parsed = signUpSchema.safeParse(fields);
  if (!parsed.success) return invalidForm(parsed.error);
  const db = getDb();
  const limit = await hitRateLimits(db, [
    [RATE_LIMITS.emailPerIp, requestOrigin(request, context).ip],
    [RATE_LIMITS.emailPerAddress, parsed.data.email],
  ]);
  if (!limit.allowed) return tooManyRequests(limit.retryAfterSeconds);
  const locale = await resolveLocale(request);
  const result = await signUp(db, { ...parsed.data, locale, referralCode: parseReferralCode(fields.ref) });
  if (!result.ok) return formFailure("errors.invalidForm", 400, { password: result.passwordIssue ?? `errors.${result.reason}` });
  return redirect(`/verify?${new URLSearchParams({ email: parsed.data.email })}`);
}

export default function SignUp() {
  const actionData = useActionData<typeof action>();
  const { referralCode } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const busy = useNavigation().state === "submitting";
  const fieldErrors = actionData && !actionData.ok ? actionData.fieldErrors : {};
  return (
    <section className="panel narrow" aria-labelledby="signup-title">
      <h1 id="signup-title">{t("auth.signUp.title")}</h1>
      <p>{t("auth.signUp.lead")}</p>
      <FormAlert error={actionData?.formError} retryAfterSeconds={actionData?.retryAfterSeconds} />
      {referralCode ? <p className="muted">{t("auth.signUp.invited")}</p> : null}
      <Form method="post" noValidate>
        {referralCode ? <input type="hidden" name="ref" value={referralCode} /> : null}
        <Field name="email" type="email" label={t("auth.email")} autoComplete="email" required error={fieldErrors.email} />
        <Field
          name="password"
          type="password"
          label={t("auth.password")}
          autoComplete="new-password"
          required
          minLength={12}
          maxLength={128}
          hint={t("auth.passwordHint")}
          error={fieldErrors.password}
        />
        <button type="submit" className="button" disabled={busy}>
          {t("auth.signUp.submit")}
        </button>
      </Form>
      <p className="muted">
        {t("auth.signUp.haveAccount")} <Link to="/login">{t("common.nav.logIn")}</Link>
      </p>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
