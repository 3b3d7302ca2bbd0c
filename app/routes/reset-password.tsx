import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { resetPasswordSchema } from "~/domain/account-schemas.server";
import { isResetTokenLive, resetPassword } from "~/domain/accounts.server";
import { revokeAllApiKeys } from "~/domain/api-keys.server";
import { Field } from "~/components/field";
import { FormAlert } from "~/components/form-alert";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { endSession, requestOrigin } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { formFailure, invalidForm } from "~/lib/form-response.server";
import { formFields } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import { hitRateLimits, RATE_LIMITS, tooManyRequests } from "~/lib/rate-limit.server";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["auth"] };

export const meta: MetaFunction = (args) => pageTitle(args, "auth.reset.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const token = new URL(request.url).searchParams.get("token") ?? "";
  const live = token.length >= 20 && token.length <= 200 && (await isResetTokenLive(getDb(), token));
  return { token: live ? token : null };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const db = getDb();
  const limit = await hitRateLimits(db, [[RATE_LIMITS.codeCheckPerIp, requestOrigin(request, context).ip]]);
  if (!limit.allowed) return tooManyRequests(limit.retryAfterSeconds);
  const parsed = resetPasswordSchema.safeParse(formFields(await request.formData()));
  if (!parsed.success) return invalidForm(parsed.error);
  const result = await resetPassword(db, parsed.data);
  if (!result.ok) {
    if (result.passwordIssue) return formFailure("errors.invalidForm", 400, { password: result.passwordIssue });
    return formFailure(`errors.${result.reason}`, 400);
  }
  if (parsed.data.revokeKeys) await revokeAllApiKeys(db, { accountId: result.userId, ip: requestOrigin(request, context).ip, reason: "password_reset" });
  return redirect("/login?notice=reset", { headers: { "Set-Cookie": await endSession(request) } });
}

export default function ResetPassword() {
  const { token } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation();
  const busy = useNavigation().state === "submitting";
  if (!token) {
    return (
      <section className="panel narrow" aria-labelledby="reset-title">
        <h1 id="reset-title">{t("auth.reset.invalidTitle")}</h1>
        <p>{t("auth.reset.invalidBody")}</p>
        <Link to="/forgot-password" className="button">
          {t("auth.reset.requestNew")}
        </Link>
      </section>
    );
  }
  const fieldErrors = actionData?.fieldErrors ?? {};
  return (
    <section className="panel narrow" aria-labelledby="reset-title">
      <h1 id="reset-title">{t("auth.reset.title")}</h1>
      <FormAlert error={actionData?.formError} retryAfterSeconds={actionData?.retryAfterSeconds} />
      <Form method="post" noValidate>
        <input type="hidden" name="token" value={token} />
        <Field name="password" type="password" label={t("auth.newPassword")} autoComplete="new-password" hint={t("auth.passwordHint")} required error={fieldErrors.password} />
        <Field name="confirm" type="password" label={t("auth.confirmPassword")} autoComplete="new-password" required error={fieldErrors.confirm} />
        <div className="field field-checkbox">
          <label>
            <input type="checkbox" name="revokeKeys" value="on" /> {t("auth.reset.revokeKeys")}
          </label>
          <p className="field-hint">{t("auth.reset.revokeKeysHint")}</p>
        </div>
        <button type="submit" className="button" disabled={busy}>
          {t("auth.reset.submit")}
        </button>
      </Form>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
