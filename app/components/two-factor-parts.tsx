// Pieces of the second-factor pages: setting up an authenticator app, and recovery codes shown once.
import { Form, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Field } from "./field";

export interface TotpEnrolmentView {
  secretForTyping: string;
  qrSvg: string;
}

export function TotpEnrolmentForm({ enrolment, error, hidden = {} }: { enrolment: TotpEnrolmentView; error?: string; hidden?: Record<string, string> }) {
  const { t } = useTranslation();
  const busy = useNavigation().state === "submitting";
  return (
    <div className="totp-enrolment">
      <ol className="enrol-steps">
        <li>{t("twoFactor.enrol.stepApp")}</li>
        <li>
          {t("twoFactor.enrol.stepScan")}
          {/* The SVG is generated on the server from our own otpauth:// URI, never from user input. */}
          <div className="qr-code" role="img" aria-label={t("twoFactor.enrol.qrLabel")} dangerouslySetInnerHTML={{ __html: enrolment.qrSvg }} />
          <p className="field-hint">{t("twoFactor.enrol.manual")}</p>
          <code className="totp-secret" data-testid="totp-secret">
            {enrolment.secretForTyping}
          </code>
          <p className="field-hint">{t("twoFactor.enrol.manualDetails")}</p>
        </li>
        <li>
          {t("twoFactor.enrol.stepCode")}
          <Form method="post" noValidate>
            <input type="hidden" name="intent" value="confirm" />
            {Object.entries(hidden).map(([name, value]) => (
              <input key={name} type="hidden" name={name} value={value} />
            ))}
            <Field name="code" label={t("twoFactor.codeLabel")} inputMode="numeric" autoComplete="one-time-code" pattern="[0-9 ]*" maxLength={7} required error={error} />
            <button type="submit" className="button" disabled={busy}>
              {t("twoFactor.enrol.submit")}
            </button>
          </Form>
        </li>
      </ol>
    </div>
  );
}

export function RecoveryCodesPanel({ codes, children }: { codes: string[]; children?: React.ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="recovery-codes" data-testid="recovery-codes">
      <h2>{t("twoFactor.recovery.title")}</h2>
      <p>{t("twoFactor.recovery.lead")}</p>
      <ul className="recovery-code-list">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      {children}
    </div>
  );
}
