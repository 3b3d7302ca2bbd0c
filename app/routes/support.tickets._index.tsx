import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { TicketTable } from "~/components/ticket-parts";
import { listTickets } from "~/domain/support-tickets.server";
import { TICKET_FILTERS, type TicketFilter } from "~/domain/ticket-filters";
import { requireRole } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { pageTitle } from "~/lib/meta";
import { useRootData } from "~/root";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["help", "support"] };

export const meta: MetaFunction = (args) => pageTitle(args, "help.tickets.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireRole(request, "support");
  const url = new URL(request.url);
  const filter: TicketFilter = TICKET_FILTERS.find((candidate) => candidate === url.searchParams.get("filter")) ?? "open";
  const page = Math.min(Math.max(Number.parseInt(url.searchParams.get("page") ?? "1", 10) || 1, 1), 10_000);
  const { tickets, hasMore } = await listTickets(getDb(), { filter, viewerId: user.id, page });
  return { filter, page, tickets, hasMore };
}

export default function TicketQueue() {
  const { filter, page, tickets, hasMore } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const locale = useRootData()?.locale ?? "en";
  return (
    <section aria-labelledby="tickets-title">
      <h1 id="tickets-title">{t("help.tickets.title")}</h1>
      <p className="muted">{t("help.tickets.lead")}</p>
      <nav className="section-nav" aria-label={t("help.tickets.status")}>
        {TICKET_FILTERS.map((candidate) => (
          <Link key={candidate} to={`?filter=${candidate}`} aria-current={candidate === filter ? "page" : undefined}>
            {t(`help.tickets.filter.${candidate}`)}
          </Link>
        ))}
      </nav>
      {tickets.length === 0 ? <p className="muted">{t("help.tickets.none")}</p> : <TicketTable tickets={tickets} locale={locale} linkTo={(id) => `/support/tickets/${id}`} forAgents />}
      <nav className="pager" aria-label={t("support.pagination.label")}>
        {page > 1 ? <Link to={`?filter=${filter}&page=${page - 1}`}>{t("support.pagination.previous")}</Link> : null}
        {hasMore ? <Link to={`?filter=${filter}&page=${page + 1}`}>{t("support.pagination.next")}</Link> : null}
      </nav>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
