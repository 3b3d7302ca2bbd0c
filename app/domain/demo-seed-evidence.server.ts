// Demo evidence: a completions usage export made up for each demo developer, uploaded through the
// same verification and storage as a real file.
import { getEnv } from "~/lib/env.server";
import type { DbExecutor } from "~/lib/db.server";
import { hasAcceptedEvidence, saveEvidence } from "./evidence/index.server";
import { verifyUpload } from "./evidence/verify.server";

export interface DemoUsage {
  /** Tokens of an average day; each day varies around it. */
  dailyTokens: number;
  /** Seeds the day-to-day noise: demo accounts must not look like copies of each other. */
  seed: number;
}

const MODELS = ["gpt-4o-2024-05-13", "gpt-4o-mini-2024-07-18", "gpt-3.5-turbo-0125"] as const;
const FIRST_DAY = Date.UTC(2024, 3, 1); // April, May and June 2024: inside the program window.
const DAYS = 91;

/** mulberry32: deterministic, so every demo database holds the same usage. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function demoUsageCsv(usage: DemoUsage): string {
  const random = prng(usage.seed);
  const lines = ["start_time,project_id,num_model_requests,model,input_tokens,output_tokens"];
  for (let day = 0; day < DAYS; day++) {
    const start = (FIRST_DAY + day * 86_400_000) / 1000;
    for (const [index, model] of MODELS.entries()) {
      const share = [0.5, 0.3, 0.2][index]!;
      const tokens = Math.round(usage.dailyTokens * share * (0.6 + random() * 0.8));
      const input = Math.round(tokens * 0.7);
      lines.push(`${start},proj_demo${usage.seed},${1 + Math.floor(tokens / 1500)},${model},${input},${tokens - input}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

async function* bytesOf(text: string): AsyncGenerator<Uint8Array> {
  yield new TextEncoder().encode(text);
}

/** Uploads the account's demo export once; an account that already has accepted evidence is left alone. */
export async function seedDemoEvidence(db: DbExecutor, accountId: string, usage: DemoUsage): Promise<void> {
  if (await hasAcceptedEvidence(db, accountId)) return;
  const env = getEnv();
  const outcome = await verifyUpload(bytesOf(demoUsageCsv(usage)), {
    maxBytes: env.EVIDENCE_MAX_BYTES,
    window: { start: env.PROGRAM_WINDOW_START, end: env.PROGRAM_WINDOW_END },
    declaredOrgId: null,
  });
  if (outcome.status !== "accepted") throw new Error(`demo evidence was refused: ${JSON.stringify(outcome.reasons)}`);
  await saveEvidence(db, { userId: accountId, fileName: "openai-usage-2024-q2.csv", outcome });
}
