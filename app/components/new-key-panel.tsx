// The one and only view of a new key's secret, with snippets that already contain it.
import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import type { ApiKeySummary } from "~/domain/api-keys.server";
import { formatDateTime, isLocale } from "~/lib/i18n";
import type { SnippetsView } from "~/lib/snippets-view.server";
import { useRootData } from "~/root";
import { CopyButton } from "./copy-button";
import { SnippetList } from "./snippet-list";

export interface NewKeyPanelProps {
  keyText: string;
  apiKey: Pick<ApiKeySummary, "name" | "expiresAt">;
  snippets: SnippetsView;
  previous?: { label: string; until: string | null } | null;
}

export function NewKeyPanel({ keyText, apiKey, snippets, previous }: NewKeyPanelProps) {
  const { t } = useTranslation();
  const rootLocale = useRootData()?.locale;
  const locale = isLocale(rootLocale) ? rootLocale : "en";
  return (
    <>
      <section className="panel new-key" aria-labelledby="new-key-title" data-testid="new-key-panel">
        <h1 id="new-key-title">{t("keys.created.title")}</h1>
        <div className="alert alert-warning" role="status">
          {t("keys.created.once")}
        </div>
        <p className="muted">
          {t("keys.created.name", { name: apiKey.name })}
          {apiKey.expiresAt ? ` · ${t("keys.created.expires", { date: formatDateTime(apiKey.expiresAt, locale) })}` : null}
        </p>
        <label className="key-label" htmlFor="new-key-value">
          {t("keys.created.keyLabel")}
        </label>
        <div className="key-reveal">
          <code id="new-key-value" className="key-value" data-testid="new-key-value">
            {keyText}
          </code>
          <CopyButton text={keyText} targetId="new-key-value" />
        </div>
        {previous ? (
          <p>
            {previous.until
              ? t("keys.created.rolledNotice", { key: previous.label, until: formatDateTime(previous.until, locale) })
              : t("keys.created.rolledNow", { key: previous.label })}
          </p>
        ) : null}
        <p>
          <Link to="/account/keys">{t("keys.created.back")}</Link>
        </p>
      </section>
      <h2>{t("keys.created.snippetsTitle")}</h2>
      <p className="muted">{t("keys.created.snippetsLead")}</p>
      <SnippetList view={snippets} />
    </>
  );
}
