import { Form, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { TICKET_TOPIC_CHOICES } from "~/lib/ticket-topics";
import { Field } from "./field";
import { FormAlert } from "./form-alert";

interface ContactFormProps {
  /** The signed-in account's address; null for a visitor, who types one. */
  accountEmail: string | null;
  failure?: { formError?: string; fieldErrors: Record<string, string>; retryAfterSeconds?: number };
}

/** The Help page's contact form: opens a support ticket. */
export function ContactForm({ accountEmail, failure }: ContactFormProps) {
  const { t } = useTranslation();
  const busy = useNavigation().state === "submitting";
  const errors = failure?.fieldErrors ?? {};
  return (
    <Form method="post" noValidate className="contact-form">
      <p className="muted">{accountEmail ? t("help.page.contactSignedIn", { email: accountEmail }) : t("help.page.contactSignedOut")}</p>
      <FormAlert error={failure?.formError} retryAfterSeconds={failure?.retryAfterSeconds} />
      {accountEmail ? null : <Field name="email" type="email" label={t("help.form.email")} autoComplete="email" required maxLength={254} error={errors.email} />}
      <div className="field">
        <label htmlFor="field-topic">{t("help.form.topic")}</label>
        <select id="field-topic" name="topic" defaultValue="other" aria-invalid={errors.topic ? true : undefined}>
          {TICKET_TOPIC_CHOICES.map((topic) => (
            <option key={topic} value={topic}>
              {t(`help.form.topics.${topic}`)}
            </option>
          ))}
        </select>
        {errors.topic ? (
          <p className="field-error" role="alert">
            {t(errors.topic)}
          </p>
        ) : null}
      </div>
      <Field name="subject" label={t("help.form.subject")} maxLength={120} required autoComplete="off" error={errors.subject} />
      <div className="field">
        <label htmlFor="field-message">{t("help.form.message")}</label>
        <textarea
          id="field-message"
          name="message"
          rows={7}
          maxLength={5000}
          required
          aria-invalid={errors.message ? true : undefined}
          aria-describedby="field-message-hint"
        />
        <p className="field-hint" id="field-message-hint">
          {t("help.form.messageHint")}
        </p>
        {errors.message ? (
          <p className="field-error" role="alert">
            {t(errors.message)}
          </p>
        ) : null}
      </div>
      <button type="submit" className="button" disabled={busy}>
        {t("help.form.submit")}
      </button>
    </Form>
  );
}
