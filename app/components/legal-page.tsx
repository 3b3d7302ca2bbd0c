import { useTranslation } from "react-i18next";
import { formatDate, type Locale } from "~/lib/i18n";
import { SafeMarkdown } from "./safe-markdown";

/** Terms and privacy: the provider-edited text (or its default) under a title. */
export function LegalPage({ titleKey, body, updatedAt, edited, locale }: { titleKey: string; body: string; updatedAt: string | null; edited: boolean; locale: Locale }) {
  const { t } = useTranslation();
  return (
    <article className="panel legal-page" aria-labelledby="legal-title">
      <h1 id="legal-title">{t(titleKey)}</h1>
      <SafeMarkdown source={body} />
      <p className="muted small">{edited && updatedAt ? t("help.legal.updated", { date: formatDate(updatedAt, locale) }) : t("help.legal.defaultNotice")}</p>
    </article>
  );
}
