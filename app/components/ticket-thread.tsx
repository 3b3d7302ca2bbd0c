import { useTranslation } from "react-i18next";
import { formatDateTime, type Locale } from "~/lib/i18n";

export interface ThreadMessage {
  id: string;
  direction: "in" | "out";
  authorEmail: string | null;
  body: string;
  createdAt: string;
}

/** A ticket's messages, oldest first; bodies are plain text (line breaks kept by CSS). */
export function TicketThread({ messages, locale }: { messages: ThreadMessage[]; locale: Locale }) {
  const { t } = useTranslation();
  return (
    <ol className="ticket-thread">
      {messages.map((message) => (
        <li key={message.id} className={message.direction === "out" ? "ticket-message ticket-message-out" : "ticket-message"}>
          <p className="muted small">
            {message.direction === "out" ? t("help.tickets.fromAgent", { agent: message.authorEmail ?? "—" }) : t("help.tickets.fromPerson")} ·{" "}
            <time dateTime={message.createdAt}>{formatDateTime(message.createdAt, locale)}</time>
          </p>
          <p className="ticket-body">{message.body}</p>
        </li>
      ))}
    </ol>
  );
}
