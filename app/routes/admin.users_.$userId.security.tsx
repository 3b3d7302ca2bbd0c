// An account's second factor and sessions, for an admin: reset the factor (a lost phone) or end
// every session (a stolen laptop). Both need a reason and are audited.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { endAllSessionsOf, listAccountSessions } from "~/domain/account-sessions.server";
import { findUserById } from "~/domain/accounts.server";
import { reasonSchema } from "~/domain/support-actions.server";
import { getSecondFactorStatus, resetSecondFactor } from "~/domain/two-factor.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { ReasonForm, type ActionOutcome } from "~/components/reason-form";
import { SessionTable } from "~/components/session-table";
import { requestOrigin, requireRole } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { fieldErrorsOf, formFields } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import { useRootData } from "~/root";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["account", "sessions", "support", "twoFactor"] };

export const meta: MetaFunction = (args) => pageTitle(args, "twoFactor.admin.title");

async function loadAccount(userId: string | undefined) {
  const user = userId ? await findUserById(getDb(), userId) : undefined;
  if (!user) throw new Response("Not found", { status: 404 });
  return user;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireRole(request, "admin");
  const user = await loadAccount(params.userId);
  const db = getDb();
  return {
    account: { id: user.id, email: user.email, role: user.role },
    status: await getSecondFactorStatus(db, user),
    sessions: await listAccountSessions(db, user.id, null),
  };
}

const intentSchema = z.object({ intent: z.enum(["reset_second_factor", "end_sessions"]), reason: reasonSchema });

export async function action({ request, params, context }: ActionFunctionArgs) {
  const admin = await requireRole(request, "admin");
  const user = await loadAccount(params.userId);
  const fields = formFields(await request.formData());
  const parsed = intentSchema.safeParse(fields);
  if (!parsed.success) {
    return data<ActionOutcome>({ ok: false, intent: fields.intent ?? "", fieldErrors: fieldErrorsOf(parsed.error), formError: "errors.invalidForm" }, { status: 400 });
  }
  const actor = { id: admin.id, ip: requestOrigin(request, context).ip };
  const db = getDb();
  const result =
    parsed.data.intent === "reset_second_factor"
      ? await resetSecondFactor(db, actor, user.id, parsed.data.reason)
      : await endAllSessionsOf(db, actor, user.id, parsed.data.reason);
  if (!result.ok) return data<ActionOutcome>({ ok: false, intent: parsed.data.intent, formError: "admin.errors.not_found" }, { status: 404 });
  return data<ActionOutcome>({ ok: true, intent: parsed.data.intent });
}

export default function AccountSecurity() {
  const { account, status, sessions } = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  const { t } = useTranslation();
  const locale = useRootData()?.locale ?? "en";
  return (
    <section aria-labelledby="account-security-title">
      <p>
        <Link to="/admin/users">← {t("admin.users.title")}</Link>
      </p>
      <h1 id="account-security-title">{t("twoFactor.admin.title")}</h1>
      <p>
        <Link to={`/support/accounts/${account.id}`}>{account.email}</Link> · {t(`account.roles.${account.role}`)}
      </p>
      <div className="panel">
        <h2>{t("twoFactor.admin.factorTitle")}</h2>
        <p data-testid="two-factor-status">
          {status.totpEnabled ? (
            <span className="badge">{t("twoFactor.settings.on")}</span>
          ) : (
            <span className="badge badge-warning">{t("twoFactor.settings.off")}</span>
          )}{" "}
          {status.totpEnabled ? t("twoFactor.settings.codesLeft", { count: status.recoveryCodesLeft }) : null}
        </p>
        <p className="muted">{t("twoFactor.admin.resetLead")}</p>
        <ReasonForm intent="reset_second_factor" submitLabel={t("twoFactor.admin.reset")} danger outcome={outcome} />
      </div>
      <div className="panel">
        <h2>{t("sessions.title")}</h2>
        {sessions.length === 0 ? <p className="muted">{t("sessions.none")}</p> : <SessionTable sessions={sessions} locale={locale} />}
        <ReasonForm intent="end_sessions" submitLabel={t("twoFactor.admin.endSessions")} danger outcome={outcome} />
      </div>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
