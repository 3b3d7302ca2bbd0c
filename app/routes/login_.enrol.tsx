// Forced enrolment: an operator who logged in without a second factor sets one up here and can
// reach nothing else until it is done.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, type ShouldRevalidateFunction } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { homePathFor } from "~/lib/roles";
import { safeRedirect } from "~/lib/safe-redirect";
import { beginTotpEnrolment, confirmTotpEnrolment, secondFactorCodeSchema } from "~/domain/two-factor.server";
import { FormAlert } from "~/components/form-alert";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { RecoveryCodesPanel, TotpEnrolmentForm } from "~/components/two-factor-parts";
import { endSession, requestOrigin, requirePendingSession, upgradeToFullSession } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { formFailure, invalidForm } from "~/lib/form-response.server";
import { formFields } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import { hitRateLimits, RATE_LIMITS, tooManyRequests } from "~/lib/rate-limit.server";
import { totpIssuer } from "~/lib/two-factor-issuer.server";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["twoFactor"] };

export const meta: MetaFunction = (args) => pageTitle(args, "twoFactor.enrol.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const current = await requirePendingSession(request, "enrol");
  const started = await beginTotpEnrolment(getDb(), current.user, totpIssuer());
  // Enrolled meanwhile from another browser: this log-in starts over and will ask for a code.
  if (!started.ok) throw redirect("/login", { headers: { "Set-Cookie": await endSession(request) } });
  const { secretForTyping, qrSvg } = started.enrolment;
  return { email: current.user.email, enrolment: { secretForTyping, qrSvg }, redirectTo: safeRedirect(new URL(request.url).searchParams.get("redirectTo"), "") };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const current = await requirePendingSession(request, "enrol");
  const fields = formFields(await request.formData());
  const parsed = secondFactorCodeSchema.safeParse(fields);
  if (!parsed.success) return invalidForm(parsed.error);
  const db = getDb();
  const origin = requestOrigin(request, context);
  const limit = await hitRateLimits(db, [[RATE_LIMITS.codeCheckPerIp, origin.ip]]);
  if (!limit.allowed) return tooManyRequests(limit.retryAfterSeconds);
  const result = await confirmTotpEnrolment(db, current.user.id, parsed.data.code, origin.ip);
  if (!result.ok) {
    if (result.reason === "locked") return tooManyRequests(result.retryAfterSeconds ?? 60);
    return formFailure("errors.invalidForm", 400, { code: `twoFactor.errors.${result.reason}` });
  }
  const cookie = await upgradeToFullSession(current, origin);
  return data(
    { ok: true as const, recoveryCodes: result.recoveryCodes, next: safeRedirect(fields.redirectTo, homePathFor(current.user.role)) },
    { headers: { "Set-Cookie": cookie } },
  );
}

// Once enrolled the session is full and this page's loader would send it away: the recovery
// codes (shown only now) must stay on screen until the user moves on.
export const shouldRevalidate: ShouldRevalidateFunction = ({ actionResult, defaultShouldRevalidate }) =>
  actionResult?.ok ? false : defaultShouldRevalidate;

export default function EnrolSecondFactor() {
  const { email, enrolment, redirectTo } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation();
  if (actionData?.ok) {
    return (
      <section className="panel narrow" aria-labelledby="enrol-title">
        <h1 id="enrol-title">{t("twoFactor.enrol.doneTitle")}</h1>
        <RecoveryCodesPanel codes={actionData.recoveryCodes}>
          <Link to={actionData.next} className="button" reloadDocument>
            {t("twoFactor.enrol.continue")}
          </Link>
        </RecoveryCodesPanel>
      </section>
    );
  }
  return (
    <section className="panel narrow" aria-labelledby="enrol-title">
      <h1 id="enrol-title">{t("twoFactor.enrol.title")}</h1>
      <p>{t("twoFactor.enrol.requiredLead", { email })}</p>
      <FormAlert error={actionData?.fieldErrors.code ? undefined : actionData?.formError} retryAfterSeconds={actionData?.retryAfterSeconds} />
      <TotpEnrolmentForm enrolment={enrolment} error={actionData?.fieldErrors.code} hidden={{ redirectTo }} />
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
