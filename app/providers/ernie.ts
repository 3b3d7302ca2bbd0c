import type { ProviderProfile } from "./types";

export const ernie: ProviderProfile = {
  id: "ernie",
  name: "ERNIE",
  company: "Baidu AI Cloud",
  companyZh: "百度智能云",
  apiBaseUrl: "https://qianfan.baidubce.com/v2",
  consoleUrl: "https://console.bce.baidu.com/qianfan/",
  keyPrefix: "erniesk",
  // Documented example, after Baidu's 2024 promise of ERNIE tokens matching a migrating
  // developer's OpenAI usage: 1× the latest month, for a shorter period.
  grantPolicy: {
    multiplierPercent: 100,
    averageMonths: 1,
    floorTokens: 0,
    capTokens: 100_000_000,
    promoExpiryDays: 30,
    autoApproveLimitTokens: 5_000_000,
    largeGrantLimitTokens: 30_000_000,
    referralBonusTokens: 0,
  },
  // OpenAI invoices: gpt-3.5-turbo-1106 at $1.00 input / $2.00 output per million tokens,
  // blended 3 input : 1 output = $1.25 per million → 800,000 tokens per dollar.
  invoiceTokensPerUsd: 800_000,
  creditPacks: [
    { id: "ernie-10m-cny", tokens: 10_000_000, priceMinor: 3_000, currency: "cny" },
    { id: "ernie-50m-cny", tokens: 50_000_000, priceMinor: 13_500, currency: "cny" },
    { id: "ernie-200m-cny", tokens: 200_000_000, priceMinor: 48_000, currency: "cny" },
  ],
  // An example: a conservative request rate by default.
  keyLimitDefaults: { requestsPerMinute: 300, tokensPerMinute: null, dailyTokens: null, monthlyTokens: null, allowedModels: null, allowedCidrs: null },
  modelMap: [
    { openai: "gpt-4o", provider: "ernie-4.0-turbo-8k" },
    { openai: "chatgpt-4o-latest", provider: "ernie-4.0-turbo-8k" },
    { openai: "gpt-4-turbo", provider: "ernie-4.0-8k" },
    { openai: "gpt-4", provider: "ernie-4.0-8k" },
    { openai: "gpt-4o-mini", provider: "ernie-3.5-8k" },
    { openai: "gpt-3.5-turbo", provider: "ernie-speed-128k" },
    { openai: "text-embedding-3-small", provider: "embedding-v1" },
    { openai: "text-embedding-ada-002", provider: "embedding-v1" },
  ],
};
