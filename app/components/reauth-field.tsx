import { useTranslation } from "react-i18next";
import { Field } from "./field";

/** The password box shown when the last password entry is over 10 minutes old. */
export function ReauthField({ error }: { error?: string }) {
  const { t } = useTranslation();
  return (
    <fieldset className="reauth">
      <legend>{t("keys.reauth.title")}</legend>
      <p className="muted">{t("keys.reauth.body")}</p>
      <Field name="password" type="password" label={t("keys.reauth.password")} autoComplete="current-password" required error={error} />
    </fieldset>
  );
}
