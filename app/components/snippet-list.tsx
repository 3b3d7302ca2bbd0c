import { useTranslation } from "react-i18next";
import type { SnippetsView } from "~/lib/snippets-view.server";
import { CopyButton } from "./copy-button";

/** `headingLevel`: 2 where the list sits right under the page's h1, 3 under a section's h2. */
export function SnippetList({ view, headingLevel = 3 }: { view: SnippetsView; headingLevel?: 2 | 3 }) {
  const { t } = useTranslation();
  const Heading = headingLevel === 2 ? "h2" : "h3";
  const provider = view.providerName;
  const [first, ...rest] = view.snippets;
  const modelMapSnippets = rest.filter((snippet) => snippet.id.startsWith("modelMap"));
  const usageSnippets = [first, ...rest.filter((snippet) => !snippet.id.startsWith("modelMap"))].filter((snippet) => snippet !== undefined);
  const renderSnippet = (snippet: SnippetsView["snippets"][number]) => {
    const codeId = `snippet-code-${snippet.id}`;
    return (
      <section key={snippet.id} className="snippet" data-snippet={snippet.id} aria-labelledby={`snippet-title-${snippet.id}`}>
        <div className="snippet-head">
          <div>
            <Heading id={`snippet-title-${snippet.id}`}>{t(`snippets.names.${snippet.id}`)}</Heading>
            <p className="muted snippet-note">{t(`snippets.notes.${snippet.id}`, { provider })}</p>
          </div>
          <CopyButton text={snippet.code} targetId={codeId} />
        </div>
        <pre className="code-block snippet-code">
          <code id={codeId} className={`hljs language-${snippet.language}`} dangerouslySetInnerHTML={{ __html: snippet.html }} />
        </pre>
      </section>
    );
  };
  return (
    <div className="snippet-list">
      {usageSnippets.map(renderSnippet)}
      <section className="snippet" aria-labelledby="model-map-title">
        <Heading id="model-map-title">{t("snippets.modelMap.title")}</Heading>
        <p className="muted snippet-note">{t("snippets.modelMap.lead", { provider })}</p>
        {view.modelMap.some((pair) => pair.mine) ? <p className="snippet-note">{t("snippets.modelMap.yours")}</p> : null}
        <table className="table model-map-table">
          <thead>
            <tr>
              <th scope="col">{t("snippets.modelMap.openai")}</th>
              <th scope="col">{t("snippets.modelMap.provider", { provider })}</th>
            </tr>
          </thead>
          <tbody>
            {view.modelMap.map((pair) => (
              <tr key={pair.openai} className={pair.mine ? "model-map-mine" : undefined} data-mine={pair.mine ? "true" : undefined}>
                <td>
                  <code>{pair.openai}</code>
                  {pair.mine ? <span className="badge">{t("snippets.modelMap.yourModel")}</span> : null}
                </td>
                <td>{pair.provider ? <code>{pair.provider}</code> : <span className="muted">{t("snippets.modelMap.noEquivalent")}</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {view.modelMap.some((pair) => pair.embedding) ? (
          <p className="alert alert-info snippet-note" role="note">
            {t("snippets.modelMap.embeddings", { provider })}
          </p>
        ) : null}
      </section>
      {modelMapSnippets.map(renderSnippet)}
    </div>
  );
}
