// GET /v1/models: what the provider profile's model map offers, OpenAI's names and the provider's own.
import type { ProviderProfile } from "~/providers/types";

export interface ModelEntry {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
}

export function modelList(provider: Pick<ProviderProfile, "modelMap" | "company">): ModelEntry[] {
  const ids = new Set<string>();
  for (const pair of provider.modelMap) {
    ids.add(pair.openai);
    ids.add(pair.provider);
  }
  return [...ids].map((id) => ({ id, object: "model", created: 0, owned_by: provider.company }));
}
