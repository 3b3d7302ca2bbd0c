// The sessions list, shared by a user's own sessions page and the admin's view of an account.
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { AccountSession } from "~/domain/account-sessions.server";
import { formatDateTime, type Locale } from "~/lib/i18n";

export function SessionTable({ sessions, locale, actions }: { sessions: AccountSession[]; locale: Locale; actions?: (session: AccountSession) => ReactNode }) {
  const { t } = useTranslation();
  const unknown = t("sessions.unknown");
  return (
    <div className="session-table">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">{t("sessions.device")}</th>
            <th scope="col">{t("sessions.ip")}</th>
            <th scope="col">{t("sessions.created")}</th>
            <th scope="col">{t("sessions.lastSeen")}</th>
            {actions ? <th scope="col"><span className="visually-hidden">{t("sessions.actions")}</span></th> : null}
          </tr>
        </thead>
        <tbody>
          {sessions.map((session) => (
            <tr key={session.key} data-testid="session-row">
              <td data-label={t("sessions.device")}>
                {t("sessions.deviceName", { browser: session.browser ?? unknown, os: session.os ?? unknown })}
                {session.current ? <span className="badge"> {t("sessions.thisDevice")}</span> : null}
                {session.waitingForSecondFactor ? <span className="badge badge-warning"> {t("sessions.waiting")}</span> : null}
              </td>
              <td data-label={t("sessions.ip")}>{session.ip ?? unknown}</td>
              <td data-label={t("sessions.created")}>{formatDateTime(session.createdAt, locale)}</td>
              <td data-label={t("sessions.lastSeen")}>{formatDateTime(session.lastSeenAt, locale)}</td>
              {actions ? <td>{actions(session)}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
