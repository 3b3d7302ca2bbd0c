// The organization page before one belongs to an organization: accept an invitation, or create one.
import { Form, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Field } from "~/components/field";

export function CreateOrganizationPanel({ error }: { error?: string }) {
  const { t } = useTranslation();
  const busy = useNavigation().state === "submitting";
  return (
    <section className="panel narrow-left" aria-labelledby="create-organization-title">
      <h2 id="create-organization-title">{t("organization.createForm.title")}</h2>
      <p>{t("organization.createForm.lead")}</p>
      <Form method="post" noValidate>
        <input type="hidden" name="intent" value="create" />
        <Field name="name" label={t("organization.createForm.name")} maxLength={80} required autoComplete="organization" error={error} />
        <button type="submit" className="button" disabled={busy}>
          {t("organization.createForm.submit")}
        </button>
      </Form>
    </section>
  );
}

interface InvitationView {
  token: string;
  live: boolean;
  forMe: boolean;
  email?: string;
  role?: string;
  organizationName?: string;
}

export function InvitationPanel({ invitation, email }: { invitation: InvitationView; email: string }) {
  const { t } = useTranslation();
  const busy = useNavigation().state === "submitting";
  return (
    <section className="panel narrow-left" aria-labelledby="invitation-title" data-testid="organization-invitation">
      <h2 id="invitation-title">{t("organization.invitation.title")}</h2>
      {!invitation.live ? (
        <p>{t("organization.invitation.invalid")}</p>
      ) : !invitation.forMe ? (
        <p>{t("organization.invitation.otherAddress", { invited: invitation.email, email })}</p>
      ) : (
        <>
          <p>{t("organization.invitation.lead", { organization: invitation.organizationName, role: t(`organization.roles.${invitation.role}`) })}</p>
          <Form method="post">
            <input type="hidden" name="intent" value="accept" />
            <input type="hidden" name="token" value={invitation.token} />
            <button type="submit" className="button" disabled={busy}>
              {t("organization.invitation.accept")}
            </button>
          </Form>
        </>
      )}
    </section>
  );
}

/** Owners only: the organization's keys stop, its members leave; its credit history stays for support. */
export function DeleteOrganizationPanel({ error }: { error?: string }) {
  const { t } = useTranslation();
  return (
    <section className="panel narrow-left" aria-labelledby="delete-organization-title">
      <h2 id="delete-organization-title">{t("organization.deleteForm.title")}</h2>
      <p>{t("organization.deleteForm.lead")}</p>
      <Form method="post" noValidate>
        <input type="hidden" name="intent" value="delete" />
        <Field name="confirmName" label={t("organization.deleteForm.confirm")} maxLength={200} autoComplete="off" error={error} />
        <button type="submit" className="button button-danger">
          {t("organization.deleteForm.submit")}
        </button>
      </Form>
    </section>
  );
}
