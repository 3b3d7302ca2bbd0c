import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { LegalPage } from "~/components/legal-page";
import { getSiteText } from "~/domain/site-texts.server";
import { getOptionalUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { resolveLocale } from "~/lib/locale.server";
import { pageTitle } from "~/lib/meta";
import { useRootData } from "~/root";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["help"] };

export const meta: MetaFunction = (args) => pageTitle(args, "help.legal.termsTitle");

// Public: the provider's terms of use in the visitor's language.
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getOptionalUser(request);
  return getSiteText(getDb(), "terms", await resolveLocale(request, user?.locale));
}

export default function Terms() {
  const text = useLoaderData<typeof loader>();
  const locale = useRootData()?.locale ?? "en";
  return <LegalPage titleKey="help.legal.termsTitle" body={text.body} updatedAt={text.updatedAt} edited={text.edited} locale={locale} />;
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
