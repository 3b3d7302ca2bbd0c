import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { verifyUpload, type VerifyOptions } from "~/domain/evidence/verify.server";
import { completionsCsv, costsCsv, expectedTotals, ORGS, usagePages } from "../fixtures/usage-fixtures";

const FIXTURES = new URL("../fixtures/evidence/", import.meta.url);
const OPTIONS: VerifyOptions = { maxBytes: 5 * 1024 * 1024, window: { start: "2023-07-01", end: "2024-07-09" }, now: new Date("2024-09-01T00:00:00Z") };

function fromText(text: string | Buffer, chunkSize = 4096) {
  const bytes = typeof text === "string" ? Buffer.from(text) : text;
  return Readable.from((function* () {
    for (let start = 0; start < bytes.length; start += chunkSize) yield bytes.subarray(start, start + chunkSize);
  })());
}

const fixture = (name: string) => createReadStream(new URL(name, FIXTURES));
const codes = (findings: Array<{ code: string }>) => findings.map((finding) => finding.code);

describe("verifyUpload: good exports", () => {
  it("normalizes a generated completions export to day × model totals", async () => {
    const options = { days: 120, rowsPerDayModel: 3, seed: 7 };
    const outcome = await verifyUpload(fromText(completionsCsv(options)), OPTIONS);
    expect(outcome.reasons).toEqual([]);
    expect(outcome.status).toBe("accepted");
    expect(outcome.kind).toBe("completions_csv");
    const totals = expectedTotals(options);
    expect(outcome.inputTokens).toBe(totals.input);
    expect(outcome.outputTokens).toBe(totals.output);
    expect(outcome.days).toHaveLength(120 * 4);
    expect(outcome.summary.months.map((month) => month.month)).toEqual(["2023-09", "2023-10", "2023-11", "2023-12"]);
    expect(outcome.periodStart).toBe("2023-09-01");
    expect(outcome.fileSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(outcome.summary.missingColumns).toEqual([]);
  });

  it("gives the same fingerprint to shuffled rows, CRLF and a BOM, but a different file hash", async () => {
    const text = completionsCsv({ days: 20, seed: 3 });
    const [header, ...rows] = text.trimEnd().split("\n");
    const shuffled = `\uFEFF${[header, ...rows.reverse()].join("\r\n")}\r\n`;
    const a = await verifyUpload(fromText(text), OPTIONS);
    const b = await verifyUpload(fromText(shuffled, 777), OPTIONS);
    expect(b.status).toBe("accepted");
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(b.fileSha256).not.toBe(a.fileSha256);
  });

  it("reads a cost export: quoted line items, org id, micro-dollars", async () => {
    const outcome = await verifyUpload(fixture("quoted-commas.csv"), OPTIONS);
    expect(outcome.status).toBe("accepted");
    expect(outcome.kind).toBe("costs_csv");
    expect(outcome.orgId).toBe(ORGS.acme);
    expect(outcome.costMicros).toBe(1_750_000);
    expect(outcome.days).toEqual([{ day: "2024-01-01", model: "gpt-4o-2024-05-13", inputTokens: 0, outputTokens: 0, costMicros: 1_750_000, requests: 0 }]);
    const generated = await verifyUpload(fromText(costsCsv({ days: 40 })), OPTIONS);
    expect(generated.status).toBe("accepted");
  });

  it("accepts BOM, CRLF and semicolon files, and says which columns an older export lacks", async () => {
    for (const name of ["bom.csv", "crlf.csv", "semicolon.csv"]) {
      const outcome = await verifyUpload(fixture(name), OPTIONS);
      expect(outcome.reasons, name).toEqual([]);
      expect(outcome.inputTokens, name).toBe(300);
      expect(outcome.summary.missingColumns, name).toContain("input_cached_tokens");
    }
  });

  it("reads Usage API pages given as an array, one after another, or with a has_more loop", async () => {
    const pages = usagePages({ days: 30, bucketsPerPage: 7 });
    const asArray = await verifyUpload(fromText(JSON.stringify(pages, null, 2), 100), OPTIONS);
    expect(asArray.reasons).toEqual([]);
    expect(asArray.kind).toBe("usage_api_json");
    expect(asArray.summary.pages).toBe(5);
    const concatenated = await verifyUpload(fromText(pages.map((page) => JSON.stringify(page)).join("\n")), OPTIONS);
    expect(concatenated.fingerprint).toBe(asArray.fingerprint);
    // The server kept answering has_more with the same pages: counted once, flagged.
    const looped = await verifyUpload(fromText(JSON.stringify([...pages, pages[1], pages[2], pages[1]])), OPTIONS);
    expect(looped.status).toBe("accepted");
    expect(looped.inputTokens).toBe(asArray.inputTokens);
    expect(codes(looped.flags)).toContain("repeated_pages");
    const incomplete = await verifyUpload(fromText(JSON.stringify(pages.slice(0, 2))), OPTIONS);
    expect(codes(incomplete.flags)).toContain("incomplete_pages");
    const costs = await verifyUpload(fromText(JSON.stringify(usagePages({ kind: "costs", days: 10, orgId: ORGS.bolt }))), OPTIONS);
    expect(costs.status).toBe("accepted");
    expect(costs.orgId).toBe(ORGS.bolt);
    expect(costs.costMicros).toBeGreaterThan(0);
  });
});

describe("verifyUpload: CSV quoting", () => {
  it("reads every field quoted (the csv-parse path) exactly like the plain split path", async () => {
    const plain = completionsCsv({ days: 25, seed: 4 });
    const quoted = plain
      .trimEnd()
      .split("\n")
      .map((line) => line.split(",").map((field) => `"${field}"`).join(","))
      .join("\r\n");
    const a = await verifyUpload(fromText(plain), OPTIONS);
    const b = await verifyUpload(fromText(quoted, 1000), OPTIONS);
    expect(b.reasons).toEqual([]);
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(b.inputTokens).toBe(a.inputTokens);
  });

  it("handles escaped quotes and line breaks inside a quoted field, keeping line numbers right", async () => {
    const text = [
      "start_time,model,input_tokens,output_tokens,project_id",
      '1704067200,gpt-4o,100,50,"proj ""main""',
      'second line of the name"',
      "1704153600,gpt-4o,200,70,plain",
      "1704240000,gpt-4o,oops,70,plain",
    ].join("\n");
    const outcome = await verifyUpload(fromText(text, 7), OPTIONS);
    expect(outcome.reasons).toEqual([{ code: "bad_number", count: 1, lines: [5], params: { column: "input_tokens" } }]);
    expect(outcome.rowCount).toBe(3);
  });

  it("refuses a file without line breaks it knows (old Mac \\r) instead of buffering it", async () => {
    const text = completionsCsv({ days: 400, rowsPerDayModel: 4 }).replaceAll("\n", "\r");
    const outcome = await verifyUpload(fromText(text, 65536), { ...OPTIONS, maxBytes: 50 * 1024 * 1024 });
    expect(outcome.reasons.map((reason) => reason.code)).toEqual(["line_too_long"]);
  });
});

describe("verifyUpload: bad files", () => {
  const cases: Array<[string, string]> = [
    ["wrong-headers.csv", "unrecognized_columns"],
    ["missing-columns.csv", "missing_columns"],
    ["empty.csv", "empty_file"],
    ["header-only.csv", "no_rows"],
    ["binary.csv", "binary_file"],
    ["export.zip.csv", "corrupt_archive"],
    ["login-page.csv", "html_file"],
    ["wrong-shape.json", "wrong_json_shape"],
  ];
  for (const [name, code] of cases) {
    it(`${name} → ${code}`, async () => {
      const outcome = await verifyUpload(fixture(name), OPTIONS);
      expect(outcome.status).toBe("rejected");
      expect(codes(outcome.reasons)).toContain(code);
      expect(outcome.days).toEqual([]);
      expect(outcome.fingerprint).toBeNull();
    });
  }

  it("counts a hand-made has_more loop once and flags it", async () => {
    const outcome = await verifyUpload(fixture("has-more-loop.json"), OPTIONS);
    expect(outcome.status).toBe("accepted");
    expect(outcome.inputTokens).toBe(3000);
    expect(codes(outcome.flags).sort()).toEqual(["incomplete_pages", "repeated_pages"]);
  });

  it("names the missing columns", async () => {
    const outcome = await verifyUpload(fixture("missing-columns.csv"), OPTIONS);
    expect(outcome.reasons[0]?.params).toEqual({ columns: "output_tokens" });
  });

  it("reports bad rows with line numbers and counts", async () => {
    const outcome = await verifyUpload(fixture("bad-rows.csv"), OPTIONS);
    expect(outcome.status).toBe("rejected");
    expect(outcome.reasons).toEqual([
      { code: "bad_number", count: 1, lines: [3], params: { column: "input_tokens" } },
      { code: "missing_model", count: 1, lines: [4], params: { column: "model" } },
      { code: "wrong_field_count", count: 1, lines: [5], params: { expected: 4, found: 3 } },
    ]);
  });

  it("refuses a file one byte over the cap, and accepts it at the cap", async () => {
    const text = completionsCsv({ days: 30 });
    const size = Buffer.byteLength(text);
    const over = await verifyUpload(fromText(text), { ...OPTIONS, maxBytes: size - 1 });
    expect(codes(over.reasons)).toEqual(["too_large"]);
    expect(over.fileBytes).toBeLessThanOrEqual(size);
    const exact = await verifyUpload(fromText(text), { ...OPTIONS, maxBytes: size });
    expect(exact.status).toBe("accepted");
  });

  it("stops at a NUL byte in the middle of a CSV", async () => {
    const text = Buffer.from(completionsCsv({ days: 60 }));
    text[30_000] = 0;
    const outcome = await verifyUpload(fromText(text), OPTIONS);
    expect(codes(outcome.reasons)).toEqual(["binary_file"]);
  });

  it("flags what is odd without rejecting: unknown model, totals, outside window", async () => {
    const outcome = await verifyUpload(fixture("flagged.csv"), OPTIONS);
    expect(outcome.status).toBe("accepted");
    expect(codes(outcome.flags).sort()).toEqual(["totals_mismatch", "unknown_model"]);
    expect(outcome.flags.find((flag) => flag.code === "totals_mismatch")?.lines).toEqual([4]);
    expect(outcome.summary.outsideWindowRows).toBe(1);
    expect(outcome.inputTokens).toBe(210);
  });

  it("rejects a declared org id that the cost export contradicts, and mixed org ids", async () => {
    const mismatch = await verifyUpload(fixture("quoted-commas.csv"), { ...OPTIONS, declaredOrgId: ORGS.bolt });
    expect(codes(mismatch.reasons)).toEqual(["org_id_mismatch"]);
    const mixed = costsCsv({ days: 3, orgId: ORGS.acme }) + costsCsv({ days: 3, orgId: ORGS.bolt }).split("\n").slice(1).join("\n");
    const outcome = await verifyUpload(fromText(mixed), OPTIONS);
    expect(codes(outcome.reasons)).toEqual(["mixed_org_ids"]);
  });

  it("flags a spike just before the cutoff", async () => {
    const quiet = completionsCsv({ startDay: "2024-03-01", days: 110, scale: 1000, seed: 9 }).trimEnd();
    const spike = completionsCsv({ startDay: "2024-06-26", days: 14, scale: 5_000_000, seed: 9 }).split("\n").slice(1).join("\n");
    const outcome = await verifyUpload(fromText(`${quiet}\n${spike}`), OPTIONS);
    expect(codes(outcome.flags)).toContain("spike_before_cutoff");
    const calm = await verifyUpload(fromText(completionsCsv({ startDay: "2024-03-01", days: 120, seed: 9 })), OPTIONS);
    expect(codes(calm.flags)).not.toContain("spike_before_cutoff");
  });

  it("rejects usage that lies wholly outside the program window", async () => {
    const outcome = await verifyUpload(fromText(completionsCsv({ startDay: "2022-01-01", days: 30 })), OPTIONS);
    expect(codes(outcome.reasons)).toEqual(["nothing_in_window"]);
  });

  it("rejects malformed JSON and a bare CSV quote error", async () => {
    const json = await verifyUpload(fromText('{"object":"page","data":[ '), OPTIONS);
    expect(codes(json.reasons)).toContain("malformed_json");
    const csv = await verifyUpload(fromText('start_time,model,input_tokens,output_tokens\n1704067200,"gpt-4o,100,50\n'), OPTIONS);
    expect(codes(csv.reasons)).toContain("malformed_csv");
  });
});
