// The usage page's filters: a GET form, so a filtered view is a link to share or reload.
import { Form } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import type { UsageKeyOption } from "~/domain/usage/query.server";

export interface UsageFilterValues {
  period: string;
  from: string;
  to: string;
  key: string;
  model: string;
  by: string;
}

export function UsageFilters({ values, keys, models }: { values: UsageFilterValues; keys: UsageKeyOption[]; models: string[] }) {
  const { t } = useTranslation();
  return (
    <Form method="get" className="panel queue-filters usage-filters" aria-label={t("usage.filters.title")}>
      <div className="field">
        <label htmlFor="usage-period">{t("usage.filters.period")}</label>
        <select id="usage-period" name="period" defaultValue={values.period}>
          {(["7", "30", "90", "custom"] as const).map((period) => (
            <option key={period} value={period}>
              {t(`usage.filters.periods.${period}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="usage-from">{t("usage.filters.from")}</label>
        <input id="usage-from" name="from" type="date" defaultValue={values.from} />
      </div>
      <div className="field">
        <label htmlFor="usage-to">{t("usage.filters.to")}</label>
        <input id="usage-to" name="to" type="date" defaultValue={values.to} />
      </div>
      <div className="field">
        <label htmlFor="usage-key">{t("usage.filters.key")}</label>
        <select id="usage-key" name="key" defaultValue={values.key}>
          <option value="">{t("usage.filters.any")}</option>
          {keys.map((key) => (
            <option key={key.id} value={key.id}>
              {key.name} ({key.label}){key.revoked ? ` · ${t("usage.filters.revoked")}` : ""}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="usage-model">{t("usage.filters.model")}</label>
        <select id="usage-model" name="model" defaultValue={values.model}>
          <option value="">{t("usage.filters.any")}</option>
          {models.map((model) => (
            <option key={model} value={model}>
              {model}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="usage-by">{t("usage.filters.by")}</label>
        <select id="usage-by" name="by" defaultValue={values.by}>
          <option value="model">{t("usage.filters.byModel")}</option>
          <option value="key">{t("usage.filters.byKey")}</option>
        </select>
      </div>
      <div className="field">
        <button type="submit" className="button">
          {t("usage.filters.apply")}
        </button>
      </div>
    </Form>
  );
}
