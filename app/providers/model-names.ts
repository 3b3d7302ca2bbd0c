// OpenAI model names → the provider's model. Each entry of a profile's model map is also a prefix
// rule: the name itself, or the name followed by OpenAI's version suffixes (a context size, a date
// such as -0613 or -2024-08-06, then -preview or -latest), in any letter case. The longest entry
// that fits wins, so gpt-4o-mini-2024-07-18 is gpt-4o-mini, not gpt-4o.
import type { ModelMapping } from "./types";

const VERSION_SUFFIX = /^(-(16k|32k|8k|128k))?(-(\d{4}-\d{2}-\d{2}|\d{4}))?(-(preview|latest))?$/;

/** Names OpenAI's API uses: one of these without a mapping is a clear "model not found". */
const OPENAI_NAME = /^(gpt-|chatgpt-|o\d|text-embedding-|text-(davinci|curie|babbage|ada)|davinci|babbage|curie|dall-e|whisper|tts-|omni-moderation|text-moderation|computer-use|codex)/;

export type ModelResolution =
  /** `openai` is the model map's entry the name matched. */
  | { kind: "mapped"; openai: string; provider: string }
  /** Already one of the provider's own models (as the model map names them). */
  | { kind: "provider"; provider: string }
  /** An OpenAI name this provider has no equivalent for. */
  | { kind: "not_found" }
  /** Not an OpenAI name: passed on as given (the provider's gateway knows its own catalogue). */
  | { kind: "unknown"; provider: string };

export function normalizeModelName(name: string): string {
  // Azure OpenAI spells gpt-3.5 without the dot.
  return name.trim().toLowerCase().replace(/^gpt-35-/, "gpt-3.5-");
}

export function resolveModelName(modelMap: readonly ModelMapping[], name: string): ModelResolution {
  const wanted = normalizeModelName(name);
  const longestFirst = [...modelMap].sort((a, b) => b.openai.length - a.openai.length);
  for (const entry of longestFirst) {
    const prefix = entry.openai.toLowerCase();
    if (wanted === prefix || (wanted.startsWith(prefix) && VERSION_SUFFIX.test(wanted.slice(prefix.length)))) {
      return { kind: "mapped", openai: entry.openai, provider: entry.provider };
    }
  }
  const own = modelMap.find((entry) => entry.provider.toLowerCase() === wanted);
  if (own) return { kind: "provider", provider: own.provider };
  if (OPENAI_NAME.test(wanted)) return { kind: "not_found" };
  return { kind: "unknown", provider: name };
}

/** Embedding models: moving to the provider's means re-indexing (the vectors' sizes differ). */
export function isEmbeddingModel(openaiName: string): boolean {
  return normalizeModelName(openaiName).startsWith("text-embedding-");
}
