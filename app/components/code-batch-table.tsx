// Redemption code batches with their progress: never the codes themselves.
import { Form, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import type { CodeBatchView } from "~/domain/redemption-codes.server";
import { formatDate, formatInteger } from "~/lib/i18n";
import { useRootData } from "~/root";

export function CodeBatchTable({ batches, viewerId }: { batches: CodeBatchView[]; viewerId: string }) {
  const { t } = useTranslation();
  const locale = useRootData()?.locale ?? "en";
  const n = (value: number) => formatInteger(value, locale);
  const navigation = useNavigation();
  return (
    <section className="code-batches-section" aria-labelledby="batches-title">
      <h2 id="batches-title">{t("codes.staff.batchesTitle")}</h2>
      {batches.length === 0 ? (
        <p className="muted">{t("codes.staff.none")}</p>
      ) : (
        <div className="table-scroll">
          <table className="table stack-table code-batches" data-testid="code-batches">
            <thead>
              <tr>
                <th scope="col">{t("codes.staff.campaignColumn")}</th>
                <th scope="col">{t("codes.staff.valueColumn")}</th>
                <th scope="col">{t("codes.staff.progressColumn")}</th>
                <th scope="col">{t("codes.staff.rulesColumn")}</th>
                <th scope="col">{t("codes.staff.statusColumn")}</th>
                <th scope="col">{t("codes.staff.actionsColumn")}</th>
              </tr>
            </thead>
            <tbody>
              {batches.map((batch) => {
                const busy = navigation.state === "submitting" && navigation.formData?.get("batchId") === batch.id;
                const rules = [
                  batch.creditExpiresAt
                    ? t("codes.staff.creditUntilDate", { date: formatDate(batch.creditExpiresAt, locale) })
                    : batch.creditDays !== null
                      ? t("codes.staff.creditFor", { days: n(batch.creditDays) })
                      : null,
                  batch.codeExpiresAt ? t("codes.staff.codesUntil", { date: formatDate(batch.codeExpiresAt, locale) }) : t("codes.staff.noCodeExpiry"),
                  batch.requiresEvidence ? t("codes.staff.ruleEvidence") : null,
                  batch.newAccountsOnly ? t("codes.staff.ruleNew") : null,
                ].filter(Boolean);
                return (
                  <tr key={batch.id} data-testid="code-batch" data-batch-id={batch.id}>
                    <td data-label={t("codes.staff.campaignColumn")}>
                      <div>
                        {batch.campaign ?? <span className="muted">{t("codes.staff.noCampaign")}</span>}
                        <div className="muted small">
                          {formatDate(batch.createdAt, locale)} · {t("codes.staff.createdBy", { email: batch.creatorEmail ?? "—" })}
                        </div>
                      </div>
                    </td>
                    <td data-label={t("codes.staff.valueColumn")}>
                      <div>
                        {t("codes.staff.perUse", { tokens: n(batch.tokens), uses: n(batch.usesPerCode), count: n(batch.codeCount) })}
                        <div className="muted small">
                          {t(`credit.buckets.${batch.bucket}`)} · {t("codes.staff.total", { total: n(batch.totalTokens) })}
                        </div>
                      </div>
                    </td>
                    <td data-label={t("codes.staff.progressColumn")}>
                      <div>
                        <span data-testid="batch-progress">{t("codes.staff.progress", { used: n(batch.usesRedeemed), uses: n(batch.usesPerCode * batch.codeCount) })}</span>
                        <div className="muted small">{t("codes.staff.progressTokens", { tokens: n(batch.tokensRedeemed) })}</div>
                      </div>
                    </td>
                    <td className="small" data-label={t("codes.staff.rulesColumn")}>
                      <div>
                        {rules.join(" · ")}
                      </div>
                    </td>
                    <td data-label={t("codes.staff.statusColumn")}>
                      <div>
                        <span data-testid="batch-status">{t(`codes.status.${batch.status}`)}</span>
                        {batch.approverEmail ? <div className="muted small">{t("codes.staff.approvedBy", { email: batch.approverEmail })}</div> : null}
                      </div>
                    </td>
                    <td data-label={t("codes.staff.actionsColumn")}>
                      <div>
                        {batch.status === "pending_approval" ? (
                          batch.createdBy === viewerId ? (
                            <p className="muted small">{t("codes.staff.yourBatch")}</p>
                          ) : (
                            <BatchButton intent="approve" batchId={batch.id} label={t("codes.staff.approve")} busy={busy} />
                          )
                        ) : null}
                        {batch.status !== "disabled" ? <BatchButton intent="disable" batchId={batch.id} label={t("codes.staff.disable")} busy={busy} danger /> : null}
                      </div>
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

function BatchButton({ intent, batchId, label, busy, danger }: { intent: string; batchId: string; label: string; busy: boolean; danger?: boolean }) {
  return (
    <Form method="post" className="inline-form">
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="batchId" value={batchId} />
      <button type="submit" className={`button button-small${danger ? " button-danger" : ""}`} disabled={busy}>
        {label}
      </button>
    </Form>
  );
}
