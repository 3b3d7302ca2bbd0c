// The account's support tickets and its deletion request, on the support account page.
import { useTranslation } from "react-i18next";
import { ReasonForm, type ActionOutcome } from "~/components/reason-form";
import { TicketTable, type TicketRow } from "~/components/ticket-parts";
import type { DeletionRequestView } from "~/domain/account-deletion.server";
import { formatDateTime, type Locale } from "~/lib/i18n";
import { StorySection } from "./story-parts";

export function TicketsSection({ tickets, locale }: { tickets: TicketRow[]; locale: Locale }) {
  const { t } = useTranslation();
  return (
    <StorySection id="tickets" title={t("help.tickets.title")} empty={tickets.length === 0}>
      <TicketTable tickets={tickets} locale={locale} linkTo={(id) => `/support/tickets/${id}`} forAgents />
    </StorySection>
  );
}

export function DeletionSection({
  deletion,
  canCarryOut,
  outcome,
  locale,
}: {
  deletion: DeletionRequestView | null;
  canCarryOut: boolean;
  outcome?: ActionOutcome;
  locale: Locale;
}) {
  const { t } = useTranslation();
  if (!deletion) return null;
  return (
    <section id="deletion" className="panel" aria-labelledby="deletion-title">
      <h2 id="deletion-title">{t("help.deletion.title")}</h2>
      <p>
        <span className={`badge ${deletion.status === "done" ? "badge-danger" : "badge-warning"}`}>{t(`help.status.${deletion.status === "done" ? "closed" : "open"}`)}</span>{" "}
        {t("help.deletion.requestedAt", { date: formatDateTime(deletion.requestedAt, locale) })}{" "}
        {deletion.carriedOutAt ? t("help.deletion.doneAt", { date: formatDateTime(deletion.carriedOutAt, locale) }) : null}
      </p>
      {deletion.status === "pending" && canCarryOut ? (
        <>
          <p className="muted">{t("help.deletion.carryOutLead")}</p>
          <ReasonForm intent="carry_out_deletion" submitLabel={t("help.deletion.carryOut")} danger outcome={outcome} />
        </>
      ) : null}
    </section>
  );
}
