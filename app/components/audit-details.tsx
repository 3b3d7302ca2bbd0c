// An audit entry's JSON details as short labelled lines, readable in a narrow column: field names
// and coded values (evidence kinds, reasons, roles…) in the reader's language.
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { AUDIT_VALUE_LABELS, isAuditAction } from "~/domain/audit-vocabulary";
import { formatInteger, isLocale, type Locale } from "~/lib/i18n";

// Coded values are named without the numbers of the event that raised them (those are elsewhere).
const ELIDED = Object.fromEntries(["detail", "model", "similarity", "days", "day", "first", "second", "columns", "column", "found", "expected", "pages", "limit"].map((name) => [name, "…"]));

function describe(value: unknown, t: TFunction, locale: Locale, labels?: string): string {
  if (value === null || value === undefined || value === "") return "—";
  if (Array.isArray(value)) return value.length === 0 ? "—" : value.map((item) => describe(item, t, locale, labels)).join(", ");
  if (typeof value === "object") {
    return Object.entries(value as Record<string, unknown>)
      .map(([key, inner]) => `${fieldLabel(key, t)}: ${describe(inner, t, locale, AUDIT_VALUE_LABELS[key])}`)
      .join("; ");
  }
  if (typeof value === "number") return formatInteger(value, locale);
  const text = String(value);
  return labels ? t(`${labels}.${text}`, { defaultValue: text, ...ELIDED }) : text;
}

function fieldLabel(key: string, t: TFunction): string {
  return t(`audit.fields.${key}`, { defaultValue: key.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/_/g, " ").toLowerCase() });
}

/** The action's label; an action this version does not know (older rows) shows as recorded. */
export function AuditActionLabel({ action }: { action: string }) {
  const { t } = useTranslation();
  if (!isAuditAction(action)) return <code>{action}</code>;
  return <span title={action}>{t(`audit.actions.${action}`)}</span>;
}

export function AuditDetails({ details }: { details: string }) {
  const { t, i18n } = useTranslation();
  const locale: Locale = isLocale(i18n.language) ? i18n.language : "en";
  let parsed: unknown;
  try {
    parsed = JSON.parse(details);
  } catch {
    return <span className="details-cell">{details}</span>;
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return <span className="details-cell">{describe(parsed, t, locale)}</span>;
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (entries.length === 0) return null;
  return (
    <dl className="audit-details">
      {entries.map(([key, value]) => (
        <div key={key}>
          <dt>{fieldLabel(key, t)}</dt>
          <dd>{describe(value, t, locale, AUDIT_VALUE_LABELS[key])}</dd>
        </div>
      ))}
    </dl>
  );
}
