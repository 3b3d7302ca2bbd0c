// Where the user is signed in: every active session, and ending any of the others.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { endAccountSession, endOtherAccountSessions, listAccountSessions } from "~/domain/account-sessions.server";
import { Notice } from "~/components/form-alert";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { SessionTable } from "~/components/session-table";
import { requireSession } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { formFields } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import { useRootData } from "~/root";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["sessions"] };

export const meta: MetaFunction = (args) => pageTitle(args, "sessions.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const current = await requireSession(request);
  return { sessions: await listAccountSessions(getDb(), current.user.id, current.sessionKey) };
}

const intentSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("end"), key: z.string().regex(/^[0-9a-f]{64}$/) }),
  z.object({ intent: z.literal("end_others") }),
]);

export async function action({ request }: ActionFunctionArgs) {
  const current = await requireSession(request);
  const parsed = intentSchema.safeParse(formFields(await request.formData()));
  if (!parsed.success) return data({ ok: false as const, message: "errors.invalidForm" }, { status: 400 });
  const db = getDb();
  if (parsed.data.intent === "end_others") {
    const ended = await endOtherAccountSessions(db, current.user.id, current.sessionKey);
    return data({ ok: true as const, message: "sessions.endedOthers", count: ended });
  }
  // The current session is ended by logging out, not from this list.
  if (parsed.data.key === current.sessionKey) return data({ ok: false as const, message: "errors.invalidForm" }, { status: 400 });
  const ended = await endAccountSession(db, current.user.id, parsed.data.key);
  if (!ended) return data({ ok: false as const, message: "sessions.notFound" }, { status: 404 });
  return data({ ok: true as const, message: "sessions.ended", count: 1 });
}

export default function Sessions() {
  const { sessions } = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  const { t } = useTranslation();
  const locale = useRootData()?.locale ?? "en";
  const busy = useNavigation().state === "submitting";
  const others = sessions.filter((session) => !session.current).length;
  return (
    <section className="panel" aria-labelledby="sessions-title">
      <h1 id="sessions-title">{t("sessions.title")}</h1>
      <p className="muted">{t("sessions.lead")}</p>
      {outcome?.ok ? <Notice>{t(outcome.message, { count: outcome.count })}</Notice> : null}
      {outcome && !outcome.ok ? (
        <div className="alert alert-error" role="alert">
          {t(outcome.message)}
        </div>
      ) : null}
      <SessionTable
        sessions={sessions}
        locale={locale}
        actions={(session) =>
          session.current ? null : (
            <Form method="post" className="inline-form">
              <input type="hidden" name="intent" value="end" />
              <input type="hidden" name="key" value={session.key} />
              <button type="submit" className="button button-secondary button-small" disabled={busy}>
                {t("sessions.end")}
              </button>
            </Form>
          )
        }
      />
      {others > 0 ? (
        <Form method="post">
          <input type="hidden" name="intent" value="end_others" />
          <button type="submit" className="button button-danger" disabled={busy}>
            {t("sessions.endOthers")}
          </button>
        </Form>
      ) : null}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
