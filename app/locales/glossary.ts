// The Chinese glossary: one word for each thing Ferry talks about, in one register (您).
// tests/unit/locales-zh.test.ts fails on a Chinese string that uses an avoided form.
export interface GlossaryEntry {
  en: string;
  zh: string;
  /** Forms that must not appear in Chinese text (outside code). Plain substrings unless a RegExp. */
  avoid: ReadonlyArray<string | RegExp>;
  note?: string;
}

export const zhGlossary: readonly GlossaryEntry[] = [
  { en: "you", zh: "您", avoid: ["你"], note: "One polite register throughout, e-mails included." },
  {
    en: "token (of an LLM)",
    zh: "Tokens",
    avoid: ["令牌", /\btokens?\b/, /\bToken\b(?!s)/, "个 Tokens", "个Tokens"],
    note: "Always “Tokens”, as the providers' own consoles write it: “150 万 Tokens”, no measure word.",
  },
  { en: "API key", zh: "API 密钥", avoid: [/API [Kk]ey/, "API 秘钥"] },
  { en: "staff (reviewers)", zh: "审核人员", avoid: ["员工"] },
  { en: "support agent", zh: "客服", avoid: ["支持人员"] },
  { en: "offer, credit amount", zh: "额度", avoid: ["报价"] },
  { en: "evidence", zh: "用量证明", avoid: ["证据"] },
  { en: "claim", zh: "申请", avoid: ["索赔"] },
  { en: "Zhipu AI", zh: "智谱AI", avoid: ["智谱 AI", "Zhipu"] },
  { en: "Alibaba Cloud", zh: "阿里云", avoid: ["Alibaba", "阿里巴巴云"] },
  { en: "Baidu AI Cloud", zh: "百度智能云", avoid: ["Baidu", "百度 AI 云"] },
];

/** ASCII punctuation that Chinese sentences write full-width: （ ） ； ， */
export const ZH_FULL_WIDTH: Readonly<Record<string, string>> = { "(": "（", ")": "）", ";": "；", ",": "，" };
