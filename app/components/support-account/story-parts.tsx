// What every section of the support account page shares.
import { useTranslation } from "react-i18next";
import { formatDateTime, type Locale } from "~/lib/i18n";

export function When({ iso, locale }: { iso: string | null; locale: Locale }) {
  const { t } = useTranslation();
  return iso ? <time dateTime={iso}>{formatDateTime(iso, locale)}</time> : <span className="muted">{t("support.account.never")}</span>;
}

/** One part of the account's story: a heading, then its table or "Nothing yet.". */
export function StorySection({ id, title, empty, children }: { id: string; title: string; empty: boolean; children: React.ReactNode }) {
  const { t } = useTranslation();
  return (
    <section id={id} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {empty ? <p className="muted">{t("support.account.none")}</p> : children}
    </section>
  );
}
