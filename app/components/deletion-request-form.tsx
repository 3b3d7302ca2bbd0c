import { Form, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Field } from "./field";
import { FormAlert } from "./form-alert";

/** The developer's request to delete their account: a confirmation box and the password again. */
export function DeletionRequestForm({ failure }: { failure?: { formError?: string; fieldErrors: Record<string, string>; retryAfterSeconds?: number } }) {
  const { t } = useTranslation();
  const busy = useNavigation().state === "submitting";
  const errors = failure?.fieldErrors ?? {};
  return (
    <Form method="post" noValidate>
      <p>{t("help.data.deleteLead")}</p>
      <FormAlert error={failure?.formError} retryAfterSeconds={failure?.retryAfterSeconds} />
      <div className="field field-checkbox">
        <label>
          <input type="checkbox" name="confirm" value="yes" required aria-invalid={errors.confirm ? true : undefined} /> {t("help.data.confirm")}
        </label>
        {errors.confirm ? (
          <p className="field-error" role="alert">
            {t(errors.confirm)}
          </p>
        ) : null}
      </div>
      <Field name="password" type="password" label={t("help.data.password")} hint={t("help.data.passwordHint")} autoComplete="current-password" required error={errors.password} />
      <button type="submit" className="button button-danger" disabled={busy}>
        {t("help.data.deleteButton")}
      </button>
    </Form>
  );
}
