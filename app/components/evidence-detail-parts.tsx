// Pieces of the developer's evidence page: notes on how the file was read, and the removal form.
import { Form, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import type { EvidenceSummary } from "~/domain/evidence/types";

/** Empty numeric cells read as zero, one line per column. */
export function EvidenceFileNotes({ summary }: { summary: Pick<EvidenceSummary, "emptyCells"> }) {
  const { t } = useTranslation();
  const empty = Object.entries(summary.emptyCells ?? {});
  if (empty.length === 0) return null;
  return (
    <>
      {empty.map(([column, count]) => (
        <p key={column} className="muted" data-testid="empty-cells">
          {t("evidence.detail.emptyCells", { count, columns: column })}
        </p>
      ))}
    </>
  );
}

export function RemoveEvidenceForm({ error }: { error?: string }) {
  const { t } = useTranslation();
  const navigation = useNavigation();
  return (
    <section className="panel" aria-labelledby="remove-title">
      <h2 id="remove-title">{t("evidence.detail.remove")}</h2>
      <p className="muted">{t("evidence.detail.removeLead")}</p>
      {error ? (
        <div className="alert alert-error" role="alert">
          {t(error)}
        </div>
      ) : null}
      <Form method="post">
        <input type="hidden" name="intent" value="remove" />
        <button type="submit" className="button button-secondary" disabled={navigation.state === "submitting"}>
          {t("evidence.detail.remove")}
        </button>
      </Form>
    </section>
  );
}
