import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FindingList, ModelTable, UsageChart, UsageTotals, useLocale } from "~/components/evidence-view";
import { EvidenceFileNotes, RemoveEvidenceForm } from "~/components/evidence-detail-parts";
import { InvoiceFacts } from "~/components/invoice-evidence";
import { getEvidence, invoiceViewOf, removeRejectedEvidence } from "~/domain/evidence/index.server";
import { requestOrigin, requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { formFields } from "~/lib/forms";
import { formatDateTime, formatInteger } from "~/lib/i18n";
import { pageTitle } from "~/lib/meta";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["evidence", "review"] };

export const meta: MetaFunction = (args) => pageTitle(args, "evidence.title");

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  // Someone else's evidence answers 404 exactly like evidence that does not exist.
  const evidence = await getEvidence(getDb(), user.id, params.evidenceId ?? "");
  if (!evidence) throw new Response("Not found", { status: 404 });
  const { userId: _owner, ...visible } = evidence;
  return { evidence: visible, invoice: invoiceViewOf(evidence) };
}

const removeSchema = z.object({ intent: z.literal("remove") });

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request);
  if (!removeSchema.safeParse(formFields(await request.formData())).success) return data({ formError: "errors.invalidForm" }, { status: 400 });
  const result = await removeRejectedEvidence(getDb(), { userId: user.id, evidenceId: params.evidenceId ?? "", ip: requestOrigin(request, context).ip });
  if (!result.ok && result.reason === "not_found") throw new Response("Not found", { status: 404 });
  if (!result.ok) return data({ formError: "evidence.errors.notRejected" }, { status: 409 });
  return redirect("/account/evidence?removed=1", { status: 303 });
}

export default function EvidenceDetail() {
  const { evidence, invoice } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation();
  const locale = useLocale();
  const accepted = evidence.status === "accepted";
  // Findings of JSON pages and of PDFs point at pages, not lines.
  const pages = evidence.kind === "usage_api_json" || evidence.kind === "api_read" || evidence.kind === "openai_invoice";
  const { summary } = evidence;
  const facts: Array<[string, string, string?]> = [
    [t("evidence.detail.kind"), t(`evidence.kinds.${evidence.kind}`)],
    [t("evidence.detail.file"), evidence.fileName ?? t("evidence.detail.none")],
    [t("evidence.detail.added"), formatDateTime(evidence.createdAt, locale)],
    ...(invoice ? [] : [[t("evidence.detail.rows"), formatInteger(evidence.rowCount, locale)] as [string, string]]),
    [t("evidence.detail.orgId"), evidence.orgId ?? t("evidence.detail.none")],
    [t("evidence.detail.period"), evidence.periodStart && evidence.periodEnd ? `${evidence.periodStart} – ${evidence.periodEnd}` : t("evidence.detail.none")],
    [t("evidence.detail.sha"), evidence.fileSha256 ?? t("evidence.detail.none"), "hash"],
    [t("evidence.detail.fingerprint"), evidence.fingerprint ?? t("evidence.detail.none"), "hash"],
  ];
  if (summary.compression) facts.splice(2, 0, [t("evidence.detail.unpacked"), t(`evidence.detail.compression_${summary.compression}`, { entry: summary.archiveEntry ?? "" })]);
  if (summary.encoding) facts.splice(2, 0, [t("evidence.detail.encoding"), summary.encoding.toUpperCase()]);
  return (
    <div className="evidence-page">
      <p>
        <Link to="/account/evidence">← {t("evidence.detail.back")}</Link>
      </p>
      <h1>
        {t(`evidence.kinds.${evidence.kind}`)}{" "}
        <span className={`status-badge status-${evidence.status}`}>{t(`evidence.status.${evidence.status}`)}</span>
      </h1>
      <div className={`alert ${accepted ? "alert-success" : "alert-error"}`} role="status">
        {accepted ? t("evidence.detail.acceptedLead") : t("evidence.detail.rejectedLead")}
      </div>

      {evidence.reasons.length > 0 ? (
        <section className="panel" aria-labelledby="reasons-title">
          <h2 id="reasons-title">{t("evidence.detail.reasons")}</h2>
          <FindingList findings={evidence.reasons} group="reasons" pages={pages} />
        </section>
      ) : null}

      {accepted ? (
        <section className="panel" aria-labelledby="flags-title">
          <h2 id="flags-title">{t("evidence.detail.flags")}</h2>
          {evidence.flags.length > 0 ? (
            <>
              <p className="muted">{t("evidence.detail.flagsLead")}</p>
              <FindingList findings={evidence.flags} group="flags" pages={pages} />
            </>
          ) : (
            <p className="muted">{t("evidence.detail.noFlags")}</p>
          )}
          {summary.alreadyUploaded ? <p className="muted" data-testid="already-uploaded">{t("evidence.flags.already_uploaded")}</p> : null}
          {summary.missingColumns.length > 0 ? <p className="muted">{t("evidence.detail.missingColumns", { columns: summary.missingColumns.join(", ") })}</p> : null}
          {summary.outsideWindowRows > 0 ? (
            <p className="muted">{t(invoice ? "evidence.detail.outsideWindowDays" : "evidence.detail.outsideWindow", { count: summary.outsideWindowRows })}</p>
          ) : null}
          <EvidenceFileNotes summary={summary} />
        </section>
      ) : null}

      {invoice ? (
        <section className="panel" aria-labelledby="invoice-title">
          <h2 id="invoice-title">{t("evidence.invoice.title")}</h2>
          <InvoiceFacts invoice={invoice} accepted={accepted} />
        </section>
      ) : null}

      {accepted && !invoice && summary.months.length > 0 ? (
        <section className="panel" aria-labelledby="usage-title">
          <h2 id="usage-title">{t("evidence.combined.chartTitle")}</h2>
          <UsageTotals inputTokens={evidence.inputTokens} outputTokens={evidence.outputTokens} costMicros={evidence.costMicros} months={summary.months.length} />
          <UsageChart months={summary.months} />
          <h3>{t("evidence.combined.perModel")}</h3>
          <ModelTable models={summary.models} />
        </section>
      ) : null}

      <section className="panel" aria-labelledby="facts-title">
        <h2 id="facts-title">{t("evidence.detail.facts")}</h2>
        <dl className="evidence-facts">
          {facts.map(([label, value, className]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd className={className}>{value}</dd>
            </div>
          ))}
        </dl>
      </section>

      {accepted ? null : <RemoveEvidenceForm error={actionData?.formError} />}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
