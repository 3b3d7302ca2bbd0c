// Every request body is capped before anyone reads it, and a form that cannot be read is a 400 here
// rather than a 500 in a route. Bodies up to the cap are read into memory once and handed to Remix;
// only the paths listed as streaming (the evidence upload) pass through unread.
import type { RequestHandler } from "express";

export const FORM_BODY_LIMIT = 64 * 1024;

export interface BodyLimitOptions {
  /** Bodies of ordinary requests (forms): read, checked, at most this many bytes. */
  defaultLimit: number;
  /** Exact paths whose body is read whole but unchecked (a signed webhook needs its raw bytes). */
  rawPaths: Record<string, number>;
  /** Exact paths whose route reads the stream itself and enforces its own cap while it streams. */
  streamingPaths: Record<string, number>;
}

const BODYLESS_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
// Tab, line feed and carriage return are what textareas send; every other control character is refused.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

declare module "express-serve-static-core" {
  interface Request {
    /** The body, read and checked by `bodyLimits`; undefined for streaming paths and bodiless requests. */
    bufferedBody?: Buffer;
  }
}

export function bodyLimits(options: BodyLimitOptions): RequestHandler {
  return (req, res, next) => {
    if (BODYLESS_METHODS.has(req.method)) return next();
    const declared = Number(req.get("content-length") ?? 0);
    const streamingLimit = options.streamingPaths[req.path];
    if (streamingLimit !== undefined) {
      if (declared > streamingLimit) return refuse(res, 413, "Payload Too Large");
      return next();
    }
    const raw = req.path in options.rawPaths;
    const limit = options.rawPaths[req.path] ?? options.defaultLimit;
    if (declared > limit) return refuse(res, 413, "Payload Too Large");
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on("data", (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > limit) {
        refused = true;
        chunks.length = 0;
        req.pause();
        refuse(res, 413, "Payload Too Large");
        return;
      }
      chunks.push(chunk);
    });
    req.on("error", () => {
      refused = true;
    });
    req.on("end", () => {
      if (refused) return;
      const body = Buffer.concat(chunks, size);
      void (raw ? Promise.resolve(null) : bodyProblem(req.get("content-type") ?? "", body)).then((problem) => {
        if (problem) return refuse(res, problem.status, problem.message);
        req.bufferedBody = body;
        next();
      });
    });
  };
}

function refuse(res: Parameters<RequestHandler>[1], status: number, message: string) {
  if (res.headersSent) return;
  // The rest of an oversized body is not read: the connection is closed after this answer.
  res.status(status).set({ Connection: "close", "Cache-Control": "no-store" }).type("text/plain").send(message);
}

interface BodyProblem {
  status: 400 | 415;
  message: string;
}

/** Why a body cannot be handed to a route: unreadable, control characters, or a type no route reads. */
export async function bodyProblem(contentType: string, body: Buffer): Promise<BodyProblem | null> {
  if (body.length === 0) return null;
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  const badRequest = (message: string): BodyProblem => ({ status: 400, message });
  if (type === "application/x-www-form-urlencoded") {
    const text = body.toString("utf8");
    if (text.includes("\u0000")) return badRequest("Bad Request: NUL byte in the form");
    for (const [key, value] of new URLSearchParams(text)) {
      if (CONTROL_CHARACTERS.test(key) || CONTROL_CHARACTERS.test(value)) return badRequest("Bad Request: control character in the form");
    }
    return null;
  }
  if (type === "multipart/form-data") {
    let form: FormData;
    try {
      form = await new Request("http://body.invalid/", { method: "POST", headers: { "Content-Type": contentType }, body: arrayBufferOf(body) }).formData();
    } catch {
      return badRequest("Bad Request: malformed multipart body");
    }
    for (const [key, value] of form) {
      if (CONTROL_CHARACTERS.test(key) || (typeof value === "string" && CONTROL_CHARACTERS.test(value))) {
        return badRequest("Bad Request: control character in the form");
      }
    }
    return null;
  }
  if (type === "application/json") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      return badRequest("Bad Request: malformed JSON");
    }
    return hasControlCharacter(parsed) ? badRequest("Bad Request: control character in the JSON") : null;
  }
  return { status: 415, message: "Unsupported Media Type: send a form (application/x-www-form-urlencoded or multipart/form-data)" };
}

function hasControlCharacter(value: unknown): boolean {
  if (typeof value === "string") return CONTROL_CHARACTERS.test(value);
  if (Array.isArray(value)) return value.some(hasControlCharacter);
  if (value && typeof value === "object") return Object.entries(value).some(([key, item]) => CONTROL_CHARACTERS.test(key) || hasControlCharacter(item));
  return false;
}

/** The bytes as an ArrayBuffer of their own, which every BodyInit accepts. */
export function arrayBufferOf(body: Buffer): ArrayBuffer {
  return body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
}
