import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { DeletionRequestForm } from "~/components/deletion-request-form";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Notice } from "~/components/form-alert";
import { SafeMarkdown } from "~/components/safe-markdown";
import { existingPasswordField } from "~/domain/account-schemas.server";
import { getDeletionRequest, requestAccountDeletion } from "~/domain/account-deletion.server";
import { requestOrigin, requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { formFailure, invalidForm } from "~/lib/form-response.server";
import { formFields } from "~/lib/forms";
import { formatDate } from "~/lib/i18n";
import { pageTitle } from "~/lib/meta";
import { tooManyRequests } from "~/lib/rate-limit.server";
import { useRootData } from "~/root";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["help", "keys"] };

export const meta: MetaFunction = (args) => pageTitle(args, "help.data.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return { deletion: await getDeletionRequest(getDb(), user.id) };
}

const deletionSchema = z.object({
  password: existingPasswordField,
  confirm: z.literal("yes", { errorMap: () => ({ message: "help.data.confirmRequired" }) }),
});

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const parsed = deletionSchema.safeParse(formFields(await request.formData()));
  if (!parsed.success) return invalidForm(parsed.error);
  const result = await requestAccountDeletion(getDb(), { id: user.id, ip: requestOrigin(request, context).ip }, parsed.data.password);
  if (!result.ok) {
    if (result.reason === "rate_limited") return tooManyRequests(result.retryAfterSeconds);
    if (result.reason === "wrong_password") return formFailure("keys.errors.wrongPassword", 401, { password: "keys.errors.wrongPassword" });
    return formFailure(`help.data.${result.reason}`, 409);
  }
  return data({ ok: true as const });
}

export default function AccountPrivacy() {
  const { deletion } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation();
  const locale = useRootData()?.locale ?? "en";
  const failure = actionData && !actionData.ok ? actionData : undefined;
  return (
    <section aria-labelledby="data-title">
      <h1 id="data-title">{t("help.data.title")}</h1>
      <SafeMarkdown source={t("help.data.lead")} />
      <section className="panel" aria-labelledby="export-title">
        <h2 id="export-title">{t("help.data.exportTitle")}</h2>
        <p>{t("help.data.exportLead")}</p>
        <a className="button" href="/account/data-export.json" download>
          {t("help.data.exportButton")}
        </a>
      </section>
      <section className="panel narrow-left" aria-labelledby="delete-title">
        <h2 id="delete-title">{t("help.data.deleteTitle")}</h2>
        {actionData?.ok ? (
          <Notice>{t("help.data.requestedNow")}</Notice>
        ) : deletion?.status === "pending" ? (
          <Notice>
            <SafeMarkdown source={t("help.data.requested", { date: formatDate(deletion.requestedAt, locale) })} className="notice-text" />
          </Notice>
        ) : (
          <DeletionRequestForm failure={failure} />
        )}
      </section>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
