import type { GrantPolicy } from "~/domain/grant-policy";
import type { KeyLimitValues } from "~/domain/key-limits/limits";

export interface ModelMapping {
  openai: string;
  provider: string;
  note?: string;
}

/** A credit pack sold through Stripe Checkout. Prices are integers in the currency's minor unit. */
export interface CreditPack {
  /** Stable id stored with each purchase; never reuse one for a different pack. */
  id: string;
  tokens: number;
  /** Price in minor units (fen for CNY, cents for USD). */
  priceMinor: number;
  /** ISO 4217, lower case as Stripe writes it. */
  currency: "cny" | "usd";
}

export interface ProviderProfile {
  id: "glm" | "qwen" | "ernie";
  /** Product name developers know, e.g. "GLM". */
  name: string;
  company: string;
  /** The company as Chinese developers know it (智谱AI, 阿里云, 百度智能云). */
  companyZh: string;
  /** OpenAI-compatible base URL developers point their SDK at. */
  apiBaseUrl: string;
  consoleUrl: string;
  /** Prefix of every API key Ferry issues for this provider. */
  keyPrefix: string;
  /**
   * OpenAI model → provider model. Each entry is also a prefix rule for OpenAI's dated and
   * case variants (gpt-4o-2024-08-06, GPT-3.5-Turbo-0125): see model-names.ts.
   */
  modelMap: ModelMapping[];
  /** Default grant policy; env (GRANT_*) and the admin-edited settings override it. */
  grantPolicy: GrantPolicy;
  /**
   * Tokens one US dollar on an OpenAI invoice counts for (invoices say what was spent, not which
   * tokens): a blended OpenAI price of the program's era, documented in the profile and README.
   */
  invoiceTokensPerUsd: number;
  /** Paid top-ups offered on /account/billing, cheapest first. */
  creditPacks: CreditPack[];
  /** Limits of a key that has none of its own for a setting (null = no limit). */
  keyLimitDefaults: KeyLimitValues;
}
