import { describe, expect, it } from "vitest";
import { dollarsToMicros, integerCell } from "~/domain/evidence/amounts";
import { combineDays, monthsOf } from "~/domain/evidence/combine";
import { pickFields } from "~/domain/evidence/csv-ingest";
import { hasSpikeBeforeCutoff, isKnownModel, modelOfLineItem } from "~/domain/evidence/flags";
import { sniffContent } from "~/domain/evidence/sniff";
import { JsonPageSplitter } from "~/domain/evidence/usage-api-json";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("evidence building blocks", () => {
  it("turns dollar strings into integer micro-dollars without floats", () => {
    expect(dollarsToMicros("0.1")).toBe(100_000);
    expect(dollarsToMicros("12.3456785")).toBe(12_345_679);
    expect(dollarsToMicros("0.000000400")).toBe(0);
    expect(dollarsToMicros("-1.5")).toBe(-1_500_000);
    expect(dollarsToMicros("1e3")).toBeNull();
    expect(dollarsToMicros("")).toBeNull();
    expect(integerCell("")).toBeNull();
    expect(integerCell("12")).toBe(12);
    expect(integerCell("1.5")).toBeNaN();
  });

  it("sniffs what a file is from its first bytes", () => {
    expect(sniffContent(bytes("a,b,c\n1,2,3"), true)).toEqual({ format: "csv", delimiter: "," });
    expect(sniffContent(bytes("\uFEFFa;b;c\n"), true)).toEqual({ format: "csv", delimiter: ";" });
    expect(sniffContent(bytes("a\tb\tc\n"), true)).toEqual({ format: "csv", delimiter: "\t" });
    expect(sniffContent(bytes('  [{"object":"page"}]'), true)).toEqual({ format: "json" });
    expect(sniffContent(bytes("<html>"), true)).toMatchObject({ code: "html_file" });
    expect(sniffContent(new Uint8Array([0x1f, 0x8b, 8, 0]), true)).toMatchObject({ code: "binary_file" });
    expect(sniffContent(new Uint8Array([0xff, 0xfe, 0x41, 0x00]), true)).toMatchObject({ code: "binary_file" });
    expect(sniffContent(new Uint8Array([0x61, 0x2c, 0xc3, 0x28, 0x0a]), true)).toMatchObject({ code: "not_utf8_text" });
    expect(sniffContent(bytes("hello world\n"), true)).toMatchObject({ code: "not_csv_or_json" });
    expect(sniffContent(bytes("   \n"), true)).toMatchObject({ code: "empty_file" });
  });

  it("picks only the wanted fields and counts them all", () => {
    const cells: string[] = [];
    expect(pickFields("a,b,,d,e", ",", [0, 2, 4], cells)).toBe(5);
    expect([cells[0], cells[2], cells[4]]).toEqual(["a", "", "e"]);
    expect(pickFields("x", ",", [0, 3], cells)).toBe(1);
  });

  it("splits JSON pages across arbitrary chunk boundaries, strings with braces included", () => {
    const pages: string[] = [];
    const errors: string[] = [];
    const splitter = new JsonPageSplitter((page) => pages.push(page), (code) => errors.push(code));
    const text = '[{"a":"}{\\"","b":[1,{"c":2}]} , {"d":"]"}]';
    for (const char of text) splitter.write(char);
    splitter.end();
    expect(errors).toEqual([]);
    expect(pages.map((page) => JSON.parse(page))).toEqual([{ a: '}{"', b: [1, { c: 2 }] }, { d: "]" }]);
  });

  it("knows OpenAI model names and line items", () => {
    expect(isKnownModel("gpt-4o-2024-05-13")).toBe(true);
    expect(isKnownModel("ft:gpt-3.5-turbo:acme::abc")).toBe(true);
    expect(isKnownModel("llama-3-70b")).toBe(false);
    expect(modelOfLineItem("GPT-4o-2024-05-13, input")).toBe("gpt-4o-2024-05-13");
    expect(modelOfLineItem(null)).toBe("(other)");
  });

  it("sees a spike only when the last two weeks tower over the three months before", () => {
    const end = 19_913;
    const steady = new Map<number, number>();
    for (let day = end - 120; day <= end; day++) steady.set(day, 1_000_000);
    expect(hasSpikeBeforeCutoff(steady, end)).toBe(false);
    const spiky = new Map(steady);
    for (let day = end - 13; day <= end; day++) spiky.set(day, 10_000_000);
    expect(hasSpikeBeforeCutoff(spiky, end)).toBe(true);
  });

  it("combines overlapping days by keeping the largest figure", () => {
    const days = combineDays([
      { day: "2024-01-01", model: "gpt-4o", inputTokens: 10, outputTokens: 5, costMicros: 0, requests: 1 },
      { day: "2024-01-01", model: "gpt-4o", inputTokens: 8, outputTokens: 7, costMicros: 300, requests: 1 },
      { day: "2024-01-02", model: "gpt-4o", inputTokens: 1, outputTokens: 1, costMicros: 0, requests: 1 },
    ]);
    expect(days[0]).toMatchObject({ inputTokens: 10, outputTokens: 7, costMicros: 300 });
    expect(monthsOf(days)).toEqual([{ month: "2024-01", inputTokens: 11, outputTokens: 8, totalTokens: 19, costMicros: 300 }]);
  });
});
