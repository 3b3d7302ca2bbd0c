import { Form, useNavigation } from "@remix-run/react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

export interface ActionOutcome {
  ok: boolean;
  intent: string;
  target?: string;
  formError?: string;
  fieldErrors?: Record<string, string>;
  /** A credit adjustment that now waits for a second staff member. */
  pending?: boolean;
}

/** One privileged action: a required reason, hidden fields naming what it acts on, one button. */
export function ReasonForm({
  intent,
  target,
  label,
  submitLabel,
  danger = false,
  outcome,
  hidden = {},
  children,
}: {
  intent: string;
  target?: string;
  label?: string;
  submitLabel: string;
  danger?: boolean;
  outcome?: ActionOutcome;
  hidden?: Record<string, string>;
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  const navigation = useNavigation();
  const busy = navigation.state === "submitting" && navigation.formData?.get("intent") === intent;
  const mine = outcome && outcome.intent === intent && (outcome.target ?? "") === (target ?? "") ? outcome : undefined;
  const id = `reason-${intent}${target ? `-${target}` : ""}`;
  const error = mine && !mine.ok ? (mine.fieldErrors?.reason ?? mine.formError) : undefined;
  return (
    <Form method="post" className="reason-form" key={mine?.ok ? `${id}-done` : id}>
      <input type="hidden" name="intent" value={intent} />
      {Object.entries(hidden).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      {children}
      <div className="field">
        <label htmlFor={id}>{label ?? t("support.actions.reason")}</label>
        <input id={id} name="reason" required minLength={5} maxLength={500} autoComplete="off" aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} />
        {error ? (
          <p className="field-error" id={`${id}-error`} role="alert">
            {t(error)}
          </p>
        ) : null}
      </div>
      <button type="submit" className={danger ? "button button-danger button-small" : "button button-secondary button-small"} disabled={busy}>
        {submitLabel}
      </button>
      {mine?.ok ? (
        <p className="field-hint" role="status">
          {t("support.actions.done")}
        </p>
      ) : null}
    </Form>
  );
}
