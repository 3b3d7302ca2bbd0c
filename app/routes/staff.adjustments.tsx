import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormAlert, Notice } from "~/components/form-alert";
import { ReasonForm, type ActionOutcome } from "~/components/reason-form";
import { decideCreditAdjustment, listPendingAdjustments } from "~/domain/credit-adjustments.server";
import { getGrantPolicy } from "~/domain/grant-policy.server";
import { reasonSchema } from "~/domain/support-actions.server";
import { requestOrigin, requireRole } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { fieldErrorsOf, formFields } from "~/lib/forms";
import { formatDateTime, formatInteger } from "~/lib/i18n";
import { pageTitle } from "~/lib/meta";
import { useRootData } from "~/root";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["support"] };

export const meta: MetaFunction = (args) => pageTitle(args, "support.adjustments.queueTitle");

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireRole(request, "staff");
  const db = getDb();
  const [pending, policy] = await Promise.all([listPendingAdjustments(db), getGrantPolicy(db)]);
  return { pending, viewerId: staff.id, autoApproveLimitTokens: policy.autoApproveLimitTokens };
}

const target = { adjustmentId: z.string().trim().regex(/^adj_[0-9a-z]{20}$/), version: z.coerce.number().int().min(1) };
const decisionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("approve"), ...target }),
  z.object({ intent: z.literal("reject"), ...target, reason: reasonSchema }),
]);

const FAILURE_STATUS: Record<string, number> = { not_found: 404, forbidden: 403, own_account: 403 };

export async function action({ request, context }: ActionFunctionArgs) {
  const staff = await requireRole(request, "staff");
  const fields = formFields(await request.formData());
  const intent = fields.intent ?? "";
  const targetId = fields.adjustmentId ?? "";
  const parsed = decisionSchema.safeParse(fields);
  if (!parsed.success) {
    return data<ActionOutcome>({ ok: false, intent, target: targetId, formError: "errors.invalidForm", fieldErrors: fieldErrorsOf(parsed.error) }, { status: 400 });
  }
  const form = parsed.data;
  const result = await decideCreditAdjustment(getDb(), { id: staff.id, role: staff.role, ip: requestOrigin(request, context).ip }, {
    adjustmentId: form.adjustmentId,
    expectedVersion: form.version,
    decision: form.intent === "approve" ? { type: "approve" } : { type: "reject", reason: form.reason },
  });
  if (!result.ok) {
    return data<ActionOutcome>({ ok: false, intent, target: targetId, formError: `support.errors.${result.reason}` }, { status: FAILURE_STATUS[result.reason] ?? 409 });
  }
  return data<ActionOutcome>({ ok: true, intent, target: targetId });
}

export default function AdjustmentQueue() {
  const { pending, viewerId, autoApproveLimitTokens } = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  const navigation = useNavigation();
  const { t } = useTranslation();
  const locale = useRootData()?.locale ?? "en";
  return (
    <section aria-labelledby="adjustments-title">
      <h1 id="adjustments-title">{t("support.adjustments.queueTitle")}</h1>
      <p className="muted">
        {t("support.adjustments.queueLead", { auto: formatInteger(autoApproveLimitTokens, locale) })} <Link to="/staff/claims">{t("support.adjustments.claimsLink")}</Link>
      </p>
      {outcome?.ok ? <Notice>{t(`support.adjustments.done.${outcome.intent}`)}</Notice> : null}
      {outcome && !outcome.ok && outcome.intent === "approve" ? <FormAlert error={outcome.formError} /> : null}
      {pending.length === 0 ? (
        <p className="muted">{t("support.adjustments.queueEmpty")}</p>
      ) : (
        <div className="table-scroll">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t("support.adjustments.account")}</th>
                <th scope="col" className="number">
                  {t("support.account.tokens")}
                </th>
                <th scope="col">{t("support.ledger.bucket")}</th>
                <th scope="col">{t("support.adjustments.proposer")}</th>
                <th scope="col">{t("support.adjustments.reason")}</th>
                <th scope="col">{t("support.adjustments.decide")}</th>
              </tr>
            </thead>
            <tbody>
              {pending.map((row) => {
                const ownProposal = row.proposedBy === viewerId;
                const busy = navigation.state === "submitting" && navigation.formData?.get("adjustmentId") === row.id;
                return (
                  <tr key={row.id} data-testid="pending-adjustment">
                    <td>
                      <Link to={`/support/accounts/${row.accountId}`}>{row.accountEmail}</Link>
                      <div className="muted small">
                        <time dateTime={row.createdAt}>{formatDateTime(row.createdAt, locale)}</time>
                      </div>
                    </td>
                    <td className="number">{formatInteger(row.tokens, locale)}</td>
                    <td>
                      {t(`support.ledger.${row.bucket}`)}
                      {row.expiresAt ? <div className="muted small">{t("support.ledger.expires", { date: formatDateTime(row.expiresAt, locale) })}</div> : null}
                    </td>
                    <td>{row.proposerEmail ?? "—"}</td>
                    <td className="small">{row.reason}</td>
                    <td>
                      {ownProposal || row.accountId === viewerId ? (
                        <p className="muted small">{t(ownProposal ? "support.adjustments.yourProposal" : "support.errors.own_account")}</p>
                      ) : (
                        <Form method="post">
                          <input type="hidden" name="intent" value="approve" />
                          <input type="hidden" name="adjustmentId" value={row.id} />
                          <input type="hidden" name="version" value={row.version} />
                          <button type="submit" className="button button-small" disabled={busy}>
                            {t("support.adjustments.approve")}
                          </button>
                        </Form>
                      )}
                      {row.accountId === viewerId ? null : (
                        <ReasonForm intent="reject" target={row.id} hidden={{ adjustmentId: row.id, version: String(row.version) }} submitLabel={t("support.adjustments.reject")} danger outcome={outcome} />
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
