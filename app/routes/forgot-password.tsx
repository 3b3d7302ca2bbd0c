import type { ActionFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { forgotPasswordSchema } from "~/domain/account-schemas.server";
import { requestPasswordReset } from "~/domain/accounts.server";
import { Field } from "~/components/field";
import { FormAlert, Notice } from "~/components/form-alert";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { useRootData } from "~/root";
import { requestOrigin } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { invalidForm } from "~/lib/form-response.server";
import { formFields } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import { hitRateLimits, RATE_LIMITS, tooManyRequests } from "~/lib/rate-limit.server";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["auth"] };

export const meta: MetaFunction = (args) => pageTitle(args, "auth.forgot.title");

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = forgotPasswordSchema.safeParse(formFields(await request.formData()));
  if (!parsed.success) return invalidForm(parsed.error);
  const db = getDb();
  const limit = await hitRateLimits(db, [
    [RATE_LIMITS.emailPerIp, requestOrigin(request, context).ip],
    [RATE_LIMITS.emailPerAddress, parsed.data.email],
  ]);
  if (!limit.allowed) return tooManyRequests(limit.retryAfterSeconds);
  await requestPasswordReset(db, parsed.data.email);
  return data({ ok: true as const });
}

export default function ForgotPassword() {
  const actionData = useActionData<typeof action>();
  const root = useRootData();
  const { t } = useTranslation();
  const busy = useNavigation().state === "submitting";
  const failure = actionData && !actionData.ok ? actionData : undefined;
  return (
    <section className="panel narrow" aria-labelledby="forgot-title">
      <h1 id="forgot-title">{t("auth.forgot.title")}</h1>
      <p>{t("auth.forgot.lead")}</p>
      {actionData?.ok ? (
        <Notice>
          {t("auth.forgot.sent")}
          {root?.devOutbox ? (
            <>
              {" "}
              <Link to="/dev/outbox">/dev/outbox</Link>
            </>
          ) : null}
        </Notice>
      ) : null}
      <FormAlert error={failure?.formError} retryAfterSeconds={failure?.retryAfterSeconds} />
      <Form method="post" noValidate>
        <Field name="email" type="email" label={t("auth.email")} autoComplete="email" required error={failure?.fieldErrors.email} />
        <button type="submit" className="button" disabled={busy}>
          {t("auth.forgot.submit")}
        </button>
      </Form>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
