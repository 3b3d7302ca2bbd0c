// Reading an upstream's server-sent events as they pass: complete events go on at once, the usage
// the upstream reports (asked for with stream_options.include_usage) is taken out of the stream, and
// the usage-only chunk is dropped when the client did not ask for it. Pure: no I/O.
import { StringDecoder } from "node:string_decoder";

export interface ReportedUsage {
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
}

const count = (value: unknown): number | null => (typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : null);

/** OpenAI's usage object (chat, completions, embeddings) as token counts; null when absent or not numbers. */
export function usageFrom(usage: unknown): ReportedUsage | null {
  if (!usage || typeof usage !== "object") return null;
  const fields = usage as { prompt_tokens?: unknown; completion_tokens?: unknown; prompt_tokens_details?: { cached_tokens?: unknown } | null };
  const input = count(fields.prompt_tokens);
  if (input === null) return null;
  const output = fields.completion_tokens === undefined ? 0 : count(fields.completion_tokens);
  if (output === null) return null;
  const cached = Math.min(input, count(fields.prompt_tokens_details?.cached_tokens) ?? 0);
  return { inputTokens: input, cachedInputTokens: cached, outputTokens: output };
}

const USAGE_OBJECT = /"usage"\s*:\s*\{/;
const EVENT_END = /\r?\n\r?\n/;

export class SseUsageReader {
  usage: ReportedUsage | null = null;
  /** The data payloads seen (for a token estimate when the stream ends without usage). */
  readonly payloads: string[] = [];
  private remainder = "";
  private readonly decoder = new StringDecoder("utf8");
  private payloadBytes = 0;

  constructor(
    private readonly clientWantsUsage: boolean,
    private readonly keepPayloadBytes = 8 * 1024 * 1024,
  ) {}

  /** Feeds one upstream chunk; returns the text to pass to the client now ("" while an event is incomplete). */
  push(chunk: Buffer): string {
    const text = this.remainder + this.decoder.write(chunk);
    let out = "";
    let start = 0;
    for (;;) {
      const rest = text.slice(start);
      const match = EVENT_END.exec(rest);
      if (!match) break;
      const end = start + match.index + match[0].length;
      const event = text.slice(start, end);
      if (this.keep(event)) out += event;
      start = end;
    }
    this.remainder = text.slice(start);
    return out;
  }

  /** What is left when the upstream ends (an event without its blank line). */
  end(): string {
    const rest = this.remainder + this.decoder.end();
    this.remainder = "";
    if (!rest.trim()) return rest;
    return this.keep(rest) ? rest : "";
  }

  private keep(event: string): boolean {
    const data = dataOf(event);
    if (data === null || data === "[DONE]") return true;
    if (this.payloadBytes < this.keepPayloadBytes) {
      this.payloads.push(data);
      this.payloadBytes += data.length;
    }
    if (!USAGE_OBJECT.test(data)) return true;
    let parsed: { usage?: unknown; choices?: unknown } | null = null;
    try {
      parsed = JSON.parse(data);
    } catch {
      return true;
    }
    const usage = usageFrom(parsed?.usage);
    if (usage) this.usage = usage;
    const usageOnly = Array.isArray(parsed?.choices) && parsed.choices.length === 0;
    return this.clientWantsUsage || !usageOnly || !usage;
  }
}

function dataOf(event: string): string | null {
  let data: string | null = null;
  for (const line of event.split(/\r?\n/)) {
    if (!line.startsWith("data:")) continue;
    const value = line.slice(line[5] === " " ? 6 : 5);
    data = data === null ? value : `${data}\n${value}`;
  }
  return data;
}

const USAGE_KEY = Buffer.from('"usage"');
const OPEN = 0x7b; // {
const CLOSE = 0x7d; // }
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c;

/**
 * The usage of a whole (non-streamed) JSON answer without parsing the answer: OpenAI puts `usage`
 * last, so the last `"usage"` key is found from the end and only its object is parsed (an
 * embeddings answer of megabytes of floats is never turned into objects). Null when it is not
 * there or not an object of counts; the caller then parses the whole answer for an estimate.
 */
export function usageFromJsonBytes(body: Buffer): ReportedUsage | null {
  let at = body.lastIndexOf(USAGE_KEY);
  while (at >= 0) {
    let i = at + USAGE_KEY.length;
    while (i < body.length && (body[i] === 0x20 || body[i] === 0x0a || body[i] === 0x0d || body[i] === 0x09)) i += 1;
    if (body[i] === 0x3a /* : */) {
      i += 1;
      while (i < body.length && (body[i] === 0x20 || body[i] === 0x0a || body[i] === 0x0d || body[i] === 0x09)) i += 1;
      if (body[i] !== OPEN) return null;
      const start = i;
      let depth = 0;
      let inString = false;
      for (; i < body.length; i += 1) {
        const byte = body[i];
        if (inString) {
          if (byte === BACKSLASH) i += 1;
          else if (byte === QUOTE) inString = false;
        } else if (byte === QUOTE) inString = true;
        else if (byte === OPEN) depth += 1;
        else if (byte === CLOSE && --depth === 0) {
          try {
            return usageFrom(JSON.parse(body.toString("utf8", start, i + 1)));
          } catch {
            return null;
          }
        }
      }
      return null;
    }
    // `"usage"` as a value inside a string, not a key: look further back.
    at = at > 0 ? body.lastIndexOf(USAGE_KEY, at - 1) : -1;
  }
  return null;
}
