import type { GrantPolicy } from "~/domain/grant-policy";

export interface ModelMapping {
  openai: string;
  provider: string;
  note?: string;
}

export interface ProviderProfile {
  id: "glm" | "qwen" | "ernie";
  /** Product name developers know, e.g. "GLM". */
  name: string;
  company: string;
  /** OpenAI-compatible base URL developers point their SDK at. */
  apiBaseUrl: string;
  consoleUrl: string;
  /** Prefix of every API key Ferry issues for this provider. */
  keyPrefix: string;
  modelMap: ModelMapping[];
  /** Default grant policy; env (GRANT_*) and the admin-edited settings override it. */
  grantPolicy: GrantPolicy;
}
