// Looks at the first bytes of an upload and says what it is: CSV (with its delimiter), JSON, PDF, or refused.
export type SniffResult =
  | { format: "csv"; delimiter: "," | ";" | "\t" }
  | { format: "json" }
  | { format: "pdf" }
  | { format: "refused"; code: "empty_file" | "binary_file" | "html_file" | "zip_file" | "not_utf8_text" | "not_csv_or_json" };

const ZIP_MAGIC = [0x50, 0x4b];
const GZIP_MAGIC = [0x1f, 0x8b];
const PDF_MAGIC = [...Buffer.from("%PDF-")];

function startsWith(bytes: Uint8Array, magic: number[]) {
  return magic.every((value, index) => bytes[index] === value);
}

/** Counts delimiter candidates on the header line, ignoring quoted stretches. */
function pickDelimiter(headerLine: string): "," | ";" | "\t" | null {
  const counts = { ",": 0, ";": 0, "\t": 0 };
  let quoted = false;
  for (const char of headerLine) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === "," || char === ";" || char === "\t")) counts[char] += 1;
  }
  const best = (Object.entries(counts) as Array<[keyof typeof counts, number]>).sort((a, b) => b[1] - a[1])[0]!;
  return best[1] > 0 ? best[0] : null;
}

/** `head` is the first bytes of the file (a few KB are enough); `complete` says it is the whole file. */
export function sniffContent(head: Uint8Array, complete: boolean): SniffResult {
  let start = 0;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) start = 3;
  const body = head.subarray(start);
  if (body.length === 0) return { format: "refused", code: "empty_file" };
  if (startsWith(body, PDF_MAGIC)) return { format: "pdf" };
  if (startsWith(body, ZIP_MAGIC)) return { format: "refused", code: "zip_file" };
  if (startsWith(body, GZIP_MAGIC) || body.includes(0)) return { format: "refused", code: "binary_file" };
  let text: string;
  try {
    // A multi-byte character may be cut at the end of the head: only a complete file must decode whole.
    const decodable = complete ? body : body.subarray(0, Math.max(0, body.length - 3));
    text = new TextDecoder("utf-8", { fatal: true }).decode(decodable);
  } catch {
    return { format: "refused", code: "not_utf8_text" };
  }
  const trimmed = text.trimStart();
  if (trimmed.length === 0) return { format: "refused", code: "empty_file" };
  if (trimmed.startsWith("<")) return { format: "refused", code: "html_file" };
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) return { format: "json" };
  const headerLine = trimmed.split(/\r?\n/, 1)[0] ?? "";
  // Control characters other than tab/newline mean this is not a text export.
  if (/[\u0001-\u0008\u000e-\u001f\u007f]/.test(headerLine)) return { format: "refused", code: "binary_file" };
  const delimiter = pickDelimiter(headerLine);
  if (!delimiter || !/[a-z_]/i.test(headerLine)) return { format: "refused", code: "not_csv_or_json" };
  return { format: "csv", delimiter };
}
