import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { EvidenceUploadForm } from "~/components/evidence-upload-form";
import { ModelTable, UsageChart, UsageTotals, useLocale } from "~/components/evidence-view";
import { Field } from "~/components/field";
import { Notice } from "~/components/form-alert";
import { apiReadSchema } from "~/domain/evidence/forms.server";
import { countedTokensOf, getCombinedUsage, listEvidence, saveEvidence } from "~/domain/evidence/index.server";
import { verifyFromOpenAi, verifyOptionsFromEnv } from "~/domain/evidence/verify.server";
import { requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { invalidForm } from "~/lib/form-response.server";
import { formFields } from "~/lib/forms";
import { formatDate, formatInteger } from "~/lib/i18n";
import { pageTitle } from "~/lib/meta";
import { hitRateLimits, RATE_LIMITS, retryAfterHeader } from "~/lib/rate-limit.server";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["evidence"] };

export const meta: MetaFunction = (args) => pageTitle(args, "evidence.title");

const KNOWN_UPLOAD_ERRORS = new Set(["evidence.errors.noFile", "evidence.errors.badUpload", "evidence.errors.orgIdFormat", "errors.rateLimited"]);

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const db = getDb();
  const env = getEnv();
  const [pieces, combined] = await Promise.all([listEvidence(db, user.id), getCombinedUsage(db, user.id)]);
  const uploadError = new URL(request.url).searchParams.get("error");
  return {
    window: { start: env.PROGRAM_WINDOW_START, end: env.PROGRAM_WINDOW_END },
    maxMb: Math.round(env.EVIDENCE_MAX_BYTES / 1024 / 1024),
    maxBytes: env.EVIDENCE_MAX_BYTES,
    uploadError: uploadError && KNOWN_UPLOAD_ERRORS.has(uploadError) ? uploadError : null,
    removed: new URL(request.url).searchParams.get("removed") === "1",
    combined: {
      months: combined.months,
      models: combined.models,
      inputTokens: combined.months.reduce((sum, month) => sum + month.inputTokens, 0),
      outputTokens: combined.months.reduce((sum, month) => sum + month.outputTokens, 0),
      totalTokens: combined.months.reduce((sum, month) => sum + month.totalTokens, 0),
      costMicros: combined.months.reduce((sum, month) => sum + month.costMicros, 0),
    },
    pieces: pieces.map((piece) => ({
      id: piece.id,
      kind: piece.kind,
      status: piece.status,
      fileName: piece.fileName,
      periodStart: piece.periodStart,
      periodEnd: piece.periodEnd,
      tokens: countedTokensOf(piece),
      flagCount: piece.flags.length,
      createdAt: piece.createdAt,
    })),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const parsed = apiReadSchema.safeParse(formFields(await request.formData()));
  if (!parsed.success) return invalidForm(parsed.error);
  const db = getDb();
  const limit = await hitRateLimits(db, [[RATE_LIMITS.evidenceApiReadPerAccount, user.id]]);
  if (!limit.allowed) {
    return data(
      { ok: false as const, fieldErrors: {} as Record<string, string>, formError: "errors.rateLimited", params: { seconds: limit.retryAfterSeconds } },
      { status: 429, headers: retryAfterHeader(limit.retryAfterSeconds) },
    );
  }
  const result = await verifyFromOpenAi(parsed.data.adminKey, verifyOptionsFromEnv(parsed.data.orgId ?? null));
  if (!result.ok) {
    // The key is not echoed back: the form re-renders empty.
    return data({ ok: false as const, fieldErrors: {} as Record<string, string>, formError: `evidence.apiErrors.${result.error.code}`, params: result.error.params }, { status: 502 });
  }
  const stored = await saveEvidence(db, { userId: user.id, fileName: null, outcome: result.outcome });
  return redirect(`/account/evidence/${stored.id}`);
}

export default function EvidencePage() {
  const { window, maxMb, maxBytes, combined, pieces, uploadError, removed } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const { t } = useTranslation();
  const locale = useLocale();
  const reading = navigation.state === "submitting" && navigation.formData?.get("intent") === "read_api";
  const failure = actionData && !actionData.ok ? actionData : undefined;
  const failureParams = failure && "params" in failure ? (failure.params as Record<string, unknown>) : {};
  return (
    <div className="evidence-page">
      <h1>{t("evidence.title")}</h1>
      {removed ? <Notice>{t("evidence.detail.removed")}</Notice> : null}
      <p>{t("evidence.lead")}</p>
      <p className="muted">{t("evidence.windowNote", { start: formatDate(window.start, locale), end: formatDate(window.end, locale), maxMb })}</p>

      <section className="panel" aria-labelledby="combined-title">
        <h2 id="combined-title">{t("evidence.combined.title")}</h2>
        {combined.months.length === 0 ? (
          <p className="muted">{t("evidence.combined.empty")}</p>
        ) : (
          <>
            <p className="muted">{t("evidence.combined.lead")}</p>
            <UsageTotals inputTokens={combined.inputTokens} outputTokens={combined.outputTokens} totalTokens={combined.totalTokens} costMicros={combined.costMicros} months={combined.months.length} />
            <UsageChart months={combined.months} />
            <h3>{t("evidence.combined.perModel")}</h3>
            <ModelTable models={combined.models} />
          </>
        )}
      </section>

      {pieces.length > 0 ? (
        <section className="panel" aria-labelledby="list-title">
          <h2 id="list-title">{t("evidence.list.title")}</h2>
          <div>
            <table className="table evidence-list stack-table">
              <thead>
                <tr>
                  <th scope="col">{t("evidence.list.when")}</th>
                  <th scope="col">{t("evidence.list.kind")}</th>
                  <th scope="col">{t("evidence.list.file")}</th>
                  <th scope="col">{t("evidence.list.status")}</th>
                  <th scope="col">{t("evidence.list.period")}</th>
                  <th scope="col" className="number">{t("evidence.list.tokens")}</th>
                  <th scope="col" className="number">{t("evidence.list.flags")}</th>
                </tr>
              </thead>
              <tbody>
                {pieces.map((piece) => (
                  <tr key={piece.id}>
                    <td data-label={t("evidence.list.when")}>{formatDate(piece.createdAt, locale)}</td>
                    <td data-label={t("evidence.list.kind")}>{t(`evidence.kinds.${piece.kind}`)}</td>
                    <td className="file-name" data-label={t("evidence.list.file")}>
                      <Link to={`/account/evidence/${piece.id}`}>{piece.fileName ?? t("evidence.list.noFile")}</Link>
                    </td>
                    <td data-label={t("evidence.list.status")}>
                      <span className={`status-badge status-${piece.status}`}>{t(`evidence.status.${piece.status}`)}</span>
                    </td>
                    <td data-label={t("evidence.list.period")}>{piece.periodStart && piece.periodEnd ? `${piece.periodStart} – ${piece.periodEnd}` : "—"}</td>
                    <td className="number" data-label={t("evidence.list.tokens")}>{formatInteger(piece.tokens, locale)}</td>
                    <td className="number" data-label={t("evidence.list.flags")}>{formatInteger(piece.flagCount, locale)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}

      <div className="two-columns">
        <section className="panel" aria-labelledby="upload-title">
          <h2 id="upload-title">{t("evidence.upload.title")}</h2>
          <p className="muted">{t("evidence.upload.lead")}</p>
          <EvidenceUploadForm initialError={uploadError} maxBytes={maxBytes} />
        </section>
        <section className="panel" aria-labelledby="api-title">
          <h2 id="api-title">{t("evidence.api.title")}</h2>
          <p className="muted">{t("evidence.ways.api.body")}</p>
          {failure?.formError ? (
            <div className="alert alert-error" role="alert">
              {t(failure.formError, failureParams)}
            </div>
          ) : null}
          {/* Remounted after each answer, so a pasted key never lingers in the page. */}
          <Form method="post" noValidate autoComplete="off" key={failure ? `${failure.formError}-${navigation.state}` : "api-read"}>
            <input type="hidden" name="intent" value="read_api" />
            <Field name="adminKey" type="password" label={t("evidence.api.adminKey")} hint={t("evidence.api.adminKeyHint")} autoComplete="off" spellCheck={false} required error={failure?.fieldErrors.adminKey} />
            <Field name="orgId" id="api-org-id" label={t("evidence.api.orgId")} autoComplete="off" spellCheck={false} placeholder="org-…" error={failure?.fieldErrors.orgId} />
            <button type="submit" className="button" disabled={reading}>
              {reading ? t("evidence.api.reading") : t("evidence.api.submit")}
            </button>
          </Form>
        </section>
      </div>

      <section className="panel evidence-ways" aria-labelledby="ways-title">
        <h2 id="ways-title">{t("evidence.ways.title")}</h2>
        <div className="ways-grid">
          {(["completions", "costs", "json", "api", "invoice"] as const).map((way) => (
            <article key={way}>
              <h3>{t(`evidence.ways.${way}.title`)}</h3>
              <p>{t(`evidence.ways.${way}.body`)}</p>
              <p className="muted">{t(`evidence.ways.${way}.where`)}</p>
            </article>
          ))}
        </div>
      </section>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
