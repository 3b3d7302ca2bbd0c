import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { listPendingDeletionRequests } from "~/domain/account-deletion.server";
import { requireRole } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { formatDateTime } from "~/lib/i18n";
import { pageTitle } from "~/lib/meta";
import { useRootData } from "~/root";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["help"] };

export const meta: MetaFunction = (args) => pageTitle(args, "help.deletion.queueTitle");

// Staff carry deletions out (on the account page); this lists who is waiting.
export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "staff");
  return { requests: await listPendingDeletionRequests(getDb()) };
}

export default function DeletionQueue() {
  const { requests } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const locale = useRootData()?.locale ?? "en";
  return (
    <section aria-labelledby="deletions-title">
      <h1 id="deletions-title">{t("help.deletion.queueTitle")}</h1>
      <p className="muted">{t("help.deletion.queueLead")}</p>
      {requests.length === 0 ? (
        <p className="muted">{t("help.deletion.none")}</p>
      ) : (
        <ul className="compact-list">
          {requests.map((request) => (
            <li key={request.id}>
              <Link to={`/support/accounts/${request.accountId}#deletion`}>{request.email}</Link> · {t("help.deletion.requestedAt", { date: formatDateTime(request.requestedAt, locale) })}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
