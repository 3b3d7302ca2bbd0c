// Members with this month's usage by member; owners and admins invite, change roles and budgets, remove.
import { Form } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Field } from "~/components/field";
import type { InvitationView, MemberView } from "~/domain/organizations.server";
import { formatDateTime, formatInteger, isLocale } from "~/lib/i18n";
import { useRootData } from "~/root";

const ROLES = ["owner", "admin", "member"] as const;

interface Props {
  organization: { role: string; month: string; members: MemberView[]; invitations: InvitationView[] };
  userId: string;
  fieldErrors: Record<string, string>;
}

export function MembersSection({ organization, userId, fieldErrors }: Props) {
  const { t } = useTranslation();
  const rootLocale = useRootData()?.locale;
  const locale = isLocale(rootLocale) ? rootLocale : "en";
  const manager = organization.role === "owner" || organization.role === "admin";
  const mayTouch = (role: string) => manager && (organization.role === "owner" || role !== "owner");
  return (
    <section aria-labelledby="members-title">
      <h2 id="members-title">{t("organization.members.title")}</h2>
      <p className="muted">{t("organization.members.lead", { month: organization.month })}</p>
      <div className="table-scroll">
        <table className="table stack-table" data-testid="organization-members">
          <thead>
            <tr>
              <th scope="col">{t("organization.members.email")}</th>
              <th scope="col">{t("organization.members.role")}</th>
              <th scope="col">{t("organization.members.usage")}</th>
              <th scope="col">{t("organization.members.budget")}</th>
              <th scope="col">{t("organization.members.keys")}</th>
              {manager ? <th scope="col">{t("organization.members.actions")}</th> : null}
            </tr>
          </thead>
          <tbody>
            {organization.members.map((member) => (
              <tr key={member.userId} data-testid="organization-member" data-email={member.email}>
                <td data-label={t("organization.members.email")}>{member.email}</td>
                <td data-label={t("organization.members.role")} className="nowrap">
                  {t(`organization.roles.${member.role}`)}
                </td>
                <td data-label={t("organization.members.usage")} data-testid="member-usage">
                  {formatInteger(member.monthTokens, locale)}
                </td>
                <td data-label={t("organization.members.budget")}>{member.monthlyTokenBudget === null ? t("organization.members.noBudget") : formatInteger(member.monthlyTokenBudget, locale)}</td>
                <td data-label={t("organization.members.keys")}>{formatInteger(member.activeKeys, locale)}</td>
                {manager ? (
                  <td data-label={t("organization.members.actions")}>
                    {mayTouch(member.role) ? (
                      <div className="inline-forms">
                        <Form method="post" className="inline-form">
                          <input type="hidden" name="intent" value="role" />
                          <input type="hidden" name="userId" value={member.userId} />
                          <label className="visually-hidden" htmlFor={`role-${member.userId}`}>
                            {t("organization.members.role")}
                          </label>
                          <select id={`role-${member.userId}`} name="role" defaultValue={member.role}>
                            {ROLES.filter((role) => organization.role === "owner" || role !== "owner").map((role) => (
                              <option key={role} value={role}>
                                {t(`organization.roles.${role}`)}
                              </option>
                            ))}
                          </select>
                          <button type="submit" className="button button-small">
                            {t("organization.members.saveRole")}
                          </button>
                        </Form>
                        <Form method="post" className="inline-form">
                          <input type="hidden" name="intent" value="budget" />
                          <input type="hidden" name="userId" value={member.userId} />
                          <label className="visually-hidden" htmlFor={`budget-${member.userId}`}>
                            {t("organization.members.budget")}
                          </label>
                          <input id={`budget-${member.userId}`} name="budget" inputMode="numeric" size={12} defaultValue={member.monthlyTokenBudget ?? ""} placeholder={t("organization.members.noBudget")} />
                          <button type="submit" className="button button-small">
                            {t("organization.members.saveBudget")}
                          </button>
                        </Form>
                        {member.userId !== userId ? (
                          <Form method="post" className="inline-form">
                            <input type="hidden" name="intent" value="remove" />
                            <input type="hidden" name="userId" value={member.userId} />
                            <button type="submit" className="button button-small button-danger">
                              {t("organization.members.remove")}
                            </button>
                          </Form>
                        ) : null}
                      </div>
                    ) : null}
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {organization.role !== "owner" ? (
        <Form method="post" className="inline-form">
          <input type="hidden" name="intent" value="remove" />
          <input type="hidden" name="userId" value={userId} />
          <button type="submit" className="button button-small button-danger">
            {t("organization.members.leave")}
          </button>
        </Form>
      ) : null}
      {fieldErrors.budget ? (
        <p className="field-error" role="alert">
          {t(fieldErrors.budget)}
        </p>
      ) : null}
      {manager ? (
        <div className="panel narrow-left">
          <h3>{t("organization.inviteForm.title")}</h3>
          <Form method="post" noValidate>
            <input type="hidden" name="intent" value="invite" />
            <Field name="email" type="email" label={t("organization.inviteForm.email")} maxLength={254} required autoComplete="off" error={fieldErrors.email} />
            <div className="field">
              <label htmlFor="field-invite-role">{t("organization.members.role")}</label>
              <select id="field-invite-role" name="role" defaultValue="member">
                {ROLES.filter((role) => organization.role === "owner" || role !== "owner").map((role) => (
                  <option key={role} value={role}>
                    {t(`organization.roles.${role}`)}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" className="button">
              {t("organization.inviteForm.submit")}
            </button>
          </Form>
        </div>
      ) : null}
      {organization.invitations.length > 0 ? (
        <>
          <h3>{t("organization.invitations.title")}</h3>
          <ul className="compact-list" data-testid="organization-invitations">
            {organization.invitations.map((invitation) => (
              <li key={invitation.id}>
                {invitation.email} · {t(`organization.roles.${invitation.role}`)} · {t("organization.invitations.expires", { date: formatDateTime(invitation.expiresAt, locale) })}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
