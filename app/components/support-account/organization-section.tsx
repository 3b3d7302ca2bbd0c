// An organization on the support account page: who belongs to it, their roles, budgets and this
// month's usage, and who created each of its keys. A person's page links to their organization.
import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import type { AccountStory } from "~/domain/support-account.server";
import { formatInteger, type Locale } from "~/lib/i18n";

export function OrganizationSection({ organization, memberOf, locale }: { organization: AccountStory["organization"]; memberOf: AccountStory["memberOf"]; locale: Locale }) {
  const { t } = useTranslation();
  if (!organization) {
    if (!memberOf) return null;
    return (
      <section id="organization" aria-labelledby="organization-title">
        <h2 id="organization-title">{t("support.organization.title")}</h2>
        <p>
          {t("support.organization.memberOf", { role: t(`organization.roles.${memberOf.role}`) })}{" "}
          <Link to={`/support/accounts/${memberOf.ledgerAccountId}`}>{memberOf.name}</Link>
        </p>
      </section>
    );
  }
  return (
    <section id="organization" aria-labelledby="organization-title">
      <h2 id="organization-title">{t("support.organization.members")}</h2>
      {organization.organization.deletedAt ? <p className="badge badge-danger">{t("support.organization.deleted")}</p> : null}
      <table className="table stack-table" data-testid="support-organization-members">
        <thead>
          <tr>
            <th scope="col">{t("organization.members.email")}</th>
            <th scope="col">{t("organization.members.role")}</th>
            <th scope="col">{t("organization.members.budget")}</th>
            <th scope="col">{t("organization.members.usage")}</th>
            <th scope="col">{t("organization.members.keys")}</th>
          </tr>
        </thead>
        <tbody>
          {organization.members.map((member) => (
            <tr key={member.userId}>
              <td data-label={t("organization.members.email")}>
                <Link to={`/support/accounts/${member.userId}`}>{member.email}</Link>
              </td>
              <td data-label={t("organization.members.role")}>{t(`organization.roles.${member.role}`)}</td>
              <td data-label={t("organization.members.budget")}>{member.monthlyTokenBudget === null ? t("organization.members.noBudget") : formatInteger(member.monthlyTokenBudget, locale)}</td>
              <td data-label={t("organization.members.usage")}>{formatInteger(member.monthTokens, locale)}</td>
              <td data-label={t("organization.members.keys")}>{formatInteger(member.activeKeys, locale)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {organization.invitations.length > 0 ? (
        <>
          <h3>{t("organization.invitations.title")}</h3>
          <ul className="compact-list">
            {organization.invitations.map((invitation) => (
              <li key={invitation.id}>
                {invitation.email} · {t(`organization.roles.${invitation.role}`)}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {organization.keys.length > 0 ? (
        <>
          <h3>{t("support.organization.keysByMember")}</h3>
          <ul className="compact-list">
            {organization.keys.map((key) => (
              <li key={key.id}>
                <code>{`${key.visiblePrefix}…${key.lastFour}`}</code> {key.name} · {key.createdByEmail ?? "—"} · {t(`organization.keys.status.${key.status}`)}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
