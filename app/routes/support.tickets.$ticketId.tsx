import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormAlert, Notice } from "~/components/form-alert";
import { TicketStatusBadge } from "~/components/ticket-parts";
import { TicketThread } from "~/components/ticket-thread";
import { assignTicket, closeTicket, getTicket, replySchema, replyToTicket, type TicketActionResult } from "~/domain/support-tickets.server";
import { requestOrigin, requireRole } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { fieldErrorsOf, formFields } from "~/lib/forms";
import { LOCALE_NAMES, isLocale } from "~/lib/i18n";
import { pageTitle } from "~/lib/meta";
import { useRootData } from "~/root";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["help"] };

export const meta: MetaFunction = (args) => pageTitle(args, "help.tickets.ticket");

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireRole(request, "support");
  const found = await getTicket(getDb(), params.ticketId ?? "");
  if (!found) throw new Response("Not Found", { status: 404 });
  return { ...found, viewerId: user.id };
}

// Built on first use by the action only: `replySchema` lives in a server module, absent from the
// browser bundle, where a schema built at module level would stop the page from hydrating.
const intentSchema = () =>
  z.discriminatedUnion("intent", [
    z.object({ intent: z.literal("assign") }),
    z.object({ intent: z.literal("reply") }).merge(replySchema),
    z.object({ intent: z.literal("close") }),
  ]);

const FAILURE_STATUS: Record<string, number> = { not_found: 404, forbidden: 403, mail_failed: 502 };

type TicketOutcome = { ok: true; intent: string } | { ok: false; intent: string; formError: string; fieldErrors: Record<string, string> };

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireRole(request, "support");
  const fields = formFields(await request.formData());
  const parsed = intentSchema().safeParse(fields);
  if (!parsed.success) {
    return data<TicketOutcome>({ ok: false, intent: fields.intent ?? "", formError: "errors.invalidForm", fieldErrors: fieldErrorsOf(parsed.error) }, { status: 400 });
  }
  const db = getDb();
  const actor = { id: user.id, role: user.role, ip: requestOrigin(request, context).ip };
  const ticketId = params.ticketId ?? "";
  let result: TicketActionResult;
  switch (parsed.data.intent) {
    case "assign":
      result = await assignTicket(db, actor, ticketId);
      break;
    case "reply":
      result = await replyToTicket(db, actor, ticketId, parsed.data.message);
      break;
    case "close":
      result = await closeTicket(db, actor, ticketId);
      break;
  }
  if (!result.ok) {
    return data<TicketOutcome>({ ok: false, intent: parsed.data.intent, formError: `help.errors.${result.reason}`, fieldErrors: {} }, { status: FAILURE_STATUS[result.reason] ?? 409 });
  }
  return data<TicketOutcome>({ ok: true, intent: parsed.data.intent });
}

export default function SupportTicket() {
  const { ticket, messages, viewerId } = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  const { t } = useTranslation();
  const locale = useRootData()?.locale ?? "en";
  const busy = useNavigation().state === "submitting";
  const closed = ticket.status === "closed";
  const failure = outcome && !outcome.ok ? outcome : undefined;
  return (
    <article aria-labelledby="ticket-title" className="ticket-page">
      <p>
        <Link to="/support/tickets">← {t("help.tickets.back")}</Link>
      </p>
      <h1 id="ticket-title" className="break-anywhere">
        {ticket.subject}
      </h1>
      <p className="muted">
        <code>{ticket.id}</code> · {t(`help.form.topics.${ticket.topic}`, { defaultValue: ticket.topic })} · <TicketStatusBadge status={ticket.status} />
      </p>
      {outcome?.ok ? <Notice>{t(`help.tickets.done.${outcome.intent}`)}</Notice> : null}
      <FormAlert error={failure?.formError} />
      <dl className="profile-facts panel">
        <dt>{t("help.tickets.from")}</dt>
        <dd className="break-anywhere">{ticket.email}</dd>
        <dt>{t("help.tickets.account")}</dt>
        <dd className="break-anywhere">{ticket.accountId ? <Link to={`/support/accounts/${ticket.accountId}#tickets`}>{ticket.accountId}</Link> : <span className="muted">{t("help.tickets.noAccount")}</span>}</dd>
        <dt>{t("help.tickets.language")}</dt>
        <dd>{isLocale(ticket.locale) ? LOCALE_NAMES[ticket.locale] : ticket.locale}</dd>
        <dt>{t("help.tickets.assignee")}</dt>
        <dd>{ticket.assigneeEmail ?? <span className="muted">{t("help.tickets.unassigned")}</span>}</dd>
      </dl>
      <h2>{t("help.tickets.thread")}</h2>
      <TicketThread messages={messages} locale={locale} />
      {closed ? (
        <p className="muted">{t("help.tickets.reopenHint")}</p>
      ) : (
        <div className="ticket-actions">
          <Form method="post" className="panel" key={outcome?.ok && outcome.intent === "reply" ? `reply-${messages.length}` : "reply"}>
            <input type="hidden" name="intent" value="reply" />
            <div className="field">
              <label htmlFor="field-message">{t("help.tickets.replyLabel")}</label>
              <textarea id="field-message" name="message" rows={6} maxLength={5000} required />
              {failure?.fieldErrors.message ? (
                <p className="field-error" role="alert">
                  {t(failure.fieldErrors.message)}
                </p>
              ) : null}
            </div>
            <button type="submit" className="button" disabled={busy}>
              {t("help.tickets.sendReply")}
            </button>
          </Form>
          <div className="button-row">
            {ticket.assigneeId !== viewerId ? (
              <Form method="post">
                <input type="hidden" name="intent" value="assign" />
                <button type="submit" className="button button-secondary" disabled={busy}>
                  {t("help.tickets.assignToMe")}
                </button>
              </Form>
            ) : null}
            <Form method="post">
              <input type="hidden" name="intent" value="close" />
              <button type="submit" className="button button-secondary" disabled={busy}>
                {t("help.tickets.close")}
              </button>
            </Form>
          </div>
        </div>
      )}
    </article>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
