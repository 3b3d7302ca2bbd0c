import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { formatDateTime, type Locale } from "~/lib/i18n";

const STATUS_BADGE: Record<string, string> = { open: "badge-warning", assigned: "", closed: "badge-success" };

export function TicketStatusBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  return <span className={`badge ${STATUS_BADGE[status] ?? ""}`}>{t(`help.status.${status}`, { defaultValue: status })}</span>;
}

export interface TicketRow {
  id: string;
  email: string;
  topic: string;
  subject: string;
  status: string;
  assigneeEmail: string | null;
  updatedAt: string;
}

/**
 * A list of tickets. `linkTo` makes each subject a link (the console); the person's own list on
 * the Help page leaves it out, as do the columns only agents need.
 */
export function TicketTable({ tickets, locale, linkTo, forAgents }: { tickets: TicketRow[]; locale: Locale; linkTo?: (id: string) => string; forAgents?: boolean }) {
  const { t } = useTranslation();
  return (
    <div>
      <table className="table stack-table" data-testid="ticket-table">
        <thead>
          <tr>
            <th scope="col">{t("help.tickets.subject")}</th>
            {forAgents ? <th scope="col">{t("help.tickets.from")}</th> : null}
            <th scope="col">{t("help.tickets.status")}</th>
            {forAgents ? <th scope="col">{t("help.tickets.assignee")}</th> : null}
            <th scope="col">{t("help.tickets.updated")}</th>
          </tr>
        </thead>
        <tbody>
          {tickets.map((ticket) => (
            <tr key={ticket.id}>
              <td data-label={t("help.tickets.subject")}>
                {linkTo ? <Link to={linkTo(ticket.id)}>{ticket.subject}</Link> : ticket.subject}
                <div className="muted small">
                  <code>{ticket.id}</code> · {t(`help.form.topics.${ticket.topic}`, { defaultValue: ticket.topic })}
                </div>
              </td>
              {forAgents ? (
                <td className="break-anywhere" data-label={t("help.tickets.from")}>
                  {ticket.email}
                </td>
              ) : null}
              <td data-label={t("help.tickets.status")}>
                <TicketStatusBadge status={ticket.status} />
              </td>
              {forAgents ? <td className="break-anywhere" data-label={t("help.tickets.assignee")}>{ticket.assigneeEmail ?? <span className="muted">{t("help.tickets.unassigned")}</span>}</td> : null}
              <td data-label={t("help.tickets.updated")}>
                <time dateTime={ticket.updatedAt}>{formatDateTime(ticket.updatedAt, locale)}</time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
