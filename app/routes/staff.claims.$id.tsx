import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { ClaimDuplicates } from "~/components/claim-duplicates";
import { ClaimStatusBadge, FlagList, OfferComputationTable, useFormats } from "~/components/claim-parts";
import { AccountEvidenceTable, toAccountEvidenceRow } from "~/components/account-evidence-table";
import { ModelTable, UsageChart } from "~/components/evidence-view";
import { InvoiceTable } from "~/components/invoice-evidence";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormAlert, Notice } from "~/components/form-alert";
import { recordAudit } from "~/domain/audit.server";
import { getClaimReview } from "~/domain/claim-review.server";
import { decideClaim, type ClaimDecision } from "~/domain/claims.server";
import { getBalance, listEntries } from "~/domain/ledger.server";
import { requestOrigin, requireRole } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { formFailure, invalidForm } from "~/lib/form-response.server";
import { formFields } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import { isLocale, LOCALE_NAMES } from "~/lib/i18n";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["account", "claims", "credit", "evidence", "review"] };
import { wholeNumberField } from "~/lib/number-input";

export const meta: MetaFunction = (args) => pageTitle(args, "review.claim.title", { id: args.params.id ?? "" });

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const staff = await requireRole(request, "staff");
  const db = getDb();
  const review = await getClaimReview(db, params.id ?? "");
  if (!review) throw new Response("Not found", { status: 404 });
  const [balance, ledger] = await Promise.all([getBalance(db, review.claim.accountId), listEntries(db, review.claim.accountId, { limit: 50 })]);
  // Staff reading a developer's evidence and history is a look-up like any other: audited.
  await recordAudit(db, { actorId: staff.id, action: "claim.view", targetType: "claim", targetId: review.claim.id, ip: requestOrigin(request, context).ip });
  return { ...review, balance, ledger: ledger.entries, viewer: { id: staff.id } };
}

const reason = z.string({ required_error: "review.errors.reasonRequired" }).trim().min(5, "review.errors.reasonRequired").max(2000, "review.errors.reasonTooLong");
const tokens = wholeNumberField("review.errors.tokensRequired").pipe(z.number().min(1, "review.errors.amount_out_of_range"));
const version = z.coerce.number().int().min(1);

const decisionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("approve"), version }),
  z.object({ intent: z.literal("approve_adjusted"), version, tokens, reason }),
  z.object({ intent: z.literal("reject"), version, reason }),
  z.object({
    intent: z.literal("request_info"),
    version,
    message: z.string({ required_error: "review.errors.messageRequired" }).trim().min(5, "review.errors.messageRequired").max(2000, "review.errors.reasonTooLong"),
  }),
]);

export async function action({ request, params, context }: ActionFunctionArgs) {
  const staff = await requireRole(request, "staff");
  const parsed = decisionSchema.safeParse(formFields(await request.formData()));
  if (!parsed.success) return invalidForm(parsed.error);
  const form = parsed.data;
  const decision: ClaimDecision =
    form.intent === "approve"
      ? { type: "approve" }
      : form.intent === "approve_adjusted"
        ? { type: "approve_adjusted", tokens: form.tokens, reason: form.reason }
        : form.intent === "reject"
          ? { type: "reject", reason: form.reason }
          : { type: "request_info", message: form.message };
  const result = await decideClaim(getDb(), {
    claimId: params.id ?? "",
    actor: { id: staff.id, role: staff.role, ip: requestOrigin(request, context).ip },
    expectedVersion: form.version,
    decision,
  });
  if (!result.ok) {
    const status = result.reason === "not_found" ? 404 : result.reason === "forbidden" || result.reason === "own_claim" ? 403 : 409;
    return formFailure(`review.errors.${result.reason}`, status);
  }
  return data({ ok: true as const, outcome: result.outcome, tokens: result.tokens ?? 0 });
}

export default function ClaimReview() {
  const review = useLoaderData<typeof loader>();
  const { claim, developer, policy, usage, invoices, related, evidenceDuplicates, decisions, accountClaims, balance, ledger, viewer, firstApproverEmail } = review;
  const invoiceMonths = usage.months.some((month) => month.invoiceTokens !== undefined);
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation();
  const f = useFormats();
  const failure = actionData && !actionData.ok ? actionData : undefined;

  return (
    <>
      <p>
        <Link to="/staff/claims">← {t("review.claim.back")}</Link>
      </p>
      <h1>
        {t("review.claim.title", { id: claim.id })} <ClaimStatusBadge status={claim.status} />
      </h1>
      {actionData?.ok ? <Notice>{t(`review.decide.done.${actionData.outcome}`, { tokens: f.int(actionData.tokens) })}</Notice> : null}
      <FormAlert error={failure?.formError} />

      <div className="two-columns review-top">
        <section className="panel" aria-labelledby="developer-title">
          <h2 id="developer-title">{t("review.claim.developer")}</h2>
          <dl className="facts">
            <dt>{t("review.claim.email")}</dt>
            <dd data-testid="claim-developer">
              {review.organization ? (
                <>
                  {review.organization.name} <span className="badge">{t("account.roles.organization")}</span>
                </>
              ) : (
                developer.email
              )}
            </dd>
            <dt>{t("review.claim.verified")}</dt>
            <dd>{developer.email_verified_at ? f.dateTime(developer.email_verified_at) : t("review.claim.notVerified")}</dd>
            <dt>{t("review.claim.joined")}</dt>
            <dd>{f.dateTime(developer.created_at)}</dd>
            <dt>{t("review.claim.language")}</dt>
            <dd>{isLocale(developer.locale) ? LOCALE_NAMES[developer.locale] : developer.locale}</dd>
            <dt>{t("review.claim.offered")}</dt>
            <dd>{f.int(claim.offeredTokens)}</dd>
            {claim.grantedTokens !== null ? (
              <>
                <dt>{t("review.claim.granted")}</dt>
                <dd>{f.int(claim.grantedTokens)}</dd>
              </>
            ) : null}
            <dt>{t("review.claim.submitted")}</dt>
            <dd>{f.dateTime(claim.submittedAt)}</dd>
          </dl>
        </section>
        <DecisionPanel review={review} viewerId={viewer.id} firstApproverEmail={firstApproverEmail} />
      </div>

      <section className="panel" aria-labelledby="flags-title">
        <h2 id="flags-title">{t("review.claim.flagsTitle")}</h2>
        {claim.flags.length ? <FlagList flags={claim.flags} linkOthers /> : <p className="muted">{t("review.claim.noFlags")}</p>}
      </section>

      <section className="panel" aria-labelledby="evidence-title">
        <h2 id="evidence-title">{t("review.claim.evidenceTitle")}</h2>
        {usage.months.length === 0 ? (
          <p className="muted">{t("review.claim.noEvidence")}</p>
        ) : (
          <>
            {usage.orgIds.length ? (
              <p>
                {t("review.claim.orgIds")}: <code>{usage.orgIds.join(", ")}</code>
              </p>
            ) : null}
            <h3>{t("review.claim.chartTitle")}</h3>
            <UsageChart months={usage.months} />
            <div className="table-scroll">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">{t("review.claim.monthsTable.month")}</th>
                    <th scope="col" className="numeric">{t("review.claim.monthsTable.input")}</th>
                    <th scope="col" className="numeric">{t("review.claim.monthsTable.output")}</th>
                    <th scope="col" className="numeric">{t("review.claim.monthsTable.total")}</th>
                    {invoiceMonths ? <th scope="col" className="numeric">{t("review.claim.monthsTable.invoice")}</th> : null}
                    <th scope="col" className="numeric">{t("review.claim.monthsTable.cost")}</th>
                  </tr>
                </thead>
                <tbody>
                  {usage.months.map((month) => (
                    <tr key={month.month}>
                      <td>{month.month}</td>
                      <td className="numeric">{f.int(month.inputTokens)}</td>
                      <td className="numeric">{f.int(month.outputTokens)}</td>
                      <td className="numeric">{f.int(month.totalTokens)}</td>
                      {invoiceMonths ? <td className="numeric">{month.invoiceTokens === undefined ? "—" : f.int(month.invoiceTokens)}</td> : null}
                      <td className="numeric">{f.usd(month.costMicros)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div data-testid="model-table">
              <ModelTable models={usage.models} />
            </div>
            <InvoiceTable invoices={invoices} />
          </>
        )}
      </section>

      <section className="panel" aria-labelledby="all-evidence-title">
        <h2 id="all-evidence-title">{t("review.claim.allEvidenceTitle")}</h2>
        {review.evidence.length === 0 ? <p className="muted">{t("review.claim.noEvidence")}</p> : <AccountEvidenceTable evidence={review.evidence.map(toAccountEvidenceRow)} />}
      </section>

      <ClaimDuplicates related={related} evidenceDuplicates={evidenceDuplicates} />

      <section className="panel" aria-labelledby="computation-title">
        <h2 id="computation-title">{t("review.claim.computationTitle")}</h2>
        <OfferComputationTable computation={claim.computation} />
        <p className="muted">
          {t("review.claim.policyNow", { cap: f.int(policy.capTokens), auto: f.int(policy.autoApproveLimitTokens), large: f.int(policy.largeGrantLimitTokens) })}
        </p>
      </section>

      <section className="panel" aria-labelledby="history-title">
        <h2 id="history-title">{t("review.claim.historyTitle")}</h2>
        <p>{t("review.claim.balance", { total: f.int(balance.total), promo: f.int(balance.promo), paid: f.int(balance.paid) })}</p>
        <h3>{t("review.claim.claimsTitle")}</h3>
        <ul className="plain-list">
          {accountClaims.map((other) => (
            <li key={other.id}>
              {other.id === claim.id ? <strong>{other.id}</strong> : <Link to={`/staff/claims/${other.id}`}>{other.id}</Link>} · {f.date(other.createdAt)} ·{" "}
              <ClaimStatusBadge status={other.status} /> · {f.int(other.grantedTokens ?? other.offeredTokens)}
            </li>
          ))}
        </ul>
        <h3>{t("review.claim.decisionsTitle")}</h3>
        <ol className="plain-list decision-log">
          {decisions.map((decision) => (
            <li key={decision.id}>
              <span className="muted">{f.dateTime(decision.created_at)}</span> · {decision.actor_email ?? t("review.claim.system")}{" "}
              {t(`review.claim.actions.${decision.action}`)}
              {decision.tokens !== null ? ` · ${f.int(decision.tokens)}` : null}
              {decision.reason ? <q className="decision-reason">{decision.reason}</q> : null}
            </li>
          ))}
        </ol>
        <h3>{t("review.claim.ledgerTitle")}</h3>
        {ledger.length === 0 ? (
          <p className="muted">{t("review.claim.noLedger")}</p>
        ) : (
          <table className="table stack-table">
            <thead>
              <tr>
                <th scope="col">{t("review.claim.ledgerColumns.when")}</th>
                <th scope="col">{t("review.claim.ledgerColumns.kind")}</th>
                <th scope="col">{t("review.claim.ledgerColumns.bucket")}</th>
                <th scope="col" className="numeric">{t("review.claim.ledgerColumns.tokens")}</th>
                <th scope="col">{t("review.claim.ledgerColumns.expires")}</th>
                <th scope="col">{t("review.claim.ledgerColumns.note")}</th>
              </tr>
            </thead>
            <tbody>
              {ledger.map((entry) => (
                <tr key={entry.id}>
                  <td data-label={t("review.claim.ledgerColumns.when")}>{f.dateTime(entry.createdAt)}</td>
                  <td data-label={t("review.claim.ledgerColumns.kind")}>{t(`credit.kinds.${entry.kind}`)}</td>
                  <td data-label={t("review.claim.ledgerColumns.bucket")}>{t(`credit.buckets.${entry.bucket}`)}</td>
                  <td className="numeric" data-label={t("review.claim.ledgerColumns.tokens")}>{f.int(entry.amount)}</td>
                  <td data-label={t("review.claim.ledgerColumns.expires")}>{entry.expiresAt ? f.date(entry.expiresAt) : ""}</td>
                  <td data-label={t("review.claim.ledgerColumns.note")}>{entry.note ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

type ReviewData = ReturnType<typeof useLoaderData<typeof loader>>;

function DecisionPanel({ review, viewerId, firstApproverEmail }: { review: ReviewData; viewerId: string; firstApproverEmail: string | null }) {
  const { claim, policy } = review;
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const { t } = useTranslation();
  const f = useFormats();
  const failure = actionData && !actionData.ok ? actionData : undefined;
  const versionField = <input type="hidden" name="version" value={claim.version} />;
  const approveTokens = claim.firstApprovedTokens ?? claim.offeredTokens;
  const isSecond = claim.firstApprovedBy !== null && claim.firstApprovedTokens === approveTokens;

  let body: React.ReactNode;
  if (claim.accountId === viewerId) {
    body = <p className="alert alert-warning">{t("review.decide.ownClaim")}</p>;
  } else if (claim.status !== "pending" && claim.status !== "needs_info") {
    body = <p className="muted">{t("review.decide.closed", { status: t(`claims.status.${claim.status}`) })}</p>;
  } else {
    body = (
      <>
        {claim.status === "needs_info" ? <p className="alert alert-info">{t("review.decide.waitingDeveloper")}</p> : null}
        {claim.firstApprovedBy ? (
          <p className="alert alert-info" data-testid="first-approval">
            {t("review.decide.secondNeeded", { email: firstApproverEmail ?? "", tokens: f.int(claim.firstApprovedTokens ?? 0), limit: f.int(policy.largeGrantLimitTokens) })}
            {claim.firstApprovedBy === viewerId ? <> {t("review.decide.secondOwn")}</> : null}
          </p>
        ) : approveTokens > policy.largeGrantLimitTokens ? (
          <p className="muted">{t("review.decide.largeNote", { limit: f.int(policy.largeGrantLimitTokens) })}</p>
        ) : null}
        {claim.status === "pending" ? (
          <>
            {isSecond && claim.firstApprovedBy === viewerId ? null : (
              <Form method="post" className="decision-form">
                {versionField}
                <button type="submit" name="intent" value="approve" className="button" disabled={busy} data-testid="approve">
                  {isSecond ? t("review.decide.approveSecond", { tokens: f.int(approveTokens) }) : t("review.decide.approve", { tokens: f.int(approveTokens) })}
                </button>
              </Form>
            )}
            <details className="decision-more">
              <summary>{t("review.decide.adjustTitle")}</summary>
              <Form method="post" className="decision-form">
                {versionField}
                <input type="hidden" name="intent" value="approve_adjusted" />
                <div className="field">
                  <label htmlFor="adjust-tokens">{t("review.decide.tokens", { cap: f.int(policy.capTokens) })}</label>
                  <input id="adjust-tokens" name="tokens" inputMode="numeric" required aria-invalid={failure?.fieldErrors.tokens ? true : undefined} />
                  {failure?.fieldErrors.tokens ? <p className="field-error">{t(failure.fieldErrors.tokens)}</p> : null}
                </div>
                <div className="field">
                  <label htmlFor="adjust-reason">{t("review.decide.reason")}</label>
                  <textarea id="adjust-reason" name="reason" rows={2} required />
                </div>
                <button type="submit" className="button" disabled={busy}>
                  {t("review.decide.approveAdjusted")}
                </button>
              </Form>
            </details>
            <details className="decision-more">
              <summary>{t("review.decide.infoTitle")}</summary>
              <Form method="post" className="decision-form">
                {versionField}
                <input type="hidden" name="intent" value="request_info" />
                <div className="field">
                  <label htmlFor="info-message">{t("review.decide.message")}</label>
                  <textarea id="info-message" name="message" rows={3} required />
                  {failure?.fieldErrors.message ? <p className="field-error">{t(failure.fieldErrors.message)}</p> : null}
                </div>
                <button type="submit" className="button button-secondary" disabled={busy}>
                  {t("review.decide.requestInfo")}
                </button>
              </Form>
            </details>
          </>
        ) : null}
        <details className="decision-more">
          <summary>{t("review.decide.rejectTitle")}</summary>
          <Form method="post" className="decision-form">
            {versionField}
            <input type="hidden" name="intent" value="reject" />
            <div className="field">
              <label htmlFor="reject-reason">{t("review.decide.reason")}</label>
              <textarea id="reject-reason" name="reason" rows={3} required />
              {failure?.fieldErrors.reason ? <p className="field-error">{t(failure.fieldErrors.reason)}</p> : null}
            </div>
            <button type="submit" className="button button-danger" disabled={busy} data-testid="reject">
              {t("review.decide.reject")}
            </button>
          </Form>
        </details>
      </>
    );
  }
  return (
    <section className="panel decision-panel" aria-labelledby="decision-title">
      <h2 id="decision-title">{t("review.decide.title")}</h2>
      {body}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
