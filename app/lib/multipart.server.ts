// A streaming multipart/form-data reader for uploads: parts come out one by one, a file part's
// bytes as they arrive, nothing buffered beyond a boundary's length. Its own because the parser
// Remix ships splits Content-Disposition on every `=` and `;`: `a=b.csv` threw (a 500) and a
// name starting with `=` came out empty (the file was lost).

/** The body is not multipart as announced (cut off, no boundary, headers too long). */
export class MultipartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MultipartError";
  }
}

export interface MultipartPart {
  name: string;
  /** null for a plain field; "" when a file input was left empty. */
  filename: string | null;
  contentType: string | null;
  data: AsyncIterable<Uint8Array>;
}

const MAX_HEADER_BYTES = 16 * 1024;
const CRLF = Buffer.from("\r\n");
const HEADER_END = Buffer.from("\r\n\r\n");

export function multipartBoundary(contentType: string): string | null {
  const parsed = parseHeaderParameters(contentType);
  if (parsed.value.toLowerCase() !== "multipart/form-data") return null;
  const boundary = parsed.params.boundary ?? "";
  return boundary.length > 0 && boundary.length <= 200 ? boundary : null;
}

/**
 * `type; a=token; b="quoted \"string\""` → the value and its parameters (names lower-cased).
 * Quoted strings may hold `;` and `=`; `\"` and `\\` are escapes, any other backslash is kept
 * (browsers do not escape it, and a name may contain one).
 */
export function parseHeaderParameters(header: string): { value: string; params: Record<string, string> } {
  let index = header.indexOf(";");
  const value = (index === -1 ? header : header.slice(0, index)).trim();
  const params: Record<string, string> = {};
  if (index === -1) return { value, params };
  const length = header.length;
  while (index < length) {
    while (index < length && (header[index] === ";" || header[index] === " " || header[index] === "\t")) index += 1;
    const nameStart = index;
    while (index < length && header[index] !== "=" && header[index] !== ";") index += 1;
    const name = header.slice(nameStart, index).trim().toLowerCase();
    if (header[index] !== "=") continue;
    index += 1;
    while (index < length && (header[index] === " " || header[index] === "\t")) index += 1;
    let paramValue = "";
    if (header[index] === '"') {
      index += 1;
      while (index < length && header[index] !== '"') {
        if (header[index] === "\\" && (header[index + 1] === '"' || header[index + 1] === "\\")) index += 1;
        paramValue += header[index];
        index += 1;
      }
      index += 1;
      while (index < length && header[index] !== ";") index += 1;
    } else {
      const valueStart = index;
      while (index < length && header[index] !== ";") index += 1;
      paramValue = header.slice(valueStart, index).trim();
    }
    if (name !== "" && !(name in params)) params[name] = paramValue;
  }
  return { value, params };
}

/** RFC 5987 `filename*=UTF-8''%E4%B8%AD.csv`; null when it cannot be decoded. */
function decodeExtendedValue(value: string): string | null {
  const match = /^([\w!#$%&+^`{}~-]*)'[^']*'(.*)$/.exec(value);
  if (!match) return null;
  try {
    if (match[1]!.toLowerCase() === "utf-8") return decodeURIComponent(match[2]!);
    return Buffer.from(unescape(match[2]!), "latin1").toString("latin1");
  } catch {
    return null;
  }
}

/**
 * The file's name as the person sees it: browsers send `"`, CR and LF as %22, %0D, %0A (HTML's
 * multipart rules); control characters become spaces; at most 255 characters.
 */
export function uploadFileName(params: Record<string, string>): string | null {
  const extended = params["filename*"] !== undefined ? decodeExtendedValue(params["filename*"]) : null;
  let name = extended ?? params.filename;
  if (name === undefined) return null;
  if (extended === null) name = name.replace(/%22/gi, '"').replace(/%0D/gi, "\r").replace(/%0A/gi, "\n");
  // A whole path (old browsers sent one) keeps its last segment; a slash or backslash inside an
  // ordinary name is part of it: the name is only ever shown, never used as a path.
  if (name.startsWith("/")) name = name.slice(name.lastIndexOf("/") + 1);
  else if (/^([A-Za-z]:\\|\\\\)/.test(name)) name = name.slice(name.lastIndexOf("\\") + 1);
  name = name.replace(/[\u0000-\u001f\u007f]/g, " ");
  return Array.from(name).slice(0, 255).join("");
}

/**
 * Reads the body without ever cancelling it: on Node, cancelling a request's body destroys its
 * socket, and the answer could not be sent. What is left unread is the server's to discard.
 */
function iteratorOf(body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>): AsyncIterator<Uint8Array> {
  if (!("getReader" in body)) return body[Symbol.asyncIterator]();
  const reader = body.getReader();
  return {
    next: async () => {
      const read = await reader.read();
      return read.done ? { done: true, value: undefined } : { done: false, value: read.value };
    },
    return: async () => {
      reader.releaseLock();
      return { done: true, value: undefined };
    },
  };
}

class PartReader {
  private buffer: Buffer;
  private readonly delimiter: Buffer;
  private ended = false;

  constructor(
    private readonly source: AsyncIterator<Uint8Array>,
    boundary: string,
  ) {
    this.delimiter = Buffer.from(`\r\n--${boundary}`, "latin1");
    // The first boundary has no CRLF before it: pretend it does, so one delimiter finds them all.
    this.buffer = Buffer.from(CRLF);
  }

  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.source.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    this.buffer = this.buffer.length === 0 ? Buffer.from(next.value) : Buffer.concat([this.buffer, next.value]);
    return true;
  }

  /** Skips to just after the next delimiter; false when the body ends first. */
  async skipPastDelimiter(): Promise<boolean> {
    for (;;) {
      const at = this.buffer.indexOf(this.delimiter);
      if (at !== -1) {
        this.buffer = this.buffer.subarray(at + this.delimiter.length);
        return true;
      }
      this.buffer = this.buffer.subarray(Math.max(0, this.buffer.length - this.delimiter.length + 1));
      if (!(await this.fill())) return false;
    }
  }

  /** After a delimiter: the part's headers, or null at the closing `--`. */
  async readHeaders(): Promise<Record<string, string> | null> {
    while (this.buffer.length < 2) if (!(await this.fill())) throw new MultipartError("body ends after a boundary");
    if (this.buffer[0] === 0x2d && this.buffer[1] === 0x2d) return null;
    let end: number;
    for (;;) {
      const lineEnd = this.buffer.indexOf(CRLF);
      end = lineEnd === -1 ? -1 : this.buffer.indexOf(HEADER_END, lineEnd);
      if (lineEnd !== -1 && end !== -1) {
        const lines = this.buffer.subarray(lineEnd + 2, end).toString("utf8");
        this.buffer = this.buffer.subarray(end + HEADER_END.length);
        const headers: Record<string, string> = {};
        for (const line of lines === "" ? [] : lines.split("\r\n")) {
          const colon = line.indexOf(":");
          if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        return headers;
      }
      if (this.buffer.length > MAX_HEADER_BYTES) throw new MultipartError("part headers too long");
      if (!(await this.fill())) throw new MultipartError("body ends inside part headers");
    }
  }

  /** The current part's bytes up to the next delimiter (which is consumed). */
  async *body(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const at = this.buffer.indexOf(this.delimiter);
      if (at !== -1) {
        if (at > 0) yield this.buffer.subarray(0, at);
        this.buffer = this.buffer.subarray(at + this.delimiter.length);
        return;
      }
      const safe = this.buffer.length - this.delimiter.length + 1;
      if (safe > 0) {
        const piece = this.buffer.subarray(0, safe);
        this.buffer = this.buffer.subarray(safe);
        yield piece;
      }
      if (!(await this.fill())) throw new MultipartError("body ends inside a part");
    }
  }
}

/**
 * The parts of a multipart body, in order. A part's `data` must be read (or abandoned) before
 * the next part is asked for; what is left of it is skipped.
 */
export async function* readMultipart(body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>, boundary: string): AsyncGenerator<MultipartPart> {
  const source = iteratorOf(body);
  const reader = new PartReader(source, boundary);
  try {
    if (!(await reader.skipPastDelimiter())) throw new MultipartError("no boundary in the body");
    for (;;) {
      const headers = await reader.readHeaders();
      if (headers === null) return;
      const disposition = parseHeaderParameters(headers["content-disposition"] ?? "");
      const body = reader.body();
      let finished = false;
      // Abandoning the data (a `break`) must not close the body generator: its rest is skipped below.
      const data: AsyncIterable<Uint8Array> = {
        [Symbol.asyncIterator]: () => ({
          next: async () => {
            const next = await body.next();
            if (next.done) finished = true;
            return next;
          },
          return: async () => ({ done: true, value: undefined }),
        }),
      };
      if (disposition.value.toLowerCase() === "form-data" && disposition.params.name !== undefined) {
        yield { name: disposition.params.name, filename: uploadFileName(disposition.params), contentType: headers["content-type"] ?? null, data };
      }
      while (!finished) if ((await body.next()).done) finished = true;
    }
  } finally {
    await source.return?.();
  }
}
