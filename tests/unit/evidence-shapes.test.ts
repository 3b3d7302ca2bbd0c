// The shapes real exports come in (empty cells, UTF-16, gzip, zip, extra columns) and the
// forgeries that must not pass (negative, absurd, future rows; bombs; thousands of columns).
import { Readable } from "node:stream";
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { verifyUpload, type VerifyOptions } from "~/domain/evidence/verify.server";
import { column, completionsCsv, costsCsv, ORGS, usagePages, utf16 } from "../fixtures/usage-fixtures";
import { zipArchive } from "../fixtures/zip-writer";

const OPTIONS: VerifyOptions = { maxBytes: 5 * 1024 * 1024, window: { start: "2023-07-01", end: "2024-07-09" }, now: new Date("2024-09-01T00:00:00Z") };
const FUTURE = String(Date.parse("2025-01-01T00:00:00Z") / 1000);

function chunks(content: string | Buffer, chunkSize = 4096) {
  const bytes = typeof content === "string" ? Buffer.from(content) : content;
  return Readable.from((function* () {
    for (let start = 0; start < bytes.length; start += chunkSize) yield bytes.subarray(start, start + chunkSize);
  })());
}
const codes = (findings: Array<{ code: string }>) => findings.map((finding) => finding.code);
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

describe("empty numeric cells are zero", () => {
  it("reads a cost export with empty amounts (days without spend), keeps its org id, and says how many", async () => {
    let empty = 0;
    let micros = 0;
    const csv = costsCsv({ days: 60, seed: 31, emptyAmountShare: 0.3, onAmount: (amount) => (amount === "" ? (empty += 1) : (micros += Math.round(Number(amount) * 1e6))) });
    expect(empty).toBeGreaterThan(20);
    const outcome = await verifyUpload(chunks(csv, 1000), OPTIONS);
    expect(outcome.reasons).toEqual([]);
    expect(outcome.status).toBe("accepted");
    expect(outcome.orgId).toBe(ORGS.acme);
    expect(outcome.summary.emptyCells).toEqual({ amount_value: empty });
    expect(outcome.costMicros).toBe(micros);
  });

  it("reads empty token and request cells as zero, but text that is not a number is still an error", async () => {
    const empties = completionsCsv({
      days: 20,
      seed: 32,
      edit: (fields, index) => {
        if (index % 5 === 0) fields[column("output_tokens")] = "";
        if (index % 7 === 0) fields[column("num_model_requests")] = "";
      },
    });
    const outcome = await verifyUpload(chunks(empties), OPTIONS);
    expect(outcome.status).toBe("accepted");
    expect(outcome.summary.emptyCells).toEqual({ output_tokens: 16, num_model_requests: 12 });
    const text = completionsCsv({ days: 3, edit: (fields, index) => void (index === 2 && (fields[column("input_tokens")] = "n/a")) });
    const bad = await verifyUpload(chunks(text), OPTIONS);
    expect(bad.reasons).toEqual([{ code: "bad_number", count: 1, lines: [4], params: { column: "input_tokens" } }]);
    const costText = costsCsv({ days: 2 }).replace(/,\d+\.\d+,usd,/, ",twelve,usd,");
    expect(codes((await verifyUpload(chunks(costText), OPTIONS)).reasons)).toEqual(["bad_amount"]);
  });

  it("reads null counts and amounts in Usage API pages as zero", async () => {
    const pages = usagePages({ days: 7, bucketsPerPage: 7 });
    (pages[0]!.data[2]!.results[1] as { output_tokens: number | null }).output_tokens = null;
    const costs = usagePages({ kind: "costs", days: 3 });
    (costs[0]!.data[0]!.results[0] as { amount: { value: number | null } }).amount.value = null;
    const outcome = await verifyUpload(chunks(JSON.stringify([...pages, ...costs])), OPTIONS);
    expect(outcome.reasons).toEqual([]);
    expect(outcome.summary.emptyCells).toEqual({ output_tokens: 1, "amount.value": 1 });
  });
});

describe("every bad line, with its own reason", () => {
  it("refuses negative, absurd and future rows, each kind with its lines and count", async () => {
    const csv = completionsCsv({
      days: 10,
      seed: 33,
      edit: (fields, index) => {
        if (index === 3) fields[column("input_tokens")] = "-12";
        if (index === 7) fields[column("output_tokens")] = "99999999999999999999";
        if (index === 8) fields[column("input_tokens")] = "30000000000";
        if (index === 12) fields[column("start_time")] = FUTURE;
        if (index === 20) fields[column("input_tokens")] = "1.5";
      },
    });
    const outcome = await verifyUpload(chunks(csv, 333), OPTIONS);
    expect(outcome.status).toBe("rejected");
    expect(outcome.reasons).toEqual([
      { code: "negative_count", count: 1, lines: [5] },
      { code: "absurd_count", count: 2, lines: [9, 10] },
      { code: "future_date", count: 1, lines: [14] },
      { code: "bad_number", count: 1, lines: [22], params: { column: "input_tokens" } },
    ]);
    expect(outcome.flags).toEqual([]);
    expect(outcome.days).toEqual([]);
  });

  it("keeps the first five lines of a kind and counts them all", async () => {
    const csv = completionsCsv({ days: 10, edit: (fields, index) => void (index % 3 === 1 && (fields[column("output_tokens")] = "-1")) });
    const outcome = await verifyUpload(chunks(csv), OPTIONS);
    expect(outcome.reasons).toEqual([{ code: "negative_count", count: 13, lines: [3, 6, 9, 12, 15] }]);
  });

  it("applies the same reasons to cost exports and to Usage API pages (by page)", async () => {
    const [header, ...rows] = costsCsv({ days: 5, seed: 34 }).trimEnd().split("\n");
    rows[1] = rows[1]!.replace(/,(\d+\.\d+),usd,/, ",-$1,usd,");
    rows[4] = rows[4]!.replace(/,(\d+\.\d+),usd,/, ",12345678901234567890.5,usd,");
    const cost = await verifyUpload(chunks([header, ...rows].join("\n")), OPTIONS);
    expect(cost.reasons).toEqual([
      { code: "negative_count", count: 1, lines: [3] },
      { code: "absurd_count", count: 1, lines: [6] },
    ]);
    const pages = usagePages({ days: 14, bucketsPerPage: 7 });
    (pages[1]!.data[0]!.results[0] as { input_tokens: number }).input_tokens = -3;
    pages[1]!.data[6]!.start_time = Number(FUTURE);
    const json = await verifyUpload(chunks(JSON.stringify(pages)), OPTIONS);
    expect(json.reasons).toEqual([
      { code: "negative_count", count: 1, lines: [2] },
      { code: "future_date", count: 4, lines: [2, 2, 2, 2] },
    ]);
  });
});

describe("encodings and compression", () => {
  const text = completionsCsv({ days: 30, seed: 35, models: ["gpt-4o-2024-05-13", "gpt-4o-mini-2024-07-18"] }).replaceAll("proj_000abcdefgh", "项目-主要");

  it("decodes UTF-16 LE and BE with a BOM, and UTF-8 with a BOM, to the same usage", async () => {
    const plain = await verifyUpload(chunks(text), OPTIONS);
    expect(plain.status).toBe("accepted");
    for (const [name, bytes] of [
      ["utf-16le", utf16(text, "le")],
      ["utf-16be", utf16(text, "be")],
      ["utf-8 bom", Buffer.from(`\uFEFF${text}`)],
    ] as const) {
      // An odd chunk size splits code units and characters across chunks.
      const outcome = await verifyUpload(chunks(bytes, 1001), OPTIONS);
      expect(outcome.reasons, name).toEqual([]);
      expect(outcome.fingerprint, name).toBe(plain.fingerprint);
      expect(outcome.fileSha256, name).toBe(sha256(bytes));
    }
    expect((await verifyUpload(chunks(utf16(text, "be")), OPTIONS)).summary.encoding).toBe("utf-16be");
  });

  it("inflates gzip while streaming, whatever the name, and hashes the bytes as uploaded", async () => {
    const plain = await verifyUpload(chunks(text), OPTIONS);
    const gz = gzipSync(Buffer.from(text));
    const outcome = await verifyUpload(chunks(gz, 512), OPTIONS);
    expect(outcome.reasons).toEqual([]);
    expect(outcome.fingerprint).toBe(plain.fingerprint);
    expect(outcome.summary.compression).toBe("gzip");
    expect(outcome.fileSha256).toBe(sha256(gz));
    expect(outcome.fileBytes).toBe(gz.length);
    const utf16Gz = await verifyUpload(chunks(gzipSync(utf16(text, "le"))), OPTIONS);
    expect(utf16Gz.fingerprint).toBe(plain.fingerprint);
    const json = await verifyUpload(chunks(gzipSync(JSON.stringify(usagePages({ days: 10 })))), OPTIONS);
    expect(json.kind).toBe("usage_api_json");
    expect(json.status).toBe("accepted");
  });

  it("reads the one export inside a zip, ignoring what archivers add beside it", async () => {
    const plain = await verifyUpload(chunks(text), OPTIONS);
    const zip = zipArchive([
      { name: "__MACOSX/._usage.csv", content: "junk" },
      { name: "exports/", content: "", deflate: false },
      { name: "exports/completions_usage_2024.csv", content: text },
    ]);
    const outcome = await verifyUpload(chunks(zip, 700), OPTIONS);
    expect(outcome.reasons).toEqual([]);
    expect(outcome.fingerprint).toBe(plain.fingerprint);
    expect(outcome.summary).toMatchObject({ compression: "zip", archiveEntry: "exports/completions_usage_2024.csv" });
    expect(outcome.fileSha256).toBe(sha256(zip));
    const stored = await verifyUpload(chunks(zipArchive([{ name: "pages.json", content: JSON.stringify(usagePages({ days: 5 })), deflate: false }])), OPTIONS);
    expect(stored.kind).toBe("usage_api_json");
    expect(stored.status).toBe("accepted");
  });

  it("refuses zips that are empty, hold several files, are encrypted or corrupt", async () => {
    const cases: Array<[Buffer, string]> = [
      [zipArchive([]), "archive_empty"],
      [zipArchive([{ name: "a.csv", content: text }, { name: "b.csv", content: text }]), "archive_several_files"],
      [zipArchive([{ name: "a.csv", content: text, encrypted: true }]), "archive_encrypted"],
      [zipArchive([{ name: "a.csv", content: text }]).subarray(0, 300), "corrupt_archive"],
      [Buffer.concat([gzipSync(text).subarray(0, 200), Buffer.from("not gzip any more")]), "corrupt_archive"],
    ];
    for (const [bytes, code] of cases) {
      const outcome = await verifyUpload(chunks(bytes), OPTIONS);
      expect(codes(outcome.reasons), code).toEqual([code]);
      expect(outcome.status).toBe("rejected");
    }
  });

  it("applies the size cap to the decompressed bytes: a bomb gets a clear reason", async () => {
    // 24 MB of rows in a few dozen KB: refused at the 5 MB cap, never held in memory.
    const row = "1704067200,gpt-4o,1,1\n";
    const bomb = gzipSync(Buffer.concat([Buffer.from("start_time,model,input_tokens,output_tokens\n"), Buffer.alloc(24 * 1024 * 1024, row)]));
    expect(bomb.length).toBeLessThan(OPTIONS.maxBytes);
    const outcome = await verifyUpload(chunks(bomb, 65536), OPTIONS);
    expect(outcome.reasons).toEqual([{ code: "too_large_uncompressed", count: 1, lines: [], params: { limitMb: 5 } }]);
    expect(outcome.kind).toBe("completions_csv");
    // A zip that declares a size over the cap, and one that lies about its size.
    const big = Buffer.alloc(6 * 1024 * 1024, row);
    const declared = await verifyUpload(chunks(zipArchive([{ name: "a.csv", content: big }])), OPTIONS);
    expect(codes(declared.reasons)).toEqual(["too_large_uncompressed"]);
    const lying = await verifyUpload(chunks(zipArchive([{ name: "a.csv", content: big, declaredSize: 1000 }])), OPTIONS);
    expect(lying.status).toBe("rejected");
    expect(["corrupt_archive", "too_large_uncompressed"]).toContain(lying.reasons[0]?.code);
  });
});

describe("columns and what is not an export", () => {
  it("ignores unknown columns a newer export adds", async () => {
    const plain = await verifyUpload(chunks(completionsCsv({ days: 10 })), OPTIONS);
    const wider = await verifyUpload(chunks(completionsCsv({ days: 10, extraColumns: ["project_name", "user_email", "region", "tags"] })), OPTIONS);
    expect(wider.reasons).toEqual([]);
    expect(wider.fingerprint).toBe(plain.fingerprint);
  });

  it("refuses thousands of columns with a clear reason, as not an export", async () => {
    const header = ["start_time", "model", "input_tokens", "output_tokens", ...Array.from({ length: 5000 }, (_, index) => `c${index}`)];
    const outcome = await verifyUpload(chunks(`${header.join(",")}\n${header.map(() => "1").join(",")}\n`), OPTIONS);
    expect(outcome.reasons).toEqual([{ code: "too_many_columns", count: 1, lines: [1], params: { count: 5004, max: 200 } }]);
    expect(outcome.kind).toBe("not_export");
  });

  it("names files that are not OpenAI exports as such, and keeps the kind of a broken export", async () => {
    const notExports = ["<!doctype html><title>Log in</title>", "name,email\nAda,ada@example.com\n", '{"users":[1,2]}', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1])];
    for (const content of notExports) {
      const outcome = await verifyUpload(chunks(content), { ...OPTIONS, kindHint: "completions_csv" });
      expect(outcome.kind, String(content)).toBe("not_export");
    }
    const broken = await verifyUpload(chunks(completionsCsv({ days: 2, edit: (fields) => void (fields[column("model")] = "") })), OPTIONS);
    expect(broken.kind).toBe("completions_csv");
    expect(broken.status).toBe("rejected");
  });
});
