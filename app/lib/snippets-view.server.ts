// Snippets as the pages show them: the pure text plus its highlighted HTML.
import { buildSnippets, type Snippet } from "~/domain/snippets";
import type { ProviderProfile } from "~/providers/types";
import { getEnv } from "./env.server";
import { highlightCode } from "./highlight.server";

export interface SnippetView extends Snippet {
  html: string;
}

export interface SnippetsView {
  providerName: string;
  snippets: SnippetView[];
  /** `mine`: a model of the developer's own evidence (listed first); `provider` null: no equivalent. */
  modelMap: Array<{ openai: string; provider: string | null; mine?: boolean; embedding?: boolean }>;
}

export function snippetsView(provider: ProviderProfile, apiKey: string | null, locale: "en" | "zh" = "en"): SnippetsView {
  return {
    providerName: provider.name,
    snippets: buildSnippets({ provider, apiKey, locale, proxyBaseUrl: getEnv().PROXY_PUBLIC_URL }).map((snippet) => ({ ...snippet, html: highlightCode(snippet.code, snippet.language) })),
    modelMap: provider.modelMap.map(({ openai, provider: target }) => ({ openai, provider: target, embedding: openai.startsWith("text-embedding-") })),
  };
}
