// Express → Remix, like @remix-run/express's adapter, except that a body `bodyLimits` already read
// is handed over from memory (the stream is spent) and only streaming paths pass the socket through.
import { createReadableStreamFromReadable, createRequestHandler, writeReadableStreamToWritable, type AppLoadContext, type ServerBuild } from "@remix-run/node";
import { arrayBufferOf } from "./body-limit.server";
import { sendWholeBody, wholeBodyOf } from "./page-compression.server";
import type { Request as ExpressRequest, RequestHandler, Response as ExpressResponse } from "express";

export function remixHandler(options: {
  build: ServerBuild;
  mode: string;
  getLoadContext: (req: ExpressRequest, res: ExpressResponse) => AppLoadContext;
}): RequestHandler {
  const handleRequest = createRequestHandler(options.build, options.mode);
  return (req, res, next) => {
    const controller = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) controller.abort();
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (Array.isArray(value)) for (const item of value) headers.append(name, item);
      else if (value !== undefined) headers.set(name, value);
    }
    const init: RequestInit & { duplex?: "half" } = { method: req.method, headers, signal: controller.signal };
    if (req.method !== "GET" && req.method !== "HEAD") {
      init.body = req.bufferedBody ? arrayBufferOf(req.bufferedBody) : createReadableStreamFromReadable(req);
      init.duplex = "half";
    }
    const request = new Request(`${req.protocol}://${req.get("host") ?? "localhost"}${req.originalUrl}`, init);
    handleRequest(request, options.getLoadContext(req, res))
      .then(async (response) => {
        res.statusMessage = response.statusText;
        res.status(response.status);
        for (const [name, value] of response.headers.entries()) res.append(name, value);
        const wholeBody = wholeBodyOf(response);
        if (wholeBody) sendWholeBody(req, res, wholeBody);
        else if (response.body) await writeReadableStreamToWritable(response.body, res);
        else res.end();
      })
      .catch(next);
  };
}
