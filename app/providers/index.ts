import { ernie } from "./ernie";
import { glm } from "./glm";
import { qwen } from "./qwen";
import type { ProviderProfile } from "./types";

export type { CreditPack, ModelMapping, ProviderProfile } from "./types";

export const providerProfiles: Record<ProviderProfile["id"], ProviderProfile> = { glm, qwen, ernie };

export function getProviderProfile(id: ProviderProfile["id"]): ProviderProfile {
  return providerProfiles[id];
}
