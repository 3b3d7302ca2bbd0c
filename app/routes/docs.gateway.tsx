import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { CopyButton } from "~/components/copy-button";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { keyScannerPattern } from "~/domain/api-key-format";
import { GATEWAY_ERROR_STATUS, type GatewayErrorCode } from "~/domain/gateway.server";
import { gatewayExamples, type GatewayExample } from "~/domain/gateway-examples";
import { exampleModel } from "~/domain/snippets";
import { getEnv } from "~/lib/env.server";
import { highlightCode } from "~/lib/highlight.server";
import { pageTitle } from "~/lib/meta";
import { currentProvider } from "~/lib/provider.server";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["claims", "gatewayDocs", "snippets", "keyLimits"] };

export const meta: MetaFunction = (args) => pageTitle(args, "gatewayDocs.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const provider = currentProvider();
  const ferryUrl = getEnv().APP_URL ?? new URL(request.url).origin;
  const model = exampleModel(provider);
  const examples = gatewayExamples({ ferryUrl, keyPrefix: provider.keyPrefix, exampleModel: model.openai, providerModel: model.provider }).map((example) => ({
    ...example,
    html: highlightCode(example.code, example.language),
  }));
  const errors = (Object.entries(GATEWAY_ERROR_STATUS) as Array<[GatewayErrorCode, number]>).sort((a, b) => a[1] - b[1]);
  return {
    provider: provider.name,
    prefix: provider.keyPrefix,
    pattern: keyScannerPattern(provider.keyPrefix),
    openapiUrl: `${ferryUrl.replace(/\/+$/, "")}/api/gateway/openapi.json`,
    examples,
    errors,
  };
}

function Example({ example }: { example: GatewayExample & { html: string } }) {
  const { t } = useTranslation();
  const codeId = `example-${example.id}`;
  return (
    <div className="snippet" data-example={example.id}>
      <div className="snippet-head">
        <h3>{t(`gatewayDocs.examples.${example.id}`)}</h3>
        <CopyButton text={example.code} targetId={codeId} />
      </div>
      <pre className="code-block snippet-code">
        <code id={codeId} className={`hljs language-${example.language}`} dangerouslySetInnerHTML={{ __html: example.html }} />
      </pre>
    </div>
  );
}

export default function GatewayDocs() {
  const { provider, prefix, pattern, openapiUrl, examples, errors } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const byId = Object.fromEntries(examples.map((example) => [example.id, example]));
  return (
    <article className="docs">
      <h1>{t("gatewayDocs.title")}</h1>
      <p className="lead">{t("gatewayDocs.lead", { provider })}</p>
      <p>
        {t("gatewayDocs.openapi")}
        <a href={openapiUrl}>{openapiUrl}</a>
      </p>

      <h2>{t("gatewayDocs.authTitle")}</h2>
      <p>{t("gatewayDocs.authBody")}</p>
      <pre className="code-block">
        <code>Authorization: Bearer $FERRY_GATEWAY_TOKEN</code>
      </pre>

      <h2>{t("gatewayDocs.authorizeTitle")}</h2>
      <p>{t("gatewayDocs.authorizeBody")}</p>
      {byId.authorizeCurl ? <Example example={byId.authorizeCurl} /> : null}
      {byId.authorizeResponse ? <Example example={byId.authorizeResponse} /> : null}

      <p>{t("gatewayDocs.limitsBody")}</p>
      <h2>{t("gatewayDocs.usageTitle")}</h2>
      <p>{t("gatewayDocs.usageBody")}</p>
      {byId.usageCurl ? <Example example={byId.usageCurl} /> : null}
      {byId.usageResponse ? <Example example={byId.usageResponse} /> : null}

      <h2>{t("gatewayDocs.integrationTitle")}</h2>
      <p>{t("gatewayDocs.integrationBody")}</p>
      {byId.middleware ? <Example example={byId.middleware} /> : null}

      <h2>{t("gatewayDocs.errorsTitle")}</h2>
      <p>{t("gatewayDocs.errorsLead")}</p>
      <div className="table-scroll">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t("gatewayDocs.errorColumns.status")}</th>
              <th scope="col">{t("gatewayDocs.errorColumns.code")}</th>
              <th scope="col">{t("gatewayDocs.errorColumns.meaning")}</th>
            </tr>
          </thead>
          <tbody>
            {errors.map(([code, status]) => (
              <tr key={code}>
                <td>{status}</td>
                <td>
                  <code>{code}</code>
                </td>
                <td>{t(`gatewayDocs.errors.${code}`)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2>{t("gatewayDocs.keyFormatTitle")}</h2>
      <p>{t("gatewayDocs.keyFormatBody", { prefix })}</p>
      <div className="snippet">
        <div className="snippet-head">
          <span />
          <CopyButton text={pattern} targetId="key-pattern" />
        </div>
        <pre className="code-block">
          <code id="key-pattern" data-testid="key-pattern">
            {pattern}
          </code>
        </pre>
      </div>
      <p>{t("gatewayDocs.secretScanningBody", { path: "/api/secret-scanning/github" })}</p>
    </article>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
