import type { Dictionary } from "../dictionary";
import type { snippets as en } from "../en/snippets";

export const snippets: Dictionary<typeof en> = {
  title: "代码示例",
  lead: "继续使用 OpenAI SDK：只需修改 base URL、密钥和模型名称，你的代码即可在 {{provider}} 上运行。",
  placeholderNotice: "示例中的 {{placeholder}} 处应填入你的密钥：密钥只在创建时显示一次。",
  createKey: "创建密钥",
  copy: "复制",
  copied: "已复制",
  copyFailed: "请选中文本后复制",
  names: {
    python: "Python（openai SDK）",
    node: "Node.js / TypeScript（openai SDK）",
    curl: "curl",
    langchain: "LangChain（Python）",
    env: "环境变量",
    modelMapPython: "模型对照（Python）",
    modelMapNode: "模型对照（JavaScript / TypeScript）",
  },
  notes: {
    python: "对 OpenAI 程序只需修改 base_url 和 api_key。",
    node: "对 OpenAI 程序只需修改 baseURL 和 apiKey。",
    curl: "任何 HTTP 客户端都能发送的同一请求。",
    langchain: "ChatOpenAI 通过 base_url 连接 {{provider}}。",
    env: "代码未传入 base URL 或密钥时，OpenAI SDK 会读取这些变量。",
    modelMapPython: "在一处集中转换模型名称。",
    modelMapNode: "在一处集中转换模型名称。",
  },
  modelMap: {
    title: "模型对照表",
    lead: "每个 OpenAI 模型应改用哪个 {{provider}} 模型。",
    openai: "OpenAI 模型",
    provider: "{{provider}} 模型",
    yours: "您已验证的 OpenAI 用量中用到的模型排在最前。",
    yourModel: "您的用量",
    noEquivalent: "无对应模型",
    embeddings: "Embedding 模型：{{provider}} 的向量维度与 OpenAI 的不同。请用新模型重新为您的文档建立索引；两者的向量不能混用或相互比较。",
  },
};
