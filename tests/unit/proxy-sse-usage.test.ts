import { describe, expect, it } from "vitest";
import { SseUsageReader, usageFrom, usageFromJsonBytes } from "~/proxy/sse-usage";

const content = (text: string) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: text } }], usage: null })}\n\n`;
const usageChunk = `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 12, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 4 } } })}\n\n`;
const stream = content("Hel") + content("lo") + usageChunk + "data: [DONE]\n\n";

function feed(reader: SseUsageReader, text: string, pieceSize: number): string {
  const bytes = Buffer.from(text);
  let out = "";
  for (let at = 0; at < bytes.length; at += pieceSize) out += reader.push(bytes.subarray(at, at + pieceSize));
  return out + reader.end();
}

describe("SseUsageReader", () => {
  it.each([1, 3, 17, 10_000])("takes the usage out and drops its chunk for a client that did not ask (pieces of %i bytes)", (pieceSize) => {
    const reader = new SseUsageReader(false);
    expect(feed(reader, stream, pieceSize)).toBe(content("Hel") + content("lo") + "data: [DONE]\n\n");
    expect(reader.usage).toEqual({ inputTokens: 12, cachedInputTokens: 4, outputTokens: 5 });
  });

  it("passes everything on for a client that asked, CRLF events and multi-byte characters included", () => {
    const text = (content("é") + usageChunk).replace(/\n/g, "\r\n") + "data: [DONE]\r\n\r\n";
    const reader = new SseUsageReader(true);
    expect(feed(reader, text, 1)).toBe(text);
    expect(reader.usage?.inputTokens).toBe(12);
  });

  it("keeps usage that rides on a content chunk (some upstreams do), and the payloads for an estimate", () => {
    const mixed = `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: "x" } }], usage: { prompt_tokens: 3, completion_tokens: 1 } })}\n\n`;
    const reader = new SseUsageReader(false);
    expect(feed(reader, mixed, 5)).toBe(mixed);
    expect(reader.usage).toEqual({ inputTokens: 3, cachedInputTokens: 0, outputTokens: 1 });
    expect(reader.payloads).toHaveLength(1);
  });
});

describe("usageFrom", () => {
  it("refuses what is not a count", () => {
    expect(usageFrom(null)).toBeNull();
    expect(usageFrom({ prompt_tokens: -1, completion_tokens: 2 })).toBeNull();
    expect(usageFrom({ prompt_tokens: 1.5 })).toBeNull();
    expect(usageFrom({ prompt_tokens: 4, total_tokens: 4 })).toEqual({ inputTokens: 4, cachedInputTokens: 0, outputTokens: 0 });
    expect(usageFrom({ prompt_tokens: 4, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 9 } })?.cachedInputTokens).toBe(4);
  });
});

describe("usageFromJsonBytes", () => {
  const usageObject = { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19, prompt_tokens_details: { cached_tokens: 3 } };
  it("reads the usage of a whole answer without parsing the rest", () => {
    const answer = { id: "x", choices: [{ message: { content: 'a "usage": {"prompt_tokens": 999} in text {' } }], usage: usageObject };
    expect(usageFromJsonBytes(Buffer.from(JSON.stringify(answer)))).toEqual({ inputTokens: 12, cachedInputTokens: 3, outputTokens: 7 });
    expect(usageFromJsonBytes(Buffer.from(JSON.stringify(answer, null, 2)))).toEqual({ inputTokens: 12, cachedInputTokens: 3, outputTokens: 7 });
  });

  it("an embeddings answer (no completion tokens); null without usage, with a null usage, or when cut off", () => {
    const embeddings = { object: "list", data: [{ embedding: [0.1, 0.2] }], usage: { prompt_tokens: 4, total_tokens: 4 } };
    expect(usageFromJsonBytes(Buffer.from(JSON.stringify(embeddings)))).toEqual({ inputTokens: 4, cachedInputTokens: 0, outputTokens: 0 });
    expect(usageFromJsonBytes(Buffer.from(JSON.stringify({ id: "x", choices: [] })))).toBeNull();
    expect(usageFromJsonBytes(Buffer.from(JSON.stringify({ id: "x", usage: null })))).toBeNull();
    expect(usageFromJsonBytes(Buffer.from(JSON.stringify({ usage: usageObject })).subarray(0, 30))).toBeNull();
  });
});
