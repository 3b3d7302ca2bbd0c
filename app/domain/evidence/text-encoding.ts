// Text encodings by byte-order mark: UTF-16 (Excel's "Unicode text", some exports re-saved on
// Windows) is re-encoded to UTF-8 as it streams, so every parser after this reads UTF-8 only.
export type TextEncodingName = "utf-8" | "utf-16le" | "utf-16be";

export function detectEncoding(head: Uint8Array): TextEncodingName {
  if (head[0] === 0xff && head[1] === 0xfe) return "utf-16le";
  if (head[0] === 0xfe && head[1] === 0xff) return "utf-16be";
  return "utf-8";
}

/** UTF-16 bytes (BOM included) in, UTF-8 bytes out; a character split across chunks stays whole. */
export async function* utf16ToUtf8(source: AsyncIterable<Uint8Array>, encoding: "utf-16le" | "utf-16be"): AsyncGenerator<Uint8Array> {
  // Not fatal: an unpaired surrogate becomes U+FFFD and fails validation where it matters.
  const decoder = new TextDecoder(encoding);
  for await (const chunk of source) {
    const text = decoder.decode(chunk, { stream: true });
    if (text !== "") yield Buffer.from(text, "utf8");
  }
  const tail = decoder.decode();
  if (tail !== "") yield Buffer.from(tail, "utf8");
}
