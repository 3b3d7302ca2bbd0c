// The form of one key's limits: each field shows the provider's default it falls back to.
import { Form } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Field } from "~/components/field";
import type { KeyLimitValues } from "~/domain/key-limits/limits";
import { formatInteger } from "~/lib/i18n";
import { useLocale } from "~/lib/use-locale";

const COUNT_FIELDS = ["requestsPerMinute", "tokensPerMinute", "dailyTokens", "monthlyTokens"] as const;

interface KeyLimitsFormProps {
  own: KeyLimitValues | null;
  defaults: KeyLimitValues;
  fieldErrors: Record<string, string>;
  /** What was sent, shown again when it was refused. */
  sent?: Record<string, string>;
  busy: boolean;
}

export function KeyLimitsForm({ own, defaults, fieldErrors, sent, busy }: KeyLimitsFormProps) {
  const { t } = useTranslation();
  const locale = useLocale();
  const countValue = (field: (typeof COUNT_FIELDS)[number]) => sent?.[field] ?? (own?.[field] != null ? String(own[field]) : "");
  const listValue = (field: "allowedModels" | "allowedCidrs") => sent?.[field] ?? (own?.[field] ?? []).join("\n");
  const listDefault = (field: "allowedModels" | "allowedCidrs", anything: string) => (defaults[field] ? defaults[field]!.join(", ") : t(anything));
  return (
    <Form method="post" noValidate className="key-limits-form">
      <div className="key-limits-grid">
        {COUNT_FIELDS.map((field) => (
          <Field
            key={field}
            name={field}
            label={t(`keyLimits.fields.${field}`)}
            inputMode="numeric"
            autoComplete="off"
            defaultValue={countValue(field)}
            placeholder={defaults[field] !== null ? formatInteger(defaults[field]!, locale) : ""}
            hint={defaults[field] !== null ? t("keyLimits.hints.defaultValue", { value: formatInteger(defaults[field]!, locale) }) : t("keyLimits.hints.defaultNone")}
            error={fieldErrors[field]}
          />
        ))}
      </div>
      <ListField name="allowedModels" value={listValue("allowedModels")} hint={t("keyLimits.hints.models", { fallback: listDefault("allowedModels", "keyLimits.hints.anyModel") })} error={fieldErrors.allowedModels} />
      <ListField name="allowedCidrs" value={listValue("allowedCidrs")} hint={t("keyLimits.hints.cidrs", { fallback: listDefault("allowedCidrs", "keyLimits.hints.anyAddress") })} error={fieldErrors.allowedCidrs} />
      <p className="muted">{t("keyLimits.hints.windows")}</p>
      <button type="submit" className="button" disabled={busy}>
        {t("keyLimits.save")}
      </button>
    </Form>
  );
}

function ListField({ name, value, hint, error }: { name: string; value: string; hint: string; error?: string }) {
  const { t } = useTranslation();
  const id = `field-${name}`;
  return (
    <div className="field">
      <label htmlFor={id}>{t(`keyLimits.fields.${name}`)}</label>
      <textarea id={id} name={name} rows={3} defaultValue={value} spellCheck={false} aria-invalid={error ? true : undefined} aria-describedby={`${id}-hint${error ? ` ${id}-error` : ""}`} />
      <p className="field-hint" id={`${id}-hint`}>
        {hint}
      </p>
      {error ? (
        <p className="field-error" id={`${id}-error`} role="alert">
          {t(error)}
        </p>
      ) : null}
    </div>
  );
}

/** One line for the keys table: the key's own limits, or that the provider's defaults apply. */
export function KeyLimitsSummary({ own, defaults }: { own: KeyLimitValues | null; defaults: KeyLimitValues }) {
  const { t } = useTranslation();
  const locale = useLocale();
  if (!own) return <span className="muted">{Object.values(defaults).some((value) => value !== null) ? t("keyLimits.summaryDefault") : t("keyLimits.summaryNone")}</span>;
  const parts = [
    ...COUNT_FIELDS.filter((field) => own[field] !== null).map((field) => t(`keyLimits.summary.${field}`, { value: formatInteger(own[field]!, locale) })),
    ...(["allowedModels", "allowedCidrs"] as const).filter((field) => own[field] !== null).map((field) => t(`keyLimits.summary.${field}`, { count: own[field]!.length })),
  ];
  return <span className="key-limits-summary">{parts.join(" · ")}</span>;
}
