import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { logInSchema } from "~/domain/account-schemas.server";
import { authenticate } from "~/domain/accounts.server";
import { Field } from "~/components/field";
import { FormAlert, Notice } from "~/components/form-alert";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { secondFactorAtLogIn } from "~/domain/two-factor.server";
import { endSession, requestOrigin, requireAnonymous, secondFactorPath, startSession } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { formFailure, invalidForm } from "~/lib/form-response.server";
import { formFields } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import { homePathFor } from "~/lib/roles";
import { safeRedirect } from "~/lib/safe-redirect";
import { hitRateLimits, RATE_LIMITS, tooManyRequests } from "~/lib/rate-limit.server";
import type { RouteHandle } from "~/locales/namespaces";

// A form that works as plain HTML: the first page most visitors see loads no JavaScript at all.
export const handle: RouteHandle = { i18n: ["auth"], hydrate: false };

export const meta: MetaFunction = (args) => pageTitle(args, "auth.logIn.title");

const NOTICES = { reset: "auth.logIn.passwordReset", "logged-out": "auth.logIn.loggedOut" } as const;

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAnonymous(request);
  const url = new URL(request.url);
  const notice = url.searchParams.get("notice");
  return {
    // Empty unless the user was sent here from a page: then each role lands on its own home.
    redirectTo: safeRedirect(url.searchParams.get("redirectTo"), ""),
    notice: notice && notice in NOTICES ? NOTICES[notice as keyof typeof NOTICES] : null,
  };
}

/** The page is plain HTML (no script keeps the form as typed): a refused attempt shows the address again. */
function keepingEmail<T extends object>(failure: { data: T; init: ResponseInit | null }, email: string | undefined) {
  return data({ ...failure.data, email: (email ?? "").slice(0, 320) }, failure.init ?? undefined);
}

export async function action({ request, context }: ActionFunctionArgs) {
  const fields = formFields(await request.formData());
  const parsed = logInSchema.safeParse(fields);
  if (!parsed.success) return keepingEmail(invalidForm(parsed.error), fields.email);
  const db = getDb();
  const origin = requestOrigin(request, context);
  const limit = await hitRateLimits(db, [[RATE_LIMITS.loginPerIp, origin.ip]]);
  if (!limit.allowed) return keepingEmail(tooManyRequests(limit.retryAfterSeconds), fields.email);
  const result = await authenticate(db, parsed.data, origin);
  if (!result.ok && result.reason === "throttled") return keepingEmail(tooManyRequests(result.retryAfterSeconds ?? 1), fields.email);
  if (!result.ok) return keepingEmail(formFailure(`errors.${result.reason}`, result.reason === "account_disabled" ? 403 : 400), fields.email);
  // Any session the browser came with is ended; the new one gets a new id.
  const blank = await endSession(request);
  const secondFactor = await secondFactorAtLogIn(db, result.user);
  const cookie = await startSession(result.user.id, origin, secondFactor);
  const headers = new Headers();
  headers.append("Set-Cookie", blank);
  headers.append("Set-Cookie", cookie);
  const asked = safeRedirect(parsed.data.redirectTo, "");
  const next = secondFactor === "enrol" || secondFactor === "verify" ? secondFactorPath(secondFactor, asked) : asked || homePathFor(result.user.role);
  return redirect(next, { headers });
}

export default function LogIn() {
  const { redirectTo, notice } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation();
  const busy = useNavigation().state === "submitting";
  const fieldErrors = actionData?.fieldErrors ?? {};
  return (
    <section className="panel narrow" aria-labelledby="login-title">
      <h1 id="login-title">{t("auth.logIn.title")}</h1>
      {notice ? <Notice>{t(notice)}</Notice> : null}
      <FormAlert error={actionData?.formError} retryAfterSeconds={actionData?.retryAfterSeconds} />
      <Form method="post" noValidate>
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <Field name="email" type="email" label={t("auth.email")} autoComplete="email" required error={fieldErrors.email} defaultValue={actionData?.email} />
        <Field name="password" type="password" label={t("auth.password")} autoComplete="current-password" required error={fieldErrors.password} />
        <button type="submit" className="button" disabled={busy}>
          {t("auth.logIn.submit")}
        </button>
      </Form>
      <p className="muted">
        <Link to="/forgot-password">{t("auth.logIn.forgot")}</Link>
      </p>
      <p className="muted">
        {t("auth.logIn.noAccount")} <Link to="/signup">{t("common.nav.signUp")}</Link>
      </p>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
