// The model map as one developer needs it: the OpenAI models their accepted evidence shows first
// (most tokens first, with the provider model each becomes, or none), then the rest of the map.
import type { DbExecutor } from "~/lib/db.server";
import { isEmbeddingModel, resolveModelName } from "~/providers/model-names";
import type { ModelMapping } from "~/providers/types";

export interface ModelMapRow {
  openai: string;
  /** Null: this provider has no equivalent. */
  provider: string | null;
  /** The developer's own evidence used this model. */
  mine: boolean;
  embedding: boolean;
}

export async function developerModelMap(db: DbExecutor, accountId: string, modelMap: readonly ModelMapping[]): Promise<ModelMapRow[]> {
  const used = await db
    .selectFrom("evidence_usage_days as d")
    .innerJoin("evidence as e", "e.id", "d.evidence_id")
    .select((eb) => ["d.model", eb.fn.sum<number>(eb("d.input_tokens", "+", eb.ref("d.output_tokens"))).as("tokens")])
    .where("e.user_id", "=", accountId)
    .where("e.status", "=", "accepted")
    .where("e.removed_at", "is", null)
    .groupBy("d.model")
    .orderBy("tokens", "desc")
    .orderBy("d.model")
    .limit(50)
    .execute();
  const mine: ModelMapRow[] = used.map(({ model }) => {
    const resolution = resolveModelName(modelMap, model);
    const provider = resolution.kind === "mapped" || resolution.kind === "provider" ? resolution.provider : null;
    return { openai: model, provider, mine: true, embedding: isEmbeddingModel(model) };
  });
  // A dated name of ours covers its family's entry: gpt-4o-2024-08-06 shown, gpt-4o not repeated.
  const covered = new Set(used.map(({ model }) => {
    const resolution = resolveModelName(modelMap, model);
    return resolution.kind === "mapped" ? resolution.openai : model;
  }));
  const rest = modelMap.filter((entry) => !covered.has(entry.openai)).map((entry) => ({ openai: entry.openai, provider: entry.provider, mine: false, embedding: isEmbeddingModel(entry.openai) }));
  return [...mine, ...rest];
}
