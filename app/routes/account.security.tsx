// Second factor settings: turn the authenticator app on (developers may; operators already have
// it), new recovery codes, for developers turning it off with a current code, and passkeys.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import {
  beginTotpEnrolment,
  confirmTotpEnrolment,
  getSecondFactorStatus,
  regenerateRecoveryCodes,
  removeOwnSecondFactor,
  secondFactorCodeSchema,
  type TwoFactorRefusal,
} from "~/domain/two-factor.server";
import { listPasskeys, removePasskey } from "~/domain/passkeys.server";
import { Field } from "~/components/field";
import { FormAlert, Notice } from "~/components/form-alert";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { PasskeysSection } from "~/components/passkey-parts";
import { RecoveryCodesPanel, TotpEnrolmentForm } from "~/components/two-factor-parts";
import { markSessionAuthenticated, requestOrigin, requireSession } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { formatDate } from "~/lib/i18n";
import { formFields } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import { hitRateLimits, RATE_LIMITS, tooManyRequests } from "~/lib/rate-limit.server";
import { totpIssuer } from "~/lib/two-factor-issuer.server";
import { useRootData } from "~/root";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["twoFactor"] };

export const meta: MetaFunction = (args) => pageTitle(args, "twoFactor.settings.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const current = await requireSession(request);
  const db = getDb();
  const status = await getSecondFactorStatus(db, current.user);
  const wantsSetup = new URL(request.url).searchParams.get("setup") === "1";
  let enrolment = null;
  if (!status.totpEnabled && wantsSetup) {
    const started = await beginTotpEnrolment(db, current.user, totpIssuer());
    if (started.ok) enrolment = { secretForTyping: started.enrolment.secretForTyping, qrSvg: started.enrolment.qrSvg };
  }
  return { status, enrolment, passkeys: await listPasskeys(db, current.user.id) };
}

// Built when used: at module level it would also run in the browser bundle, where the .server
// module's schema is not there (the page then failed to hydrate).
const intentSchema = () =>
  z.discriminatedUnion("intent", [
    z.object({ intent: z.literal("confirm") }).merge(secondFactorCodeSchema),
    z.object({ intent: z.literal("regenerate") }),
    z.object({ intent: z.literal("remove") }).merge(secondFactorCodeSchema),
    z.object({ intent: z.literal("removePasskey"), passkeyId: z.string().min(1).max(100) }),
  ]);

type SecurityOutcome =
  | { ok: true; intent: "confirm" | "regenerate"; recoveryCodes: string[] }
  | { ok: true; intent: "remove" | "removePasskey" }
  | { ok: false; intent: string; fieldErrors: Record<string, string>; formError?: string; retryAfterSeconds?: number };

function refusal(intent: string, failure: TwoFactorRefusal) {
  const status = failure.reason === "locked" ? 429 : 400;
  const headers: HeadersInit = failure.retryAfterSeconds ? { "Retry-After": String(failure.retryAfterSeconds) } : {};
  const outcome: SecurityOutcome =
    failure.reason === "locked"
      ? { ok: false, intent, fieldErrors: {}, formError: "errors.rateLimited", retryAfterSeconds: failure.retryAfterSeconds }
      : { ok: false, intent, fieldErrors: { code: `twoFactor.errors.${failure.reason}` } };
  return data<SecurityOutcome>(outcome, { status, headers });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const current = await requireSession(request);
  const parsed = intentSchema().safeParse(formFields(await request.formData()));
  if (!parsed.success) return data<SecurityOutcome>({ ok: false, intent: "", fieldErrors: { code: "twoFactor.errors.codeRequired" } }, { status: 400 });
  const db = getDb();
  const { ip } = requestOrigin(request, context);
  const limit = await hitRateLimits(db, [[RATE_LIMITS.codeCheckPerIp, ip]]);
  if (!limit.allowed) return tooManyRequests(limit.retryAfterSeconds);
  const form = parsed.data;
  if (form.intent === "removePasskey") {
    const result = await removePasskey(db, current.user, form.passkeyId, ip);
    if (!result.ok) return refusal(form.intent, result);
    return data<SecurityOutcome>({ ok: true, intent: form.intent });
  }
  if (form.intent === "confirm") {
    const result = await confirmTotpEnrolment(db, current.user.id, form.code, ip);
    if (!result.ok) return refusal(form.intent, result);
    await markSessionAuthenticated(current.sessionId);
    return data<SecurityOutcome>({ ok: true, intent: form.intent, recoveryCodes: result.recoveryCodes });
  }
  if (form.intent === "regenerate") {
    const result = await regenerateRecoveryCodes(db, current.user.id, ip);
    if (!result.ok) return refusal(form.intent, result);
    return data<SecurityOutcome>({ ok: true, intent: form.intent, recoveryCodes: result.recoveryCodes });
  }
  const result = await removeOwnSecondFactor(db, current.user, form.code, ip);
  if (!result.ok) return refusal(form.intent, result);
  return data<SecurityOutcome>({ ok: true, intent: "remove" });
}

export default function SecuritySettings() {
  const { status, enrolment, passkeys } = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>() as SecurityOutcome | undefined;
  const { t } = useTranslation();
  const locale = useRootData()?.locale ?? "en";
  const busy = useNavigation().state === "submitting";
  const failure = outcome && !outcome.ok ? outcome : undefined;
  const newCodes = outcome?.ok && "recoveryCodes" in outcome ? outcome.recoveryCodes : null;
  return (
    <section className="panel narrow-left" aria-labelledby="security-title">
      <h1 id="security-title">{t("twoFactor.settings.title")}</h1>
      <p>{status.required ? t("twoFactor.settings.requiredLead") : t("twoFactor.settings.optionalLead")}</p>
      {outcome?.ok && outcome.intent === "remove" ? <Notice>{t("twoFactor.settings.removed")}</Notice> : null}
      <FormAlert error={failure?.formError} retryAfterSeconds={failure?.retryAfterSeconds} />
      {newCodes ? <RecoveryCodesPanel codes={newCodes} /> : null}
      {status.totpEnabled ? (
        <>
          <p data-testid="two-factor-status">
            <span className="badge">{t("twoFactor.settings.on")}</span> {t("twoFactor.settings.onSince", { date: formatDate(status.enabledAt ?? "", locale) })}
          </p>
          <p>{t("twoFactor.settings.codesLeft", { count: status.recoveryCodesLeft })}</p>
          <Form method="post">
            <input type="hidden" name="intent" value="regenerate" />
            <button type="submit" className="button button-secondary" disabled={busy}>
              {t("twoFactor.settings.regenerate")}
            </button>
          </Form>
          {status.required ? null : (
            <Form method="post" noValidate className="stacked-form">
              <h2>{t("twoFactor.settings.removeTitle")}</h2>
              <input type="hidden" name="intent" value="remove" />
              <Field name="code" label={t("twoFactor.verify.codeLabel")} autoComplete="one-time-code" maxLength={40} required error={failure?.intent === "remove" ? failure.fieldErrors.code : undefined} />
              <button type="submit" className="button button-danger" disabled={busy}>
                {t("twoFactor.settings.remove")}
              </button>
            </Form>
          )}
        </>
      ) : enrolment ? (
        <TotpEnrolmentForm enrolment={enrolment} error={failure?.intent === "confirm" ? failure.fieldErrors.code : undefined} />
      ) : (
        <>
          <p data-testid="two-factor-status">
            <span className="badge badge-warning">{t("twoFactor.settings.off")}</span>
          </p>
          <Link to="?setup=1" className="button">
            {t("twoFactor.settings.setUp")}
          </Link>
        </>
      )}
      <PasskeysSection passkeys={passkeys} canAdd={status.totpEnabled} locale={locale} removed={outcome?.ok === true && outcome.intent === "removePasskey"} />
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
