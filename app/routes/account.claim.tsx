import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { ClaimStatusBadge, OfferComputationTable, useFormats } from "~/components/claim-parts";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormAlert, Notice } from "~/components/form-alert";
import { getClaimOverview, resubmitClaim, submitClaim } from "~/domain/claims.server";
import { getBalance } from "~/domain/ledger.server";
import { requestOrigin, requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { formFailure } from "~/lib/form-response.server";
import { formFields } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import { currentProvider } from "~/lib/provider.server";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["claims", "evidence", "review"] };

export const meta: MetaFunction = (args) => pageTitle(args, "claims.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const db = getDb();
  const [overview, balance] = await Promise.all([getClaimOverview(db, user.id), getBalance(db, user.id)]);
  const grantExpiresAt = balance.promoGrants.find((grant) => grant.entryId === overview.current?.ledgerEntryId)?.expiresAt ?? null;
  return { ...overview, balance: { total: balance.total, promo: balance.promo }, grantExpiresAt, provider: currentProvider().name };
}

// Only the intent (and which claim to send again) comes from the form: never an amount.
const claimFormSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("claim") }),
  z.object({ intent: z.literal("resubmit"), claimId: z.string().min(1).max(100) }),
]);

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const parsed = claimFormSchema.safeParse(formFields(await request.formData()));
  if (!parsed.success) return formFailure("errors.invalidForm");
  const db = getDb();
  const { ip } = requestOrigin(request, context);
  if (parsed.data.intent === "claim") {
    const result = await submitClaim(db, user.id, { ip });
    if (!result.ok) return formFailure(`claims.ineligible.${result.reason}`, 409);
    return data({ ok: true as const, done: result.status });
  }
  const result = await resubmitClaim(db, user.id, parsed.data.claimId, { ip });
  if (!result.ok) return formFailure(`claims.ineligible.${result.reason}`, 409);
  return data({ ok: true as const, done: "resubmitted" as const });
}

export default function ClaimPage() {
  const { offer, policy, ineligible, current, claims, balance, grantExpiresAt, provider } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const { t } = useTranslation();
  const f = useFormats();
  const failure = actionData && !actionData.ok ? actionData : undefined;
  const earlier = claims.filter((claim) => claim.id !== current?.id);
  const canClaim = ineligible.length === 0;

  return (
    <>
      <h1>{t("claims.title")}</h1>
      <p className="muted">{t("claims.lead", { provider })}</p>
      {actionData?.ok ? <Notice>{t(`claims.done.${actionData.done}`)}</Notice> : null}
      <FormAlert error={failure?.formError} />

      {current ? (
        <section className="panel claim-current" aria-labelledby="claim-status-title" data-testid="claim-status">
          <h2 id="claim-status-title">
            {t("claims.status.title")} <ClaimStatusBadge status={current.status} />
          </h2>
          <p className="muted">{t("claims.status.submittedAt", { date: f.dateTime(current.submittedAt) })}</p>
          {current.status === "approved" || current.status === "auto_approved" ? (
            <p>
              {t("claims.status.granted", { tokens: f.int(current.grantedTokens ?? 0) })}{" "}
              {grantExpiresAt ? <span data-testid="claim-expiry">{t("claims.status.expires", { date: f.date(grantExpiresAt) })}</span> : null}
            </p>
          ) : null}
          {current.status === "pending" ? <p>{t("claims.status.pendingBody", { tokens: f.int(current.offeredTokens) })}</p> : null}
          {current.status === "rejected" ? (
            <>
              <p>{t("claims.status.rejectedBody")}</p>
              <p className="claim-reason" data-testid="claim-reason">
                {t("claims.status.reason", { reason: current.decisionReason ?? "" })}
              </p>
            </>
          ) : null}
          {current.status === "needs_info" ? (
            <>
              <p className="claim-reason" data-testid="claim-message">
                {t("claims.status.message", { message: current.infoRequest ?? "" })}
              </p>
              <p>{t("claims.claim.resubmitLead")}</p>
              <p>
                <Link to="/account/evidence">{t("claims.offer.addEvidence")}</Link>
              </p>
              <Form method="post">
                <input type="hidden" name="intent" value="resubmit" />
                <input type="hidden" name="claimId" value={current.id} />
                <button type="submit" className="button" disabled={busy}>
                  {t("claims.claim.resubmit")}
                </button>
              </Form>
            </>
          ) : null}
          {current.decidedAt ? <p className="muted">{t("claims.status.decidedAt", { date: f.dateTime(current.decidedAt) })}</p> : null}
          {balance.total > 0 ? (
            <p data-testid="claim-balance">
              <Link to="/account/credit">{t("review.claim.balance", { total: f.int(balance.total), promo: f.int(balance.promo), paid: f.int(balance.total - balance.promo) })}</Link>
            </p>
          ) : null}
        </section>
      ) : null}

      {!current || current.status === "rejected" ? (
        <section className="panel" aria-labelledby="offer-title">
          <h2 id="offer-title">{t("claims.offer.title")}</h2>
          {offer.eligible ? (
            <>
              <p className="claim-offer">{t("claims.offer.tokens", { tokens: f.int(offer.offerTokens) })}</p>
              <p className="muted">
                {t("claims.offer.expiry", { days: policy.promoExpiryDays })} {t("claims.offer.autoNote", { limit: f.int(policy.autoApproveLimitTokens) })}
              </p>
              <h3>{t("claims.computation.title")}</h3>
              <OfferComputationTable computation={offer} />
            </>
          ) : (
            <p>
              {t("claims.offer.none")} <Link to="/account/evidence">{t("claims.offer.addEvidence")}</Link>
            </p>
          )}
          {canClaim ? (
            <Form method="post">
              <input type="hidden" name="intent" value="claim" />
              <p className="muted">{t("claims.claim.confirm", { provider })}</p>
              <button type="submit" className="button" disabled={busy} data-testid="claim-submit">
                {t("claims.claim.submit", { tokens: f.int(offer.offerTokens) })}
              </button>
            </Form>
          ) : ineligible.some((reason) => reason !== "no_usage") ? (
            <div className="alert alert-warning" role="status">
              <strong>{t("claims.ineligible.title")}</strong>
              <ul>
                {ineligible
                  .filter((reason) => reason !== "no_usage")
                  .map((reason) => (
                    <li key={reason}>{t(`claims.ineligible.${reason}`)}</li>
                  ))}
              </ul>
            </div>
          ) : null}
        </section>
      ) : current.status !== "approved" && current.status !== "auto_approved" ? (
        <section className="panel" aria-labelledby="computation-title">
          <h2 id="computation-title">{t("claims.computation.title")}</h2>
          <OfferComputationTable computation={current.computation} />
        </section>
      ) : null}

      {earlier.length ? (
        <section className="panel" aria-labelledby="claim-history-title">
          <h2 id="claim-history-title">{t("claims.status.history")}</h2>
          <ul className="plain-list">
            {earlier.map((claim) => (
              <li key={claim.id}>
                {f.date(claim.submittedAt)} · <ClaimStatusBadge status={claim.status} /> · {f.int(claim.grantedTokens ?? claim.offeredTokens)}
                {claim.decisionReason ? <span className="muted"> · {claim.decisionReason}</span> : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
