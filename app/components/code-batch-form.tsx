// The staff form that creates a batch of redemption codes, and the one-time display of its codes.
import { Form, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Field } from "~/components/field";
import { FormAlert } from "~/components/form-alert";
import type { CodeBatchStatus } from "~/lib/db-schema";
import { formatInteger } from "~/lib/i18n";
import { useRootData } from "~/root";

export function CodeBatchForm({
  largeGrantLimitTokens,
  promoExpiryDays,
  failure,
}: {
  largeGrantLimitTokens: number;
  promoExpiryDays: number;
  failure?: { formError?: string; fieldErrors: Record<string, string> };
}) {
  const { t } = useTranslation();
  const locale = useRootData()?.locale ?? "en";
  const busy = useNavigation().formData?.get("intent") === "create";
  const errors = failure?.fieldErrors ?? {};
  return (
    <section className="panel" aria-labelledby="new-batch-title">
      <h2 id="new-batch-title">{t("codes.staff.createTitle")}</h2>
      <p className="muted">{t("codes.staff.approvalNote", { limit: formatInteger(largeGrantLimitTokens, locale) })}</p>
      <FormAlert error={failure?.formError} />
      <Form method="post" noValidate>
        <input type="hidden" name="intent" value="create" />
        <div className="field-row">
          <Field name="count" label={t("codes.staff.count")} inputMode="numeric" required defaultValue="100" error={errors.count} />
          <Field name="tokens" label={t("codes.staff.tokens")} inputMode="numeric" required error={errors.tokens} />
          <Field name="usesPerCode" label={t("codes.staff.usesPerCode")} inputMode="numeric" required defaultValue="1" hint={t("codes.staff.usesHint")} error={errors.usesPerCode} />
        </div>
        <div className="field">
          <label htmlFor="field-bucket">{t("codes.staff.bucket")}</label>
          <select id="field-bucket" name="bucket" defaultValue="promo">
            <option value="promo">{t("credit.buckets.promo")}</option>
            <option value="paid">{t("credit.buckets.paid")}</option>
          </select>
        </div>
        <div className="field-row">
          <Field name="creditDays" label={t("codes.staff.creditDays")} inputMode="numeric" defaultValue={String(promoExpiryDays)} error={errors.creditDays} />
          <Field name="creditUntil" type="date" label={t("codes.staff.creditUntil")} error={errors.creditUntil} />
        </div>
        <p className="field-hint codes-credit-hint">{t("codes.staff.creditHint")}</p>
        <Field name="codeExpiresOn" type="date" label={t("codes.staff.codeExpiresOn")} hint={t("codes.staff.codeExpiresHint")} error={errors.codeExpiresOn} />
        <Field name="campaign" label={t("codes.staff.campaign")} maxLength={80} hint={t("codes.staff.campaignHint")} error={errors.campaign} />
        <fieldset className="alert-choices">
          <label className="checkbox">
            <input type="checkbox" name="requiresEvidence" /> {t("codes.staff.requiresEvidence")}
          </label>
          <label className="checkbox">
            <input type="checkbox" name="newAccountsOnly" /> {t("codes.staff.newAccountsOnly")}
          </label>
        </fieldset>
        <button type="submit" className="button" disabled={busy}>
          {t("codes.staff.submit")}
        </button>
      </Form>
    </section>
  );
}

/** Shown once, in the answer to the request that created the batch: nothing can show these codes again. */
export function CreatedCodes({ batchId, status, codes, csv }: { batchId: string; status: CodeBatchStatus; codes: string[]; csv: string }) {
  const { t } = useTranslation();
  const locale = useRootData()?.locale ?? "en";
  const count = formatInteger(codes.length, locale);
  return (
    <section className="panel" aria-labelledby="created-codes-title" data-testid="created-codes">
      <div className="alert alert-info" role="status" id="created-codes-title">
        {t(status === "active" ? "codes.staff.created" : "codes.staff.createdPending", { count })}
      </div>
      <p>
        <a className="button" href={`data:text/csv;charset=utf-8,${encodeURIComponent(csv)}`} download={`ferry-codes-${batchId}.csv`}>
          {t("codes.staff.download")}
        </a>
      </p>
      <label htmlFor="created-codes-list">{t("codes.staff.codesLabel")}</label>
      <textarea id="created-codes-list" className="code-list" readOnly rows={Math.min(10, codes.length)} value={codes.join("\n")} spellCheck={false} />
    </section>
  );
}
