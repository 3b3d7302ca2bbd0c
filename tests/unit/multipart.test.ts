import { describe, expect, it } from "vitest";
import { multipartBoundary, parseHeaderParameters, readMultipart, uploadFileName } from "~/lib/multipart.server";

function chunked(bytes: Buffer, size: number): AsyncIterable<Uint8Array> {
  return (async function* () {
    for (let start = 0; start < bytes.length; start += size) yield bytes.subarray(start, start + size);
  })();
}

async function collect(body: Buffer, boundary: string, size: number) {
  const parts: Array<{ name: string; filename: string | null; text: string }> = [];
  for await (const part of readMultipart(chunked(body, size), boundary)) {
    const chunks: Uint8Array[] = [];
    for await (const chunk of part.data) chunks.push(chunk);
    parts.push({ name: part.name, filename: part.filename, text: Buffer.concat(chunks).toString("utf8") });
  }
  return parts;
}

describe("multipart reader", () => {
  const boundary = "b0und4ry";
  // File content that holds near-boundaries, CRLFs and the boundary text without its dashes.
  const file = `line one\r\n--b0und4r\r\nb0und4ry\r\n-\r\n-b0und4ry is not it… 用量\r\n`;
  const body = Buffer.from(
    `preamble\r\n--${boundary}\r\nContent-Disposition: form-data; name="orgId"\r\n\r\norg-abc\r\n--${boundary}\r\n` +
      `Content-Disposition: form-data; name="file"; filename="a=b; \\"c\\".csv"\r\nContent-Type: text/csv\r\n\r\n${file}\r\n--${boundary}--\r\nepilogue`,
  );

  it("reads the same parts whatever the chunk sizes, boundaries split across chunks", async () => {
    for (const size of [1, 2, 3, 7, 13, 64, 4096]) {
      expect(await collect(body, boundary, size), String(size)).toEqual([
        { name: "orgId", filename: null, text: "org-abc" },
        { name: "file", filename: 'a=b; "c".csv', text: file },
      ]);
    }
  });

  it("skips what a reader abandons and goes on to the next part", async () => {
    const seen: string[] = [];
    for await (const part of readMultipart(chunked(body, 5), boundary)) {
      seen.push(part.name);
      for await (const _ of part.data) break;
    }
    expect(seen).toEqual(["orgId", "file"]);
  });

  it("parses header parameters with quoted = and ;, and names", () => {
    expect(parseHeaderParameters('form-data; name="file"; filename="=x;y=z.csv"')).toEqual({ value: "form-data", params: { name: "file", filename: "=x;y=z.csv" } });
    expect(parseHeaderParameters("form-data; name=plain; filename=a.csv")).toEqual({ value: "form-data", params: { name: "plain", filename: "a.csv" } });
    expect(multipartBoundary('multipart/form-data; boundary="----WebKitFormBoundaryAb1"')).toBe("----WebKitFormBoundaryAb1");
    expect(multipartBoundary("application/x-www-form-urlencoded")).toBeNull();
    expect(uploadFileName({ filename: "tab\there.csv" })).toBe("tab here.csv");
    expect(uploadFileName({ filename: "a\\b.csv" })).toBe("a\\b.csv");
    expect(uploadFileName({ filename: "/home/ada/usage.csv" })).toBe("usage.csv");
    expect(uploadFileName({ filename: "x", "filename*": "UTF-8''%E2%82%AC%20rates.csv" })).toBe("€ rates.csv");
    expect(uploadFileName({})).toBeNull();
  });
});
