// The snippets page's model map starts with the developer's own models (from accepted evidence),
// each with its provider model or "no equivalent", and says embeddings must be re-indexed.
import { describe, expect, it } from "vitest";
import { loader } from "~/routes/account.snippets";
import { getDb } from "~/lib/db.server";
import { call, createUser, fullSessionCookie } from "./helpers";
import { createEvidenceFor } from "./support-fixtures";

async function usageDays(evidenceId: string, rows: Array<[string, number]>) {
  await getDb()
    .insertInto("evidence_usage_days")
    .values(rows.map(([model, tokens], index) => ({ evidence_id: evidenceId, day: `2024-05-${String(index + 1).padStart(2, "0")}`, model, input_tokens: tokens, output_tokens: 0, cost_micros: 0, requests: 1, created_at: new Date().toISOString() })))
    .execute();
}

describe("snippets: the developer's model map", () => {
  it("lists their models first, largest first, with the provider model or none, then the rest of the map", async () => {
    const user = await createUser();
    const evidence = await createEvidenceFor(user.id);
    await usageDays(evidence.id, [
      ["gpt-4o-2024-08-06", 5_000],
      ["gpt-3.5-turbo-0125", 9_000],
      ["text-embedding-ada-002", 100],
      ["gpt-4o-audio-preview", 50],
    ]);
    const outcome = await call(loader, "/account/snippets", { cookie: await fullSessionCookie(user.id) });
    const map = (outcome.data as any).snippets.modelMap as Array<{ openai: string; provider: string | null; mine: boolean }>;
    expect(map.slice(0, 4)).toEqual([
      { openai: "gpt-3.5-turbo-0125", provider: "glm-4-flash", mine: true, embedding: false },
      { openai: "gpt-4o-2024-08-06", provider: "glm-4-plus", mine: true, embedding: false },
      { openai: "text-embedding-ada-002", provider: "embedding-2", mine: true, embedding: true },
      { openai: "gpt-4o-audio-preview", provider: null, mine: true, embedding: false },
    ]);
    const rest = map.slice(4).map((row) => row.openai);
    expect(rest).not.toContain("gpt-4o");
    expect(rest).not.toContain("gpt-3.5-turbo");
    expect(rest).toContain("gpt-4o-mini");
    expect(map.slice(4).every((row) => !row.mine)).toBe(true);

    const stranger = await createUser();
    const theirs = (await call(loader, "/account/snippets", { cookie: await fullSessionCookie(stranger.id) })).data as any;
    expect(theirs.snippets.modelMap.some((row: any) => row.mine)).toBe(false);
  });
});
