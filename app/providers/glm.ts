import type { ProviderProfile } from "./types";

export const glm: ProviderProfile = {
  id: "glm",
  name: "GLM",
  company: "Zhipu AI",
  companyZh: "智谱AI",
  apiBaseUrl: "https://open.bigmodel.cn/api/paas/v4/",
  consoleUrl: "https://open.bigmodel.cn/",
  keyPrefix: "glmsk",
  // Modelled on Zhipu AI's July 2024 "special migration plan" for OpenAI API users, whose
  // largest package was 150 million free tokens: 1× recent usage, never more than 150M.
  grantPolicy: {
    multiplierPercent: 100,
    averageMonths: 3,
    floorTokens: 1_000_000,
    capTokens: 150_000_000,
    promoExpiryDays: 90,
    autoApproveLimitTokens: 10_000_000,
    largeGrantLimitTokens: 50_000_000,
    referralBonusTokens: 0,
  },
  // OpenAI invoices: gpt-3.5-turbo-0125 at $0.50 input / $1.50 output per million tokens,
  // blended 3 input : 1 output = $0.75 per million → 1,333,333 tokens per dollar.
  invoiceTokensPerUsd: 1_333_333,
  creditPacks: [
    { id: "glm-10m-cny", tokens: 10_000_000, priceMinor: 5_000, currency: "cny" },
    { id: "glm-50m-cny", tokens: 50_000_000, priceMinor: 22_500, currency: "cny" },
    { id: "glm-200m-cny", tokens: 200_000_000, priceMinor: 80_000, currency: "cny" },
    { id: "glm-10m-usd", tokens: 10_000_000, priceMinor: 700, currency: "usd" },
  ],
  // No limit unless the developer sets one: the provider's own platform limits apply upstream.
  keyLimitDefaults: { requestsPerMinute: null, tokensPerMinute: null, dailyTokens: null, monthlyTokens: null, allowedModels: null, allowedCidrs: null },
  modelMap: [
    { openai: "gpt-4o", provider: "glm-4-plus" },
    { openai: "chatgpt-4o-latest", provider: "glm-4-plus" },
    { openai: "gpt-4-turbo", provider: "glm-4-plus" },
    { openai: "gpt-4", provider: "glm-4-plus" },
    { openai: "gpt-4o-mini", provider: "glm-4-air" },
    { openai: "gpt-3.5-turbo", provider: "glm-4-flash" },
    { openai: "gpt-4-vision-preview", provider: "glm-4v-plus" },
    { openai: "text-embedding-3-small", provider: "embedding-3" },
    { openai: "text-embedding-3-large", provider: "embedding-3" },
    { openai: "text-embedding-ada-002", provider: "embedding-2" },
  ],
};
