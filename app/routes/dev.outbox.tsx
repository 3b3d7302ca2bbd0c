import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { useRootData } from "~/root";
import { getDb } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { formatDateTime, isLocale } from "~/lib/i18n";
import { listOutbox } from "~/lib/mail.server";
import { pageTitle } from "~/lib/meta";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["outbox"] };

export const meta: MetaFunction = (args) => pageTitle(args, "outbox.title");

export async function loader(_args: LoaderFunctionArgs) {
  if (getEnv().isProduction) throw new Response("Not Found", { status: 404 });
  return { messages: await listOutbox(getDb(), 50) };
}

export default function DevOutbox() {
  const { messages } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const locale = useRootData()?.locale;
  return (
    <section aria-labelledby="outbox-title">
      <h1 id="outbox-title">{t("outbox.title")}</h1>
      <p className="muted">{t("outbox.lead")}</p>
      {messages.length === 0 ? <p>{t("outbox.empty")}</p> : null}
      {messages.map((message) => (
        <article key={message.id} className="panel mail" data-testid="outbox-message">
          <dl className="mail-headers">
            <dt>{t("outbox.to")}</dt>
            <dd data-testid="outbox-to">{message.to_address}</dd>
            <dt>{t("outbox.subject")}</dt>
            <dd>{message.subject}</dd>
            <dt>{t("outbox.sent")}</dt>
            <dd>{formatDateTime(message.created_at, isLocale(locale) ? locale : "en")}</dd>
          </dl>
          <pre className="mail-body" data-testid="outbox-body">{message.text_body}</pre>
        </article>
      ))}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
