import type { Dictionary } from "../dictionary";
import type { snippets as en } from "../en/snippets";

export const snippets: Dictionary<typeof en> = {
  title: "代码示例",
  lead: "继续使用 OpenAI SDK：只需修改 base URL、密钥和模型名称，您的代码即可在 {{provider}} 上运行。",
  placeholderNotice: "示例中的 {{placeholder}} 处应填入您的密钥：密钥只在创建时显示一次。",
  createKey: "创建密钥",
  copy: "复制",
  copied: "已复制",
  copyFailed: "请选中文本后复制",
  names: {
    python: "Python（openai SDK）",
    node: "Node.js / TypeScript（openai SDK）",
    curl: "curl",
    langchain: "LangChain（Python）",
    langchainJs: "LangChain（JavaScript / TypeScript）",
    env: "环境变量",
    pythonThroughFerry: "Python（经由 Ferry）",
    nodeThroughFerry: "Node.js / TypeScript（经由 Ferry）",
    modelMapPython: "模型对照（Python）",
    modelMapNode: "模型对照（JavaScript / TypeScript）",
  },
  notes: {
    python: "对 OpenAI 程序只需修改 base_url 和 api_key。",
    node: "对 OpenAI 程序只需修改 baseURL 和 apiKey。",
    curl: "任何 HTTP 客户端都能发送的同一请求。",
    langchain: "ChatOpenAI 通过 base_url 连接 {{provider}}。",
    langchainJs: "ChatOpenAI 通过 configuration.baseURL 连接 {{provider}}。",
    env: "代码未传入 base URL 或密钥时，OpenAI SDK 会读取这些变量。",
    pythonThroughFerry: "经由 Ferry 代理：保留 OpenAI 的模型名称（代理会映射为 {{provider}} 的模型）；用量显示在您的额度页面。",
    nodeThroughFerry: "经由 Ferry 代理：保留 OpenAI 的模型名称（代理会映射为 {{provider}} 的模型）；用量显示在您的额度页面。",
    modelMapPython: "在一处集中转换模型名称。",
    modelMapNode: "在一处集中转换模型名称。",
  },
  modelMap: {
    title: "模型对照表",
    lead: "每个 OpenAI 模型应改用哪个 {{provider}} 模型。",
    openai: "OpenAI 模型",
    provider: "{{provider}} 模型",
  },
};
