import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { AccountEvidenceTable, toAccountEvidenceRow } from "~/components/account-evidence-table";
import { AuditDetails } from "~/components/audit-details";
import { Notice } from "~/components/form-alert";
import { CreditAdjustmentPanel } from "~/components/credit-adjustment-panel";
import { ReasonForm, type ActionOutcome } from "~/components/reason-form";
import { latestPromoExpiryDay, listPendingAdjustments } from "~/domain/credit-adjustments.server";
import { getGrantPolicy } from "~/domain/grant-policy.server";
import { auditAccountView, getAccountStory } from "~/domain/support-account.server";
import {
  adjustCredit,
  adjustmentSchema,
  reasonSchema,
  resendVerificationFor,
  revokeKeyFor,
  sendPasswordResetFor,
  setAccountDisabled,
  type SupportActionResult,
} from "~/domain/support-actions.server";
import { newId } from "~/lib/ids.server";
import { requestOrigin, requireRole } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { fieldErrorsOf, formFields } from "~/lib/forms";
import { formatDateTime, formatInteger, type Locale } from "~/lib/i18n";
import { pageTitle } from "~/lib/meta";
import { formatMoney } from "~/lib/money";
import { hasRole } from "~/lib/roles";
import { useRootData } from "~/root";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["account", "claims", "evidence", "review", "support"] };

export const meta: MetaFunction = (args) => pageTitle(args, "support.account.title");

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireRole(request, "support");
  const accountId = params.accountId ?? "";
  const db = getDb();
  const story = await getAccountStory(db, accountId);
  if (!story) throw new Response("Not Found", { status: 404 });
  await auditAccountView(db, { id: user.id, ip: requestOrigin(request, context).ip }, accountId);
  const isStaff = hasRole(user.role, "staff");
  // Who may disable whom mirrors setAccountDisabled: staff act on developers and support agents only.
  const canDisable = isStaff && story.profile.id !== user.id && (user.role === "admin" || !hasRole(story.profile.role, "staff"));
  const policy = await getGrantPolicy(db);
  const adjustments = {
    id: accountId !== user.id ? newId("adj") : null,
    limits: { capTokens: policy.capTokens, autoApproveLimitTokens: policy.autoApproveLimitTokens, latestPromoExpiryDay: latestPromoExpiryDay(policy, new Date()) },
    pending: await listPendingAdjustments(db, { accountId }),
  };
  return { story, viewer: { id: user.id, isStaff, canDisable }, adjustments };
}

const actionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("resend_verification"), reason: reasonSchema }),
  z.object({ intent: z.literal("send_password_reset"), reason: reasonSchema }),
  z.object({ intent: z.literal("disable_account"), reason: reasonSchema }),
  z.object({ intent: z.literal("enable_account"), reason: reasonSchema }),
  z.object({ intent: z.literal("revoke_key"), keyId: z.string().trim().min(1).max(64), reason: reasonSchema }),
  z.object({ intent: z.literal("adjust_credit") }).passthrough(),
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
  let result: SupportActionResult;
  switch (parsed.data.intent) {
    case "revoke_key":
      result = await revokeKeyFor(db, actor, accountId, parsed.data.keyId, parsed.data.reason);
      break;
    case "adjust_credit": {
      const adjustment = adjustmentSchema.safeParse(fields);
      if (!adjustment.success) {
        return data<ActionOutcome>({ ok: false, intent, target, formError: "errors.invalidForm", fieldErrors: fieldErrorsOf(adjustment.error) }, { status: 400 });
      }
      result = await adjustCredit(db, actor, accountId, adjustment.data);
      break;
    }
    case "resend_verification":
      result = await resendVerificationFor(db, actor, accountId, parsed.data.reason);
      break;
    case "send_password_reset":
      result = await sendPasswordResetFor(db, actor, accountId, parsed.data.reason);
      break;
    case "disable_account":
      result = await setAccountDisabled(db, actor, accountId, true, parsed.data.reason);
      break;
    case "enable_account":
      result = await setAccountDisabled(db, actor, accountId, false, parsed.data.reason);
      break;
  }
  if (!result.ok) {
    return data<ActionOutcome>({ ok: false, intent, target, formError: `support.errors.${result.reason}` }, { status: FAILURE_STATUS[result.reason] ?? 409 });
  }
  return data<ActionOutcome>({ ok: true, intent, target, pending: result.pending });
}

const CLAIM_BADGE: Record<string, string> = { approved: "badge-success", auto_approved: "badge-success", rejected: "badge-danger", pending: "badge-warning", needs_info: "badge-warning" };
const PURCHASE_BADGE: Record<string, string> = { paid: "badge-success", refunded: "badge-danger", failed: "badge-danger", pending: "badge-warning", expired: "" };

function When({ iso, locale }: { iso: string | null; locale: Locale }) {
  const { t } = useTranslation();
  return iso ? <time dateTime={iso}>{formatDateTime(iso, locale)}</time> : <span className="muted">{t("support.account.never")}</span>;
}

/** One part of the account's story: a heading, then its table or "Nothing yet.". */
function StorySection({ id, title, empty, children }: { id: string; title: string; empty: boolean; children: React.ReactNode }) {
  const { t } = useTranslation();
  return (
    <section id={id} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {empty ? <p className="muted">{t("support.account.none")}</p> : children}
    </section>
  );
}

export default function SupportAccount() {
  const { story, viewer, adjustments } = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  const { t } = useTranslation();
  const locale = useRootData()?.locale ?? "en";
  const { profile } = story;
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
      {outcome?.ok ? <Notice>{t(outcome.pending ? "support.done.adjust_credit_pending" : `support.done.${outcome.intent}`)}</Notice> : null}
      <nav className="section-nav" aria-label={t("support.account.sections")}>
        <a href="#profile">{t("support.account.profile")}</a>
        <a href="#actions">{t("support.account.actions")}</a>
        <a href="#sign-ins">{t("support.account.signIns")}</a>
        <a href="#evidence">{t("support.account.evidence")}</a>
        <a href="#claims">{t("support.account.claims")}</a>
        <a href="#ledger">{t("support.account.ledger")}</a>
        <a href="#keys">{t("support.account.keys")}</a>
        <a href="#purchases">{t("support.account.purchases")}</a>
        <a href="#audit">{t("support.account.audit")}</a>
      </nav>

      <section id="profile" className="panel" aria-labelledby="profile-title">
        <h2 id="profile-title">{t("support.account.profile")}</h2>
        <dl className="profile-facts">
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
          {viewer.canDisable ? (
            profile.disabledAt ? (
              <ReasonForm intent="enable_account" submitLabel={t("support.actions.enableAccount")} outcome={outcome} />
            ) : (
              <ReasonForm intent="disable_account" submitLabel={t("support.actions.disableAccount")} danger outcome={outcome} />
            )
          ) : null}
        </div>
      </section>

      <StorySection id="sign-ins" title={t("support.account.signIns")} empty={story.signIns.length === 0}>
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
      </StorySection>

      <StorySection id="evidence" title={t("support.account.evidence")} empty={story.evidence.length === 0}>
        <AccountEvidenceTable evidence={story.evidence.map(toAccountEvidenceRow)} />
      </StorySection>

      <section id="claims" aria-labelledby="claims-title">
        <h2 id="claims-title">{t("support.account.claims")}</h2>
        {story.claims.length === 0 ? (
          <p className="muted">{t("support.account.none")}</p>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t("support.claims.claim")}</th>
                <th scope="col">{t("support.account.status")}</th>
                <th scope="col" className="number">
                  {t("support.claims.offered")}
                </th>
                <th scope="col" className="number">
                  {t("support.claims.granted")}
                </th>
                <th scope="col">{t("support.account.findings")}</th>
              </tr>
            </thead>
            <tbody>
              {story.claims.map((claim) => (
                <tr key={claim.id}>
                  <td>
                    {viewer.isStaff ? (
                      <Link to={`/staff/claims/${claim.id}`}>
                        <code>{claim.id}</code>
                      </Link>
                    ) : (
                      <code>{claim.id}</code>
                    )}
                    <div className="muted small">
                      <When iso={claim.submittedAt} locale={locale} />
                    </div>
                  </td>
                  <td>
                    <span className={`badge ${CLAIM_BADGE[claim.status] ?? ""}`}>{t(`support.claimStatus.${claim.status}`)}</span>
                    {claim.decisionReason ? <div className="muted small">{claim.decisionReason}</div> : null}
                    {claim.infoRequest ? <div className="muted small">{claim.infoRequest}</div> : null}
                  </td>
                  <td className="number">{formatInteger(claim.offeredTokens, locale)}</td>
                  <td className="number">{claim.grantedTokens === null ? "—" : formatInteger(claim.grantedTokens, locale)}</td>
                  <td>
                    <ul className="compact-list">
                      {claim.flags.map((flag, index) => (
                        <li key={`${flag.code}-${index}`}>
                          <span className="badge badge-warning">{t("support.account.flag")}</span> {t(`claims.flags.${flag.code}`, { detail: flag.detail ?? flag.otherAccountId ?? "" })}
                        </li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {story.claimDecisions.length > 0 ? (
          <>
            <h3>{t("support.claims.decisions")}</h3>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t("support.account.when")}</th>
                  <th scope="col">{t("support.account.actor")}</th>
                  <th scope="col">{t("support.account.action")}</th>
                  <th scope="col" className="number">
                    {t("support.account.tokens")}
                  </th>
                  <th scope="col">{t("support.account.reason")}</th>
                </tr>
              </thead>
              <tbody>
                {story.claimDecisions.map((decision) => (
                  <tr key={decision.id}>
                    <td>
                      <When iso={decision.createdAt} locale={locale} />
                    </td>
                    <td>{decision.actorEmail ?? t("support.claims.system")}</td>
                    <td>
                      {t(`support.claimAction.${decision.action}`, { defaultValue: decision.action })} <span className="muted small">{decision.claimId}</span>
                    </td>
                    <td className="number">{decision.tokens === null ? "—" : formatInteger(decision.tokens, locale)}</td>
                    <td className="small">{decision.reason ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        ) : null}
      </section>

      <section id="ledger" aria-labelledby="ledger-title">
        <h2 id="ledger-title">{t("support.account.ledger")}</h2>
        <dl className="stat-cards">
          <div>
            <dt>{t("support.ledger.total")}</dt>
            <dd>{formatInteger(story.ledger.balance.total, locale)}</dd>
          </div>
          <div>
            <dt>{t("support.ledger.promo")}</dt>
            <dd>{formatInteger(story.ledger.balance.promo, locale)}</dd>
          </div>
          <div>
            <dt>{t("support.ledger.paid")}</dt>
            <dd>{formatInteger(story.ledger.balance.paid, locale)}</dd>
          </div>
        </dl>
        {story.ledger.balance.promoGrants.length > 0 ? (
          <>
            <h3>{t("support.ledger.expiring")}</h3>
            <ul className="compact-list">
              {story.ledger.balance.promoGrants.map((grant) => (
                <li key={grant.entryId}>
                  {t("support.ledger.expiresLine", { tokens: formatInteger(grant.remaining, locale), date: formatDateTime(grant.expiresAt, locale) })}
                </li>
              ))}
            </ul>
          </>
        ) : null}
        {story.ledger.entries.length === 0 ? (
          <p className="muted">{t("support.account.none")}</p>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t("support.account.when")}</th>
                <th scope="col">{t("support.ledger.kind")}</th>
                <th scope="col">{t("support.ledger.bucket")}</th>
                <th scope="col" className="number">
                  {t("support.account.tokens")}
                </th>
                <th scope="col">{t("support.ledger.reference")}</th>
                <th scope="col">{t("support.ledger.note")}</th>
              </tr>
            </thead>
            <tbody>
              {story.ledger.entries.map((entry) => (
                <tr key={entry.id}>
                  <td>
                    <When iso={entry.createdAt} locale={locale} />
                  </td>
                  <td>{t(`support.ledger.kinds.${entry.kind}`)}</td>
                  <td>
                    {t(`support.ledger.${entry.bucket}`)}
                    {entry.expiresAt ? <div className="muted small">{t("support.ledger.expires", { date: formatDateTime(entry.expiresAt, locale) })}</div> : null}
                  </td>
                  <td className="number">{formatInteger(entry.amount, locale)}</td>
                  <td className="small">
                    <code>{`${entry.referenceType}:${entry.referenceId}`}</code>
                  </td>
                  <td className="small">{entry.note ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {story.ledger.more ? <p className="muted small">{t("support.ledger.more", { count: story.ledger.entries.length })}</p> : null}
        {adjustments.id ? (
          <CreditAdjustmentPanel adjustmentId={adjustments.id} isStaff={viewer.isStaff} limits={adjustments.limits} pending={adjustments.pending} outcome={outcome} locale={locale} />
        ) : null}
      </section>

      <section id="keys" aria-labelledby="keys-title">
        <h2 id="keys-title">{t("support.account.keys")}</h2>
        {story.keys.length === 0 ? (
          <p className="muted">{t("support.account.none")}</p>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t("support.keys.key")}</th>
                <th scope="col">{t("support.account.status")}</th>
                <th scope="col">{t("support.account.created")}</th>
                <th scope="col">{t("support.keys.lastUsed")}</th>
                <th scope="col">{t("support.account.actions")}</th>
              </tr>
            </thead>
            <tbody>
              {story.keys.map((key) => (
                <tr key={key.id} data-testid="support-key-row">
                  <td>
                    <code>{`${key.visiblePrefix}…${key.lastFour}`}</code>
                    <div className="muted small">{key.name}</div>
                  </td>
                  <td>
                    <span className={key.status === "active" ? "badge badge-success" : key.status === "revoked" ? "badge badge-danger" : "badge badge-warning"}>
                      {t(`support.keys.status.${key.status}`)}
                    </span>
                    {key.expiresAt ? <div className="muted small">{t("support.keys.expires", { date: formatDateTime(key.expiresAt, locale) })}</div> : null}
                  </td>
                  <td>
                    <When iso={key.createdAt} locale={locale} />
                  </td>
                  <td>
                    <When iso={key.lastUsedAt} locale={locale} />
                  </td>
                  <td>
                    {key.status === "revoked" ? (
                      <span className="muted small">
                        {t("support.keys.revokedOn")} <When iso={key.revokedAt} locale={locale} />
                      </span>
                    ) : (
                      <ReasonForm intent="revoke_key" target={key.id} hidden={{ keyId: key.id }} submitLabel={t("support.actions.revokeKey")} danger outcome={outcome} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <StorySection id="purchases" title={t("support.account.purchases")} empty={story.purchases.length === 0}>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t("support.purchases.purchase")}</th>
                <th scope="col">{t("support.account.status")}</th>
                <th scope="col" className="number">
                  {t("support.account.tokens")}
                </th>
                <th scope="col" className="number">
                  {t("support.purchases.amount")}
                </th>
                <th scope="col">{t("support.purchases.stripe")}</th>
              </tr>
            </thead>
            <tbody>
              {story.purchases.map((purchase) => (
                <tr key={purchase.id}>
                  <td>
                    <code>{purchase.id}</code>
                    <div className="muted small">
                      {purchase.packId} · <When iso={purchase.createdAt} locale={locale} />
                    </div>
                  </td>
                  <td>
                    <span className={`badge ${PURCHASE_BADGE[purchase.state] ?? ""}`}>{t(`support.purchaseState.${purchase.state}`)}</span>
                    {purchase.refundedTokens > 0 ? (
                      <div className="muted small">{t("support.purchases.refunded", { tokens: formatInteger(purchase.refundedTokens, locale) })}</div>
                    ) : null}
                  </td>
                  <td className="number">{formatInteger(purchase.tokens, locale)}</td>
                  <td className="number">{formatMoney(purchase.amount, purchase.currency, locale)}</td>
                  <td className="small">
                    {purchase.checkoutSessionId ? <code>{purchase.checkoutSessionId}</code> : null}
                    {purchase.paymentIntentId ? (
                      <div>
                        <code>{purchase.paymentIntentId}</code>
                      </div>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
      </StorySection>

      <StorySection id="audit" title={t("support.account.audit")} empty={story.auditTrail.length === 0}>
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
                  <td className="small">
                    <AuditDetails details={entry.details} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
      </StorySection>
    </article>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
