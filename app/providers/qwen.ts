import type { ProviderProfile } from "./types";

export const qwen: ProviderProfile = {
  id: "qwen",
  name: "Qwen",
  company: "Alibaba Cloud",
  companyZh: "阿里云",
  apiBaseUrl: "https://dashscope.aliyuncs.com/compatible-mode/v1",
  consoleUrl: "https://dashscope.console.aliyun.com/",
  keyPrefix: "qwensk",
  // Documented example, after Alibaba Cloud's 2024 offer of 22 million free Qwen tokens to
  // developers leaving OpenAI: a smaller cap, reached with 2× recent usage.
  grantPolicy: {
    multiplierPercent: 200,
    averageMonths: 3,
    floorTokens: 500_000,
    capTokens: 22_000_000,
    promoExpiryDays: 90,
    autoApproveLimitTokens: 5_000_000,
    largeGrantLimitTokens: 15_000_000,
    referralBonusTokens: 0,
  },
  // OpenAI invoices: gpt-4o-mini at $0.15 input / $0.60 output per million tokens, blended
  // 3 input : 1 output = $0.2625 per million → 3,809,523 tokens per dollar.
  invoiceTokensPerUsd: 3_809_523,
  creditPacks: [
    { id: "qwen-10m-cny", tokens: 10_000_000, priceMinor: 4_000, currency: "cny" },
    { id: "qwen-50m-cny", tokens: 50_000_000, priceMinor: 18_000, currency: "cny" },
    { id: "qwen-200m-cny", tokens: 200_000_000, priceMinor: 64_000, currency: "cny" },
    { id: "qwen-10m-usd", tokens: 10_000_000, priceMinor: 600, currency: "usd" },
  ],
  // An example of provider-wide defaults: every key without its own settings gets these.
  keyLimitDefaults: { requestsPerMinute: 600, tokensPerMinute: 1_000_000, dailyTokens: null, monthlyTokens: null, allowedModels: null, allowedCidrs: null },
  modelMap: [
    { openai: "gpt-4o", provider: "qwen-max" },
    { openai: "chatgpt-4o-latest", provider: "qwen-max" },
    { openai: "gpt-4-turbo", provider: "qwen-max" },
    { openai: "gpt-4", provider: "qwen-max" },
    { openai: "gpt-4o-mini", provider: "qwen-plus" },
    { openai: "gpt-3.5-turbo", provider: "qwen-turbo" },
    { openai: "gpt-4-vision-preview", provider: "qwen-vl-max" },
    { openai: "text-embedding-3-small", provider: "text-embedding-v3" },
    { openai: "text-embedding-3-large", provider: "text-embedding-v3" },
    { openai: "text-embedding-ada-002", provider: "text-embedding-v2" },
  ],
};
