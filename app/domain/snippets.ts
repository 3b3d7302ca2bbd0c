// Ready-to-paste configuration for the provider's OpenAI-compatible API. Pure: the same input always
// gives the same text, so the page, the show-once view and the tests agree.
import type { ProviderProfile } from "~/providers/types";

export type SnippetId = "python" | "node" | "curl" | "langchain" | "langchainJs" | "env" | "pythonThroughFerry" | "nodeThroughFerry" | "langchainJsThroughFerry" | "modelMapPython" | "modelMapNode";
export type SnippetLanguage = "python" | "javascript" | "bash";

export interface Snippet {
  id: SnippetId;
  language: SnippetLanguage;
  /** A file name that fits the code, used by the tests that compile every snippet. */
  fileName: string;
  code: string;
}

export const API_KEY_PLACEHOLDER = "YOUR_API_KEY";
/** The OpenAI model the examples switch from; its provider equivalent is used in the code. */
export const EXAMPLE_OPENAI_MODEL = "gpt-4o-mini";

export interface SnippetInput {
  provider: Pick<ProviderProfile, "name" | "apiBaseUrl" | "modelMap">;
  /** The real key right after creation; null afterwards, and a placeholder is used. */
  apiKey: string | null;
  /** The reader's language: code comments are written in it, the code is the same. */
  locale?: "en" | "zh";
  /** Ferry's metering proxy (PROXY_PUBLIC_URL), when the provider runs it: adds the "through Ferry" variants. */
  proxyBaseUrl?: string | null;
}

/** The comments inside the snippets, per reader language. */
const COMMENTS = {
  en: {
    was: (model: string) => `was ${model}`,
    envLead: (name: string) => `Code written for OpenAI reads these: it now talks to ${name}.`,
    mapTitle: (name: string) => `OpenAI model -> ${name} model`,
    proxyCalls: (model: string) => `Ferry's proxy calls ${model}`,
  },
  zh: {
    was: (model: string) => `原为 ${model}`,
    envLead: (name: string) => `为 OpenAI 编写的代码会读取这两个变量：现在它连接的是 ${name}。`,
    mapTitle: (name: string) => `OpenAI 模型 -> ${name} 模型`,
    proxyCalls: (model: string) => `Ferry 代理实际调用 ${model}`,
  },
} as const;

/** A string literal valid in Python, JavaScript and JSON (our values are plain ASCII). */
function literal(value: string): string {
  return JSON.stringify(value);
}

export function exampleModel(provider: SnippetInput["provider"]): { openai: string; provider: string } {
  const mapping = provider.modelMap.find((entry) => entry.openai === EXAMPLE_OPENAI_MODEL) ?? provider.modelMap[0];
  return mapping ? { openai: mapping.openai, provider: mapping.provider } : { openai: EXAMPLE_OPENAI_MODEL, provider: EXAMPLE_OPENAI_MODEL };
}

export function buildSnippets(input: SnippetInput): Snippet[] {
  const baseUrl = input.provider.apiBaseUrl.replace(/\/+$/, "");
  const key = input.apiKey ?? API_KEY_PLACEHOLDER;
  const model = exampleModel(input.provider);
  const name = input.provider.name;
  const comment = COMMENTS[input.locale ?? "en"];

  const python = [
    "# pip install openai",
    "from openai import OpenAI",
    "",
    "client = OpenAI(",
    `    base_url=${literal(baseUrl)},`,
    `    api_key=${literal(key)},`,
    ")",
    "",
    "completion = client.chat.completions.create(",
    `    model=${literal(model.provider)},  # ${comment.was(literal(model.openai))}`,
    '    messages=[{"role": "user", "content": "Hello!"}],',
    ")",
    "print(completion.choices[0].message.content)",
  ];

  const node = [
    "// npm install openai",
    'import OpenAI from "openai";',
    "",
    "const client = new OpenAI({",
    `  baseURL: ${literal(baseUrl)},`,
    `  apiKey: ${literal(key)},`,
    "});",
    "",
    "const completion = await client.chat.completions.create({",
    `  model: ${literal(model.provider)}, // ${comment.was(literal(model.openai))}`,
    '  messages: [{ role: "user", content: "Hello!" }],',
    "});",
    "console.log(completion.choices[0].message.content);",
  ];

  const curl = [
    `curl ${baseUrl}/chat/completions \\`,
    '  -H "Content-Type: application/json" \\',
    `  -H "Authorization: Bearer ${key}" \\`,
    "  -d '{",
    `    "model": ${literal(model.provider)},`,
    '    "messages": [{"role": "user", "content": "Hello!"}]',
    "  }'",
  ];

  const langchain = [
    "# pip install langchain-openai",
    "from langchain_openai import ChatOpenAI",
    "",
    "llm = ChatOpenAI(",
    `    model=${literal(model.provider)},`,
    `    base_url=${literal(baseUrl)},`,
    `    api_key=${literal(key)},`,
    ")",
    'print(llm.invoke("Hello!").content)',
  ];

  const langchainJs = [
    "// npm install @langchain/openai",
    'import { ChatOpenAI } from "@langchain/openai";',
    "",
    "const llm = new ChatOpenAI({",
    `  model: ${literal(model.provider)},`,
    `  apiKey: ${literal(key)},`,
    `  configuration: { baseURL: ${literal(baseUrl)} },`,
    "});",
    'console.log((await llm.invoke("Hello!")).content);',
  ];

  const env = [
    `# ${comment.envLead(name)}`,
    `export OPENAI_BASE_URL=${literal(baseUrl)}`,
    `export OPENAI_API_KEY=${literal(key)}`,
  ];

  const pairs = input.provider.modelMap;
  const modelMapPython = [
    `# ${comment.mapTitle(name)}`,
    "MODEL_MAP = {",
    ...pairs.map((pair) => `    ${literal(pair.openai)}: ${literal(pair.provider)},`),
    "}",
  ];
  const modelMapNode = [
    `// ${comment.mapTitle(name)}`,
    "export const MODEL_MAP = {",
    ...pairs.map((pair) => `  ${literal(pair.openai)}: ${literal(pair.provider)},`),
    "};",
  ];

  // Through Ferry's proxy the OpenAI model names stay as they are: the proxy maps them.
  const proxyUrl = input.proxyBaseUrl?.replace(/\/+$/, "");
  const throughFerry: Snippet[] = proxyUrl
    ? [
        {
          id: "pythonThroughFerry",
          language: "python",
          fileName: "through_ferry.py",
          code: [
            "# pip install openai",
            "from openai import OpenAI",
            "",
            `client = OpenAI(base_url=${literal(proxyUrl)}, api_key=${literal(key)})`,
            "",
            "completion = client.chat.completions.create(",
            `    model=${literal(model.openai)},  # ${comment.proxyCalls(literal(model.provider))}`,
            '    messages=[{"role": "user", "content": "Hello!"}],',
            ")",
            "print(completion.choices[0].message.content)",
          ].join("\n"),
        },
        {
          id: "nodeThroughFerry",
          language: "javascript",
          fileName: "through-ferry.mjs",
          code: [
            "// npm install openai",
            'import OpenAI from "openai";',
            "",
            `const client = new OpenAI({ baseURL: ${literal(proxyUrl)}, apiKey: ${literal(key)} });`,
            "",
            "const completion = await client.chat.completions.create({",
            `  model: ${literal(model.openai)}, // ${comment.proxyCalls(literal(model.provider))}`,
            '  messages: [{ role: "user", content: "Hello!" }],',
            "});",
            "console.log(completion.choices[0].message.content);",
          ].join("\n"),
        },
        {
          id: "langchainJsThroughFerry",
          language: "javascript",
          fileName: "chain-through-ferry.mjs",
          code: [
            "// npm install @langchain/openai",
            'import { ChatOpenAI } from "@langchain/openai";',
            "",
            "const llm = new ChatOpenAI({",
            `  model: ${literal(model.openai)}, // ${comment.proxyCalls(literal(model.provider))}`,
            `  apiKey: ${literal(key)},`,
            `  configuration: { baseURL: ${literal(proxyUrl)} },`,
            "});",
            'console.log((await llm.invoke("Hello!")).content);',
          ].join("\n"),
        },
      ]
    : [];

  return [
    { id: "python", language: "python", fileName: "main.py", code: python.join("\n") },
    { id: "node", language: "javascript", fileName: "main.mjs", code: node.join("\n") },
    { id: "curl", language: "bash", fileName: "request.sh", code: curl.join("\n") },
    { id: "langchain", language: "python", fileName: "chain.py", code: langchain.join("\n") },
    { id: "langchainJs", language: "javascript", fileName: "chain.mjs", code: langchainJs.join("\n") },
    { id: "env", language: "bash", fileName: "env.sh", code: env.join("\n") },
    ...throughFerry,
    { id: "modelMapPython", language: "python", fileName: "model_map.py", code: modelMapPython.join("\n") },
    { id: "modelMapNode", language: "javascript", fileName: "model-map.mjs", code: modelMapNode.join("\n") },
  ];
}
