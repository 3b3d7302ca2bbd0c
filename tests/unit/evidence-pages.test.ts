// Usage/Costs API pages whose buckets continue on the next page: results merge by (bucket, keys).
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { combineDays } from "~/domain/evidence/combine";
import { verifyUpload, type VerifyOptions } from "~/domain/evidence/verify.server";
import { usagePages } from "../fixtures/usage-fixtures";

const OPTIONS: VerifyOptions = { maxBytes: 5 * 1024 * 1024, window: { start: "2023-07-01", end: "2024-07-09" }, now: new Date("2024-09-01T00:00:00Z") };
const fromText = (text: string, chunkSize = 500) =>
  Readable.from((function* () {
    const bytes = Buffer.from(text);
    for (let start = 0; start < bytes.length; start += chunkSize) yield bytes.subarray(start, start + chunkSize);
  })());
const codes = (findings: Array<{ code: string }>) => findings.map((finding) => finding.code);
const totalsOf = (days: Array<{ inputTokens: number; outputTokens: number; costMicros: number; requests: number }>) =>
  days.reduce((sum, day) => ({ input: sum.input + day.inputTokens, output: sum.output + day.outputTokens, cost: sum.cost + day.costMicros, requests: sum.requests + day.requests }), { input: 0, output: 0, cost: 0, requests: 0 });

describe("Usage API pages that cut a bucket in two", () => {
  const whole = usagePages({ days: 30, bucketsPerPage: 7, seed: 11 });

  for (const splitBuckets of ["split", "repeat"] as const) {
    it(`counts every result once (${splitBuckets}), however the pages arrive`, async () => {
      const expected = await verifyUpload(fromText(JSON.stringify(whole)), OPTIONS);
      const pages = usagePages({ days: 30, bucketsPerPage: 7, seed: 11, splitBuckets });
      // The fixture really does put one bucket's results on two pages.
      expect(pages[0]!.data.at(-1)!.start_time).toBe(pages[1]!.data[0]!.start_time);

      const asArray = await verifyUpload(fromText(JSON.stringify(pages, null, 2)), OPTIONS);
      const oneAfterAnother = await verifyUpload(fromText(pages.map((page) => JSON.stringify(page)).join("\n")), OPTIONS);
      for (const outcome of [asArray, oneAfterAnother]) {
        expect(outcome.status).toBe("accepted");
        expect(codes(outcome.flags)).toEqual([]);
        expect(outcome.days).toEqual(expected.days);
        expect(outcome.fingerprint).toBe(expected.fingerprint);
      }
      // Each page saved as its own file, then combined as the account's evidence is.
      const separate = await Promise.all(pages.map((page) => verifyUpload(fromText(JSON.stringify(page)), OPTIONS)));
      expect(separate.every((outcome) => outcome.status === "accepted")).toBe(true);
      const combined = combineDays(separate.flatMap((outcome) => outcome.days));
      expect(combined).toEqual(expected.days);
      expect(totalsOf(combined)).toEqual(totalsOf(expected.days));
    });
  }

  it("flags a repeat with other figures, showing both, and counts the first", async () => {
    const pages = usagePages({ days: 14, bucketsPerPage: 7, seed: 12, splitBuckets: "repeat" });
    const cut = pages[1]!.data[0]!;
    const first = pages[0]!.data.at(-1)!.results.at(-1)! as { model: string; input_tokens: number; output_tokens: number };
    const repeated = cut.results[0]! as typeof first;
    expect(repeated.model).toBe(first.model);
    const changed = { ...repeated, input_tokens: repeated.input_tokens + 1000 };
    const forged = [pages[0], { ...pages[1], data: [{ ...cut, results: [changed, ...cut.results.slice(1)] }, ...pages[1]!.data.slice(1)] }];
    const honest = await verifyUpload(fromText(JSON.stringify(pages)), OPTIONS);
    const outcome = await verifyUpload(fromText(JSON.stringify(forged)), OPTIONS);
    expect(outcome.status).toBe("accepted");
    const flag = outcome.flags.find((finding) => finding.code === "conflicting_results");
    expect(flag).toMatchObject({ count: 1, lines: [2] });
    expect(flag?.params).toMatchObject({ model: first.model, day: new Date(cut.start_time * 1000).toISOString().slice(0, 10) });
    expect(String(flag?.params?.first)).toContain(String(first.input_tokens));
    expect(String(flag?.params?.second)).toContain(String(first.input_tokens + 1000));
    expect(outcome.inputTokens).toBe(honest.inputTokens);
  });

  it("adds results of one bucket and model that differ in another grouping key (project)", async () => {
    const [page] = usagePages({ days: 1, bucketsPerPage: 7, seed: 13, models: ["gpt-4o"] });
    const bucket = page!.data[0]!;
    const result = bucket.results[0]! as Record<string, unknown>;
    const second = { ...page, data: [{ ...bucket, results: [{ ...result, project_id: "proj_other", input_tokens: 5, output_tokens: 7 }] }] };
    const outcome = await verifyUpload(fromText(JSON.stringify([page, second])), OPTIONS);
    expect(codes(outcome.flags)).toEqual([]);
    expect(outcome.inputTokens).toBe((result.input_tokens as number) + 5);
    expect(outcome.outputTokens).toBe((result.output_tokens as number) + 7);
  });

  it("still counts a has_more loop's repeated pages once, flagged", async () => {
    const pages = usagePages({ days: 21, bucketsPerPage: 7, seed: 14, splitBuckets: "split" });
    const once = await verifyUpload(fromText(JSON.stringify(pages)), OPTIONS);
    const looped = await verifyUpload(fromText(JSON.stringify([...pages, pages[1], pages[0]])), OPTIONS);
    expect(looped.inputTokens).toBe(once.inputTokens);
    expect(codes(looped.flags)).toEqual(["repeated_pages"]);
  });
});
