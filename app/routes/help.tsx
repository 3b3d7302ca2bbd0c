import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { ContactForm } from "~/components/contact-form";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Notice } from "~/components/form-alert";
import { SafeMarkdown } from "~/components/safe-markdown";
import { TicketTable } from "~/components/ticket-parts";
import { getSiteText } from "~/domain/site-texts.server";
import { accountTicketSchema, listAccountTickets, openTicket, visitorTicketSchema } from "~/domain/support-tickets.server";
import { getOptionalUser, requestOrigin } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { invalidForm } from "~/lib/form-response.server";
import { formFields } from "~/lib/forms";
import { resolveLocale } from "~/lib/locale.server";
import { pageTitle } from "~/lib/meta";
import { tooManyRequests } from "~/lib/rate-limit.server";
import { useRootData } from "~/root";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["help"] };

export const meta: MetaFunction = (args) => pageTitle(args, "help.page.title");

// Anyone may read the FAQ and write to support; a signed-in account's request is tied to it.
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getOptionalUser(request);
  const db = getDb();
  const locale = await resolveLocale(request, user?.locale);
  const faq = await getSiteText(db, "faq", locale);
  const tickets = user ? await listAccountTickets(db, user.id, 20) : [];
  return { faq: faq.body, accountEmail: user?.email ?? null, tickets };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await getOptionalUser(request);
  const fields = formFields(await request.formData());
  const parsed = user ? accountTicketSchema.safeParse(fields) : visitorTicketSchema.safeParse(fields);
  if (!parsed.success) return invalidForm(parsed.error);
  const sender = {
    account: user ? { id: user.id, email: user.email, locale: user.locale } : null,
    email: "email" in parsed.data ? String(parsed.data.email) : undefined,
    locale: await resolveLocale(request, user?.locale),
    ip: requestOrigin(request, context).ip,
  };
  const result = await openTicket(getDb(), sender, parsed.data);
  if (!result.ok) return tooManyRequests(result.retryAfterSeconds);
  return data({ ok: true as const, ticketId: result.ticketId });
}

export default function Help() {
  const { faq, accountEmail, tickets } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation();
  const locale = useRootData()?.locale ?? "en";
  const failure = actionData && !actionData.ok ? actionData : undefined;
  return (
    <article className="help-page" aria-labelledby="help-title">
      <h1 id="help-title">{t("help.page.title")}</h1>
      <p className="lead">{t("help.page.lead")}</p>
      <nav className="section-nav" aria-label={t("help.page.title")}>
        <a href="#faq">{t("help.page.faqTitle")}</a>
        <a href="#contact">{t("help.page.contactTitle")}</a>
      </nav>
      <section id="faq" className="panel" aria-labelledby="faq-title">
        <h2 id="faq-title">{t("help.page.faqTitle")}</h2>
        <SafeMarkdown source={faq} className="prose faq" headingLevel={3} />
      </section>
      <section id="contact" className="panel narrow-left" aria-labelledby="contact-title">
        <h2 id="contact-title">{t("help.page.contactTitle")}</h2>
        <p>{t("help.page.contactLead")}</p>
        {actionData?.ok ? <Notice>{t("help.page.sent", { id: actionData.ticketId })}</Notice> : <ContactForm accountEmail={accountEmail} failure={failure} />}
      </section>
      {tickets.length > 0 ? (
        <section id="your-requests" aria-labelledby="your-requests-title">
          <h2 id="your-requests-title">{t("help.page.yourRequests")}</h2>
          <TicketTable tickets={tickets} locale={locale} />
        </section>
      ) : null}
    </article>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
