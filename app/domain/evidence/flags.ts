// The rules that raise a flag for staff rather than reject: odd models, absurd counts, a late spike.

/** More tokens than this in one row (one model, one day) is not believable usage. */
export const ABSURD_TOKENS_PER_ROW = 20_000_000_000;
/** More than this in one cost row (micro-dollars: one million dollars). */
export const ABSURD_COST_MICROS_PER_ROW = 1_000_000_000_000;

// Families OpenAI has served over the API; anything else is shown to staff as unknown.
const KNOWN_MODEL = /^(ft:)?(gpt-|o1|o3|o4|chatgpt-|text-|davinci|babbage|ada|curie|whisper|tts-|dall-e|omni-moderation|codex|computer-use|gpt4|embedding)/i;

/** Usage API pages fetched without group_by=model carry no model: that is not a suspicious one. */
export const ALL_MODELS = "(all models)";

export function isKnownModel(model: string): boolean {
  return model === ALL_MODELS || KNOWN_MODEL.test(model);
}

export const SPIKE_RECENT_DAYS = 14;
export const SPIKE_BASELINE_DAYS = 90;
export const SPIKE_FACTOR = 5;
export const SPIKE_MIN_RECENT_TOKENS = 1_000_000;

/**
 * A sudden spike just before the cutoff: the last 14 days of the window average over 5× the
 * 90 days before them (or usage appears only in those last days), above a small floor.
 */
export function hasSpikeBeforeCutoff(dailyTokens: Map<number, number>, windowEndDay: number): boolean {
  let recent = 0;
  let baseline = 0;
  for (const [day, tokens] of dailyTokens) {
    if (day > windowEndDay - SPIKE_RECENT_DAYS && day <= windowEndDay) recent += tokens;
    else if (day > windowEndDay - SPIKE_RECENT_DAYS - SPIKE_BASELINE_DAYS && day <= windowEndDay - SPIKE_RECENT_DAYS) baseline += tokens;
  }
  if (recent < SPIKE_MIN_RECENT_TOKENS) return false;
  return recent / SPIKE_RECENT_DAYS > (SPIKE_FACTOR * baseline) / SPIKE_BASELINE_DAYS;
}

/** The model a cost line item is about: "gpt-4o-2024-05-13, input" → "gpt-4o-2024-05-13". */
export function modelOfLineItem(lineItem: string | null | undefined): string {
  const head = (lineItem ?? "").split(",")[0]?.trim().toLowerCase() ?? "";
  return head === "" ? "(other)" : head.slice(0, 120);
}

export const ORG_ID = /^org-[A-Za-z0-9]{8,64}$/;
