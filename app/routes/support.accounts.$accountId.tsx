import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { ReasonForm, type ActionOutcome } from "~/components/reason-form";
import { auditAccountView, getAccountStory } from "~/domain/support-account.server";
import { reasonSchema, resendVerificationFor, sendPasswordResetFor, setAccountDisabled, type SupportActionResult } from "~/domain/support-actions.server";
import { requestOrigin, requireRole } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { fieldErrorsOf, formFields } from "~/lib/forms";
import { formatDateTime, formatInteger, type Locale } from "~/lib/i18n";
import { pageTitle } from "~/lib/meta";
import { hasRole } from "~/lib/roles";
import { useRootData } from "~/root";

export const meta: MetaFunction = (args) => pageTitle(args, "support.account.title");

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireRole(request, "support");
  const accountId = params.accountId ?? "";
  const db = getDb();
  const story = await getAccountStory(db, accountId);
  if (!story) throw new Response("Not Found", { status: 404 });
  await auditAccountView(db, { id: user.id, ip: requestOrigin(request, context).ip }, accountId);
  return { story, viewer: { id: user.id, isStaff: hasRole(user.role, "staff") } };
}

const actionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("resend_verification"), reason: reasonSchema }),
  z.object({ intent: z.literal("send_password_reset"), reason: reasonSchema }),
  z.object({ intent: z.literal("disable_account"), reason: reasonSchema }),
  z.object({ intent: z.literal("enable_account"), reason: reasonSchema }),
]);

const FAILURE_STATUS: Record<string, number> = { not_found: 404, forbidden: 403 };

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireRole(request, "support");
  const accountId = params.accountId ?? "";
  const fields = formFields(await request.formData());
  const intent = fields.intent ?? "";
  const target = fields.keyId ?? "";
  const parsed = actionSchema.safeParse(fields);
  if (!parsed.success) {
    return data<ActionOutcome>({ ok: false, intent, target, formError: "errors.invalidForm", fieldErrors: fieldErrorsOf(parsed.error) }, { status: 400 });
  }
  const db = getDb();
  const actor = { id: user.id, role: user.role, ip: requestOrigin(request, context).ip };
  const { reason } = parsed.data;
  let result: SupportActionResult;
  switch (parsed.data.intent) {
    case "resend_verification":
      result = await resendVerificationFor(db, actor, accountId, reason);
      break;
    case "send_password_reset":
      result = await sendPasswordResetFor(db, actor, accountId, reason);
      break;
    case "disable_account":
      result = await setAccountDisabled(db, actor, accountId, true, reason);
      break;
    case "enable_account":
      result = await setAccountDisabled(db, actor, accountId, false, reason);
      break;
  }
  if (!result.ok) {
    return data<ActionOutcome>({ ok: false, intent, target, formError: `support.errors.${result.reason}` }, { status: FAILURE_STATUS[result.reason] ?? 409 });
  }
  return data<ActionOutcome>({ ok: true, intent, target });
}

function When({ iso, locale }: { iso: string | null; locale: Locale }) {
  const { t } = useTranslation();
  return iso ? <time dateTime={iso}>{formatDateTime(iso, locale)}</time> : <span className="muted">{t("support.account.never")}</span>;
}

export default function SupportAccount() {
  const { story, viewer } = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  const { t } = useTranslation();
  const locale = useRootData()?.locale ?? "en";
  const { profile } = story;
  const isSelf = profile.id === viewer.id;
  return (
    <article aria-labelledby="account-title" className="support-account">
      <p>
        <Link to="/support">← {t("support.account.backToSearch")}</Link>
      </p>
      <h1 id="account-title">{profile.email}</h1>
      <p className="muted">
        <code>{profile.id}</code> · {t(`account.roles.${profile.role}`)} ·{" "}
        {profile.disabledAt ? <span className="badge badge-danger">{t("support.status.disabled")}</span> : null}{" "}
        {profile.emailVerifiedAt ? <span className="badge">{t("support.status.verified")}</span> : <span className="badge badge-warning">{t("support.status.unverified")}</span>}
      </p>
      <nav className="section-nav" aria-label={t("support.account.sections")}>
        <a href="#profile">{t("support.account.profile")}</a>
        <a href="#actions">{t("support.account.actions")}</a>
        <a href="#sign-ins">{t("support.account.signIns")}</a>
        <a href="#evidence">{t("support.account.evidence")}</a>
        <a href="#audit">{t("support.account.audit")}</a>
      </nav>

      <section id="profile" className="panel" aria-labelledby="profile-title">
        <h2 id="profile-title">{t("support.account.profile")}</h2>
        <dl className="facts">
          <dt>{t("support.account.email")}</dt>
          <dd>{profile.email}</dd>
          <dt>{t("support.account.role")}</dt>
          <dd>{t(`account.roles.${profile.role}`)}</dd>
          <dt>{t("support.account.language")}</dt>
          <dd>{profile.locale}</dd>
          <dt>{t("support.account.created")}</dt>
          <dd>
            <When iso={profile.createdAt} locale={locale} />
          </dd>
          <dt>{t("support.account.verifiedAt")}</dt>
          <dd>
            <When iso={profile.emailVerifiedAt} locale={locale} />
          </dd>
          <dt>{t("support.account.passwordChanged")}</dt>
          <dd>
            <When iso={profile.passwordChangedAt} locale={locale} />
          </dd>
          <dt>{t("support.account.disabledAt")}</dt>
          <dd>{profile.disabledAt ? <When iso={profile.disabledAt} locale={locale} /> : t("support.account.notDisabled")}</dd>
          <dt>{t("support.account.activeSessions")}</dt>
          <dd>{formatInteger(profile.activeSessions, locale)}</dd>
        </dl>
      </section>

      <section id="actions" className="panel" aria-labelledby="actions-title">
        <h2 id="actions-title">{t("support.account.actions")}</h2>
        <p className="muted">{t("support.actions.lead")}</p>
        <div className="action-grid">
          {!profile.emailVerifiedAt && !profile.disabledAt ? (
            <ReasonForm intent="resend_verification" submitLabel={t("support.actions.resendVerification")} outcome={outcome} />
          ) : null}
          {!profile.disabledAt ? <ReasonForm intent="send_password_reset" submitLabel={t("support.actions.sendPasswordReset")} outcome={outcome} /> : null}
          {viewer.isStaff && !isSelf ? (
            profile.disabledAt ? (
              <ReasonForm intent="enable_account" submitLabel={t("support.actions.enableAccount")} outcome={outcome} />
            ) : (
              <ReasonForm intent="disable_account" submitLabel={t("support.actions.disableAccount")} danger outcome={outcome} />
            )
          ) : null}
        </div>
      </section>

      <section id="sign-ins" aria-labelledby="sign-ins-title">
        <h2 id="sign-ins-title">{t("support.account.signIns")}</h2>
        {story.signIns.length === 0 ? (
          <p className="muted">{t("support.account.none")}</p>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t("support.account.when")}</th>
                <th scope="col">{t("support.account.outcome")}</th>
                <th scope="col">{t("support.account.ip")}</th>
                <th scope="col">{t("support.account.userAgent")}</th>
              </tr>
            </thead>
            <tbody>
              {story.signIns.map((event) => (
                <tr key={event.id}>
                  <td>
                    <When iso={event.createdAt} locale={locale} />
                  </td>
                  <td>{t(`support.signInOutcome.${event.outcome}`, { defaultValue: event.outcome })}</td>
                  <td>{event.ip ?? "—"}</td>
                  <td className="muted small">{event.userAgent ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section id="evidence" aria-labelledby="evidence-title">
        <h2 id="evidence-title">{t("support.account.evidence")}</h2>
        {story.evidence.length === 0 ? (
          <p className="muted">{t("support.account.none")}</p>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t("support.account.evidenceId")}</th>
                <th scope="col">{t("support.account.status")}</th>
                <th scope="col">{t("support.account.orgId")}</th>
                <th scope="col">{t("support.account.period")}</th>
                <th scope="col" className="number">
                  {t("support.account.tokens")}
                </th>
                <th scope="col">{t("support.account.findings")}</th>
              </tr>
            </thead>
            <tbody>
              {story.evidence.map((item) => (
                <tr key={item.id}>
                  <td>
                    <code>{item.id}</code>
                    <div className="muted small">
                      {item.kind} · <When iso={item.createdAt} locale={locale} />
                    </div>
                  </td>
                  <td>
                    <span className={item.status === "accepted" ? "badge badge-success" : "badge badge-danger"}>{t(`support.evidenceStatus.${item.status}`)}</span>
                  </td>
                  <td>{item.orgId ? <code>{item.orgId}</code> : "—"}</td>
                  <td>{item.periodStart && item.periodEnd ? `${item.periodStart} → ${item.periodEnd}` : "—"}</td>
                  <td className="number">{formatInteger(item.inputTokens + item.outputTokens, locale)}</td>
                  <td>
                    <ul className="plain-list">
                      {item.reasons.map((finding) => (
                        <li key={`r-${finding.code}`}>
                          <span className="badge badge-danger">{t("support.account.reason")}</span> <code>{finding.code}</code> ×{finding.count}
                        </li>
                      ))}
                      {item.flags.map((finding) => (
                        <li key={`f-${finding.code}`}>
                          <span className="badge badge-warning">{t("support.account.flag")}</span> <code>{finding.code}</code> ×{finding.count}
                        </li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section id="audit" aria-labelledby="audit-title">
        <h2 id="audit-title">{t("support.account.audit")}</h2>
        {story.auditTrail.length === 0 ? (
          <p className="muted">{t("support.account.none")}</p>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t("support.account.when")}</th>
                <th scope="col">{t("support.account.actor")}</th>
                <th scope="col">{t("support.account.action")}</th>
                <th scope="col">{t("support.account.details")}</th>
              </tr>
            </thead>
            <tbody>
              {story.auditTrail.map((entry) => (
                <tr key={entry.id}>
                  <td>
                    <When iso={entry.createdAt} locale={locale} />
                  </td>
                  <td>{entry.actorEmail ?? entry.actorId ?? "—"}</td>
                  <td>
                    <code>{entry.action}</code>
                  </td>
                  <td className="muted small details-cell">{entry.details === "{}" ? "" : entry.details}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </article>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
