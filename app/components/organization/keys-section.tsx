// The organization's keys: any member creates one (it spends the organization's credit, counted
// against the member's budget); the list says who created each.
import { Form } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Field } from "~/components/field";
import { ReauthField } from "~/components/reauth-field";
import type { OrganizationKeyView } from "~/domain/organizations.server";
import { formatDateTime, isLocale } from "~/lib/i18n";
import { useRootData } from "~/root";

interface Props {
  userId: string;
  role: string;
  keys: OrganizationKeyView[];
  form: { token: string; needsPassword: boolean } | null;
  failure?: { fieldErrors?: Record<string, string>; needsPassword?: boolean };
}

export function OrganizationKeysSection({ keys, form, failure, userId, role }: Props) {
  const { t } = useTranslation();
  const rootLocale = useRootData()?.locale;
  const locale = isLocale(rootLocale) ? rootLocale : "en";
  return (
    <section aria-labelledby="organization-keys-title">
      <h2 id="organization-keys-title">{t("organization.keys.title")}</h2>
      <p className="muted">{t("organization.keys.lead")}</p>
      {keys.length === 0 ? (
        <p className="muted">{t("organization.keys.empty")}</p>
      ) : (
        <div className="table-scroll">
          <table className="table stack-table" data-testid="organization-keys">
            <thead>
              <tr>
                <th scope="col">{t("keys.columns.name")}</th>
                <th scope="col">{t("keys.columns.key")}</th>
                <th scope="col">{t("organization.keys.createdBy")}</th>
                <th scope="col">{t("keys.columns.created")}</th>
                <th scope="col">{t("keys.columns.status")}</th>
                <th scope="col">{t("keys.columns.actions")}</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => (
                <tr key={key.id}>
                  <td data-label={t("keys.columns.name")}>{key.name}</td>
                  <td data-label={t("keys.columns.key")}>
                    <code>{`${key.visiblePrefix}…${key.lastFour}`}</code>
                  </td>
                  <td data-label={t("organization.keys.createdBy")}>{key.createdByEmail ?? "—"}</td>
                  <td data-label={t("keys.columns.created")}>{formatDateTime(key.createdAt, locale)}</td>
                  <td data-label={t("keys.columns.status")}>{t(`organization.keys.status.${key.status}`)}</td>
                  <td data-label={t("keys.columns.actions")}>
                    {key.status !== "revoked" && (role !== "member" || key.createdBy === userId) ? (
                      <Form method="post" className="inline-form">
                        <input type="hidden" name="intent" value="revoke_key" />
                        <input type="hidden" name="keyId" value={key.id} />
                        <button type="submit" className="button button-small button-danger">
                          {t("organization.keys.revoke")}
                        </button>
                      </Form>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {form ? (
        <div className="panel narrow-left">
          <h3>{t("organization.keys.create")}</h3>
          <Form method="post" noValidate>
            <input type="hidden" name="intent" value="create_key" />
            <input type="hidden" name="formToken" value={form.token} />
            <Field name="name" label={t("keys.new.name")} hint={t("keys.new.nameHint")} maxLength={60} required autoComplete="off" error={failure?.fieldErrors?.name} />
            {form.needsPassword || failure?.needsPassword ? <ReauthField error={failure?.fieldErrors?.password} /> : null}
            <button type="submit" className="button">
              {t("organization.keys.submit")}
            </button>
          </Form>
        </div>
      ) : null}
    </section>
  );
}
