import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Notice } from "~/components/form-alert";
import { SnippetList } from "~/components/snippet-list";
import { API_KEY_PLACEHOLDER } from "~/domain/snippets";
import { developerModelMap } from "~/domain/usage/model-map.server";
import { requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { pageTitle } from "~/lib/meta";
import { currentProvider } from "~/lib/provider.server";
import { resolveLocale } from "~/lib/locale.server";
import { snippetsView } from "~/lib/snippets-view.server";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["claims", "snippets", "keyLimits"] };

export const meta: MetaFunction = (args) => pageTitle(args, "snippets.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const provider = currentProvider();
  const snippets = { ...snippetsView(provider, null, await resolveLocale(request, user.locale)), modelMap: await developerModelMap(getDb(), user.id, provider.modelMap) };
  return { snippets, placeholder: API_KEY_PLACEHOLDER };
}

export default function Snippets() {
  const { snippets, placeholder } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <>
      <h1>{t("snippets.title")}</h1>
      <p>{t("snippets.lead", { provider: snippets.providerName })}</p>
      <Notice>
        {t("snippets.placeholderNotice", { placeholder })} <Link to="/account/keys/new">{t("snippets.createKey")}</Link>
      </Notice>
      <SnippetList view={snippets} headingLevel={2} />
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
