// When an upstream reports no usage (a client that hung up mid-stream, an upstream that omits it), the
// proxy counts tokens itself with gpt-tokenizer (o200k_base). It is an estimate: the provider's own
// tokenizer differs; usage records carry `estimated` so nobody mistakes it for the upstream's count.
type CountTokens = (text: string) => number;

let loading: Promise<CountTokens> | undefined;

// Loaded on first use: its vocabulary costs memory and start-up time that most proxies never need.
function tokenizer(): Promise<CountTokens> {
  loading ??= import("gpt-tokenizer").then((module) => module.countTokens as CountTokens);
  return loading;
}

// OpenAI's documented framing of a chat prompt: a few tokens per message and to prime the answer.
const TOKENS_PER_MESSAGE = 4;
const TOKENS_TO_PRIME_REPLY = 3;

function textsOfContent(content: unknown): string[] {
  if (typeof content === "string") return [content];
  if (!Array.isArray(content)) return [];
  return content.flatMap((part) => (part && typeof part === "object" && typeof (part as { text?: unknown }).text === "string" ? [(part as { text: string }).text] : []));
}

/** Tokens in a request body the proxy forwards (chat messages, completion prompt, embedding input). */
export async function estimateInputTokens(endpoint: "chat" | "completions" | "embeddings", body: Record<string, unknown>): Promise<number> {
  const countTokens = await tokenizer();
  if (endpoint === "chat") {
    const messages = Array.isArray(body.messages) ? body.messages : [];
    let total = TOKENS_TO_PRIME_REPLY;
    for (const message of messages) {
      if (!message || typeof message !== "object") continue;
      const fields = message as { role?: unknown; content?: unknown; name?: unknown; tool_calls?: unknown };
      total += TOKENS_PER_MESSAGE;
      for (const text of textsOfContent(fields.content)) total += countTokens(text);
      if (typeof fields.role === "string") total += countTokens(fields.role);
      if (typeof fields.name === "string") total += countTokens(fields.name);
      if (Array.isArray(fields.tool_calls)) total += countTokens(JSON.stringify(fields.tool_calls));
    }
    return total;
  }
  const input = endpoint === "completions" ? body.prompt : body.input;
  return countPrompt(input, countTokens);
}

function countPrompt(input: unknown, countTokens: CountTokens): number {
  if (typeof input === "string") return countTokens(input);
  if (!Array.isArray(input)) return 0;
  // An array of token ids is already counted; an array of prompts is summed.
  if (input.every((item) => typeof item === "number")) return input.length;
  return input.reduce((sum: number, item) => sum + countPrompt(item, countTokens), 0);
}

/** Tokens of what the upstream produced: the stream's deltas, or a whole answer's choices. */
export async function estimateOutputTokens(answers: unknown[]): Promise<number> {
  const countTokens = await tokenizer();
  let total = 0;
  for (const answer of answers) {
    const choices = (answer as { choices?: unknown })?.choices;
    if (!Array.isArray(choices)) continue;
    for (const choice of choices) {
      const part = (choice?.delta ?? choice?.message ?? choice) as { content?: unknown; text?: unknown; reasoning_content?: unknown; tool_calls?: unknown };
      for (const value of [part.content, part.text, part.reasoning_content]) {
        if (typeof value === "string" && value) total += countTokens(value);
      }
      if (Array.isArray(part.tool_calls)) {
        for (const call of part.tool_calls) {
          const args = call?.function?.arguments;
          if (typeof args === "string" && args) total += countTokens(args);
        }
      }
    }
  }
  return total;
}

/** Parses stream payloads that are JSON (skips the rest) for estimateOutputTokens. */
export function parsedPayloads(payloads: string[]): unknown[] {
  const parsed: unknown[] = [];
  for (const payload of payloads) {
    try {
      parsed.push(JSON.parse(payload));
    } catch {
      /* not JSON: nothing to count */
    }
  }
  return parsed;
}
