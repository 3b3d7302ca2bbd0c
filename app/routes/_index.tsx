import type { MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { ProgramOfferPanel } from "~/components/program-offer";
import { getProgramOffer } from "~/domain/program-offer.server";
import { getDb } from "~/lib/db.server";
import { currentProvider } from "~/lib/provider.server";
import { pageTitle } from "~/lib/meta";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["landing", "offer", "claims", "review", "evidence"] };

export const meta: MetaFunction = (args) => pageTitle(args, "landing.title");

export async function loader() {
  const provider = currentProvider();
  return {
    provider: { name: provider.name, company: provider.company, companyZh: provider.companyZh, apiBaseUrl: provider.apiBaseUrl },
    modelMap: provider.modelMap.slice(0, 6),
    offer: await getProgramOffer(getDb()),
  };
}

const STEPS = ["signUp", "verify", "claim", "code"] as const;

export default function Landing() {
  const { provider, modelMap, offer } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const company = i18n.language === "zh" ? provider.companyZh : provider.company;
  return (
    <>
      <section className="hero">
        <h1>{t("landing.title", { provider: provider.name })}</h1>
        <p className="lead">{t("landing.lead", { provider: provider.name, company })}</p>
        <p className="hero-actions">
          <Link to="/signup" className="button">
            {t("landing.ctaSignUp")}
          </Link>
          <Link to="/login" className="button button-secondary">
            {t("landing.ctaLogIn")}
          </Link>
        </p>
      </section>
      <ProgramOfferPanel offer={offer} provider={provider.name} />
      <section aria-labelledby="how-title">
        <h2 id="how-title">{t("landing.howTitle")}</h2>
        <ol className="steps">
          {STEPS.map((step, index) => (
            <li key={step} className="step-card">
              <span className="step-number" aria-hidden="true">
                {index + 1}
              </span>
              <h3>{t(`landing.steps.${step}.title`)}</h3>
              <p>{t(`landing.steps.${step}.body`)}</p>
            </li>
          ))}
        </ol>
      </section>
      <section className="two-columns">
        <div className="panel">
          <h2>{t("landing.compatTitle")}</h2>
          <p>{t("landing.compatBody", { baseUrl: provider.apiBaseUrl })}</p>
          <pre className="code-block">
            <code>{`from openai import OpenAI\nclient = OpenAI(\n    base_url="${provider.apiBaseUrl}",\n    api_key="…",\n)`}</code>
          </pre>
        </div>
        <div className="panel">
          <h2>{t("landing.modelsTitle")}</h2>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t("landing.modelsOpenAI")}</th>
                <th scope="col">{t("landing.modelsProvider", { provider: provider.name })}</th>
              </tr>
            </thead>
            <tbody>
              {modelMap.map((mapping) => (
                <tr key={mapping.openai}>
                  <td>
                    <code>{mapping.openai}</code>
                  </td>
                  <td>
                    <code>{mapping.provider}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
