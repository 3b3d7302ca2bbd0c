// OpenAI model names → provider models: dated and case variants through the profiles' prefix rules.
import { describe, expect, it } from "vitest";
import { providerProfiles } from "~/providers";
import { isEmbeddingModel, resolveModelName } from "~/providers/model-names";

describe("resolveModelName", () => {
  const map = providerProfiles.glm.modelMap;

  it("maps dated OpenAI names and case variants to the family's provider model", () => {
    const cases: Array<[string, string, string]> = [
      ["gpt-4o-2024-08-06", "gpt-4o", "glm-4-plus"],
      ["gpt-4o-2024-05-13", "gpt-4o", "glm-4-plus"],
      ["GPT-4o", "gpt-4o", "glm-4-plus"],
      ["  gpt-4O-Mini-2024-07-18 ", "gpt-4o-mini", "glm-4-air"],
      ["gpt-3.5-turbo-0125", "gpt-3.5-turbo", "glm-4-flash"],
      ["gpt-3.5-turbo-16k-0613", "gpt-3.5-turbo", "glm-4-flash"],
      ["gpt-35-turbo", "gpt-3.5-turbo", "glm-4-flash"],
      ["gpt-4-0613", "gpt-4", "glm-4-plus"],
      ["gpt-4-32k-0314", "gpt-4", "glm-4-plus"],
      ["gpt-4-1106-preview", "gpt-4", "glm-4-plus"],
      ["gpt-4-turbo-2024-04-09", "gpt-4-turbo", "glm-4-plus"],
      ["gpt-4-turbo-preview", "gpt-4-turbo", "glm-4-plus"],
      ["gpt-4-vision-preview", "gpt-4-vision-preview", "glm-4v-plus"],
      ["chatgpt-4o-latest", "chatgpt-4o-latest", "glm-4-plus"],
      ["Text-Embedding-3-Small", "text-embedding-3-small", "embedding-3"],
    ];
    for (const [name, openai, provider] of cases) expect(resolveModelName(map, name), name).toEqual({ kind: "mapped", openai, provider });
  });

  it("says model not found for OpenAI names without an equivalent, never a near miss", () => {
    for (const name of ["gpt-4o-audio-preview", "gpt-4omni", "gpt-3.5-turbo-instruct", "o1-preview", "dall-e-3", "whisper-1", "gpt-5", "text-embedding-4"]) {
      expect(resolveModelName(map, name), name).toEqual({ kind: "not_found" });
    }
  });

  it("passes the provider's own models and other names through", () => {
    expect(resolveModelName(map, "GLM-4-Plus")).toEqual({ kind: "provider", provider: "glm-4-plus" });
    expect(resolveModelName(map, "glm-4-long")).toEqual({ kind: "unknown", provider: "glm-4-long" });
  });

  it("every profile maps the common dated names", () => {
    for (const profile of Object.values(providerProfiles)) {
      for (const name of ["gpt-4o-2024-08-06", "gpt-3.5-turbo-0125", "gpt-4-0613", "gpt-4o-mini-2024-07-18", "GPT-4-TURBO"]) {
        expect(resolveModelName(profile.modelMap, name).kind, `${profile.id} ${name}`).toBe("mapped");
      }
    }
  });

  it("knows embeddings", () => {
    expect(isEmbeddingModel("text-embedding-ada-002")).toBe(true);
    expect(isEmbeddingModel("gpt-4o")).toBe(false);
  });
});
