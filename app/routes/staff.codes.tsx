// Staff create batches of redemption codes, see their progress, approve others' large batches and
// disable batches. The plain codes appear once, in the answer to the creating request.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { CodeBatchForm, CreatedCodes } from "~/components/code-batch-form";
import { CodeBatchTable } from "~/components/code-batch-table";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormAlert, Notice } from "~/components/form-alert";
import { getGrantPolicy } from "~/domain/grant-policy.server";
import { approveCodeBatch, codeBatchSchema, createCodeBatch, disableCodeBatch, listCodeBatches } from "~/domain/redemption-codes.server";
import { requestOrigin, requireRole } from "~/lib/auth.server";
import type { CodeBatchStatus } from "~/lib/db-schema";
import { getDb } from "~/lib/db.server";
import { fieldErrorsOf, formFields } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["codes", "credit"] };

export const meta: MetaFunction = (args) => pageTitle(args, "codes.staff.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireRole(request, "staff");
  const db = getDb();
  const [batches, policy] = await Promise.all([listCodeBatches(db), getGrantPolicy(db)]);
  return { batches, viewerId: staff.id, largeGrantLimitTokens: policy.largeGrantLimitTokens, promoExpiryDays: policy.promoExpiryDays };
}

const batchTarget = z.object({ intent: z.enum(["approve", "disable"]), batchId: z.string().trim().regex(/^cdb_[0-9a-z]{20}$/) });

export type CodesActionData =
  | { ok: true; intent: "create"; batchId: string; status: CodeBatchStatus; codes: string[]; csv: string }
  | { ok: true; intent: "approve" | "disable"; target: string }
  | { ok: false; intent: string; target?: string; formError?: string; fieldErrors: Record<string, string> };

const FAILURE_STATUS: Record<string, number> = { forbidden: 403, not_found: 404 };

export async function action({ request, context }: ActionFunctionArgs) {
  const staff = await requireRole(request, "staff");
  const fields = formFields(await request.formData());
  const intent = fields.intent ?? "";
  const actor = { id: staff.id, role: staff.role, ip: requestOrigin(request, context).ip };
  const db = getDb();
  if (intent === "create") {
    const parsed = codeBatchSchema.safeParse(fields);
    if (!parsed.success) return data<CodesActionData>({ ok: false, intent, formError: "errors.invalidForm", fieldErrors: fieldErrorsOf(parsed.error) }, { status: 400 });
    const result = await createCodeBatch(db, actor, parsed.data);
    if (!result.ok) return data<CodesActionData>({ ok: false, intent, formError: `codes.errors.${result.reason}`, fieldErrors: {} }, { status: FAILURE_STATUS[result.reason] ?? 400 });
    return data<CodesActionData>({ ok: true, intent: "create", batchId: result.batchId, status: result.status, codes: result.codes, csv: result.csv });
  }
  const parsed = batchTarget.safeParse(fields);
  if (!parsed.success) return data<CodesActionData>({ ok: false, intent, formError: "errors.invalidForm", fieldErrors: {} }, { status: 400 });
  const { batchId } = parsed.data;
  const result = parsed.data.intent === "approve" ? await approveCodeBatch(db, actor, batchId) : await disableCodeBatch(db, actor, batchId);
  if (!result.ok) return data<CodesActionData>({ ok: false, intent, target: batchId, formError: `codes.errors.${result.reason}`, fieldErrors: {} }, { status: FAILURE_STATUS[result.reason] ?? 409 });
  return data<CodesActionData>({ ok: true, intent: parsed.data.intent, target: batchId });
}

export default function StaffCodes() {
  const { batches, viewerId, largeGrantLimitTokens, promoExpiryDays } = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  const { t } = useTranslation();
  return (
    <section aria-labelledby="codes-title">
      <h1 id="codes-title">{t("codes.staff.title")}</h1>
      <p className="muted">{t("codes.staff.lead")}</p>
      {outcome?.ok && outcome.intent === "create" ? <CreatedCodes batchId={outcome.batchId} status={outcome.status} codes={outcome.codes} csv={outcome.csv} /> : null}
      {outcome?.ok && outcome.intent !== "create" ? <Notice>{t(outcome.intent === "approve" ? "codes.staff.approved" : "codes.staff.disabled")}</Notice> : null}
      {outcome && !outcome.ok && outcome.intent !== "create" ? <FormAlert error={outcome.formError} /> : null}
      <CodeBatchTable batches={batches} viewerId={viewerId} />
      <CodeBatchForm
        largeGrantLimitTokens={largeGrantLimitTokens}
        promoExpiryDays={promoExpiryDays}
        failure={outcome && !outcome.ok && outcome.intent === "create" ? outcome : undefined}
      />
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
