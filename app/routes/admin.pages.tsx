import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormAlert, Notice } from "~/components/form-alert";
import { SafeMarkdown } from "~/components/safe-markdown";
import { SITE_TEXT_KINDS, SITE_TEXT_MAX_CHARS } from "~/domain/site-text-kinds";
import { getSiteText, siteTextEditSchema, updateSiteText } from "~/domain/site-texts.server";
import { requestOrigin, requireRole } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { formFailure, invalidForm } from "~/lib/form-response.server";
import { formFields } from "~/lib/forms";
import { formatDateTime, isLocale, LOCALE_NAMES, SUPPORTED_LOCALES } from "~/lib/i18n";
import { pageTitle } from "~/lib/meta";
import { useRootData } from "~/root";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["help"] };

export const meta: MetaFunction = (args) => pageTitle(args, "help.admin.title");

function chosen(url: URL) {
  const kind = SITE_TEXT_KINDS.find((candidate) => candidate === url.searchParams.get("kind")) ?? "faq";
  const locale = url.searchParams.get("locale");
  return { kind, locale: isLocale(locale) ? locale : "en" };
}

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "admin");
  const { kind, locale } = chosen(new URL(request.url));
  return { text: await getSiteText(getDb(), kind, locale) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const admin = await requireRole(request, "admin");
  const parsed = siteTextEditSchema.safeParse(formFields(await request.formData()));
  if (!parsed.success) return invalidForm(parsed.error);
  const result = await updateSiteText(getDb(), { id: admin.id, role: admin.role, ip: requestOrigin(request, context).ip }, parsed.data);
  if (!result.ok) return formFailure("help.errors.forbidden", 403);
  return data({ ok: true as const });
}

export default function AdminPages() {
  const { text } = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  const { t } = useTranslation();
  const locale = useRootData()?.locale ?? "en";
  const busy = useNavigation().state === "submitting";
  const failure = outcome && !outcome.ok ? outcome : undefined;
  return (
    <section aria-labelledby="pages-title">
      <h1 id="pages-title">{t("help.admin.title")}</h1>
      <p className="muted">{t("help.admin.lead")}</p>
      <nav className="section-nav" aria-label={t("help.admin.title")}>
        {SITE_TEXT_KINDS.flatMap((kind) =>
          SUPPORTED_LOCALES.map((language) => (
            <Link key={`${kind}-${language}`} to={`?kind=${kind}&locale=${language}`} aria-current={kind === text.kind && language === text.locale ? "page" : undefined}>
              {t(`help.admin.kind.${kind}`)} · {LOCALE_NAMES[language]}
            </Link>
          )),
        )}
      </nav>
      {outcome?.ok ? <Notice>{t("help.admin.saved")}</Notice> : null}
      <FormAlert error={failure?.formError} />
      <p className="muted">{text.edited && text.updatedAt ? t("help.admin.editedBy", { date: formatDateTime(text.updatedAt, locale) }) : t("help.admin.usingDefault")}</p>
      {/* Keyed by text, so switching kind or language refills the box. */}
      <Form method="post" key={`${text.kind}-${text.locale}-${text.updatedAt ?? "default"}`} className="site-text-form">
        <input type="hidden" name="kind" value={text.kind} />
        <input type="hidden" name="locale" value={text.locale} />
        <div className="field">
          <label htmlFor="field-body">
            {t("help.admin.body")}: {t(`help.admin.kind.${text.kind}`)} · {LOCALE_NAMES[text.locale]}
          </label>
          <textarea id="field-body" name="body" rows={18} maxLength={SITE_TEXT_MAX_CHARS} defaultValue={text.body} lang={text.locale === "zh" ? "zh-CN" : "en"} aria-describedby="field-body-hint" />
          <p className="field-hint" id="field-body-hint">
            {t("help.admin.formatHint")}
          </p>
          {failure?.fieldErrors.body ? (
            <p className="field-error" role="alert">
              {t(failure.fieldErrors.body)}
            </p>
          ) : null}
        </div>
        <button type="submit" className="button" disabled={busy}>
          {t("help.admin.save")}
        </button>
      </Form>
      <section className="panel" aria-labelledby="preview-title">
        <h2 id="preview-title">{t("help.admin.preview")}</h2>
        <SafeMarkdown source={text.body} headingLevel={3} />
      </section>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
