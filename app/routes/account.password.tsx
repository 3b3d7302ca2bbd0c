import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { changePasswordSchema } from "~/domain/account-schemas.server";
import { changePassword } from "~/domain/accounts.server";
import { Field } from "~/components/field";
import { FormAlert, Notice } from "~/components/form-alert";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { endOtherSessions, markSessionAuthenticated, requireSession, requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { formFailure, invalidForm } from "~/lib/form-response.server";
import { formFields } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import { hitRateLimits, RATE_LIMITS, tooManyRequests } from "~/lib/rate-limit.server";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["auth"] };

export const meta: MetaFunction = (args) => pageTitle(args, "auth.change.title");

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  return null;
}

export async function action({ request }: ActionFunctionArgs) {
  const current = await requireSession(request);
  const parsed = changePasswordSchema.safeParse(formFields(await request.formData()));
  if (!parsed.success) return invalidForm(parsed.error);
  const db = getDb();
  const limit = await hitRateLimits(db, [[RATE_LIMITS.passwordChangePerAccount, current.user.id]]);
  if (!limit.allowed) return tooManyRequests(limit.retryAfterSeconds);
  const result = await changePassword(db, { userId: current.user.id, ...parsed.data });
  if (!result.ok) {
    const field = result.reason === "wrong_password" ? "currentPassword" : "password";
    return formFailure("errors.invalidForm", 400, { [field]: result.passwordIssue ?? `errors.${result.reason}` });
  }
  await endOtherSessions(current.user.id, current.sessionId);
  await markSessionAuthenticated(current.sessionId);
  return data({ ok: true as const });
}

export default function ChangePassword() {
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation();
  const busy = useNavigation().state === "submitting";
  const failure = actionData && !actionData.ok ? actionData : undefined;
  return (
    <section className="panel narrow-left" aria-labelledby="change-title">
      <h1 id="change-title">{t("auth.change.title")}</h1>
      <p>{t("auth.change.lead")}</p>
      {actionData?.ok ? <Notice>{t("auth.change.done")}</Notice> : null}
      <FormAlert error={failure?.formError} retryAfterSeconds={failure?.retryAfterSeconds} />
      <Form method="post" noValidate key={actionData?.ok ? "done" : "form"}>
        <Field name="currentPassword" type="password" label={t("auth.currentPassword")} autoComplete="current-password" required error={failure?.fieldErrors.currentPassword} />
        <Field name="password" type="password" label={t("auth.newPassword")} autoComplete="new-password" hint={t("auth.passwordHint")} required error={failure?.fieldErrors.password} />
        <Field name="confirm" type="password" label={t("auth.confirmPassword")} autoComplete="new-password" required error={failure?.fieldErrors.confirm} />
        <button type="submit" className="button" disabled={busy}>
          {t("auth.change.submit")}
        </button>
      </Form>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
