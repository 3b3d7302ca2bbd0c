// Real HTTP against the server Ferry runs (app/http-server.server.ts), in-process, with the real
// log-in route and a hand-made Remix build around it: body caps, unreadable bodies, path
// normalization before the origin check, and the client address behind a trusted proxy.
import { request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { AppLoadContext } from "@remix-run/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFerryServer } from "~/http-server.server";
import { getDb } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { parseProxyTrust, type ProxyTrust } from "~/lib/proxy-trust.server";
import * as loginRoute from "~/routes/login";
import { closeServer, stubRemixBuild } from "./stub-remix-build";

let server: Server;
let base: string;

function route(id: string, path: string | undefined, module: Record<string, unknown>, parentId?: string) {
  return { id, path, parentId, index: undefined, caseSensitive: undefined, module };
}

const build = stubRemixBuild({
  entry: {
    module: {
      // Documents are not rendered here: the action's answer is what the tests look at.
      default: (_request: Request, status: number, headers: Headers, context: { staticHandlerContext: { actionData: unknown } }) => {
        headers.set("Content-Type", "application/json");
        return new Response(JSON.stringify(context.staticHandlerContext.actionData), { status, headers });
      },
    },
  },
  routes: {
    root: route("root", "", { default: () => null }),
    "routes/login": route("routes/login", "login", loginRoute, "root"),
    "routes/whoami": route("routes/whoami", "whoami", { loader: ({ context }: { context: AppLoadContext }) => Response.json({ ip: context.clientIp }) }, "root"),
  },
});

beforeAll(async () => {
  const trust = parseProxyTrust("1") as ProxyTrust;
  server = createFerryServer({ build, env: { ...getEnv(), TRUST_PROXY: trust }, db: getDb() });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => closeServer(server));

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request with full control of headers and body (fetch would fix Content-Length and paths). */
function raw(path: string, options: { method?: string; headers?: Record<string, string | number>; body?: Buffer | string | Array<Buffer | string> } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const { port } = server.address() as AddressInfo;
    const req = httpRequest({ host: "127.0.0.1", port, path, method: options.method ?? "POST", headers: { Origin: base, ...options.headers } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    // The server may answer and close before a refused body is fully written.
    req.on("error", (error: NodeJS.ErrnoException) => (error.code === "EPIPE" || error.code === "ECONNRESET" ? undefined : reject(error)));
    const parts = Array.isArray(options.body) ? options.body : options.body === undefined ? [] : [options.body];
    for (const part of parts) req.write(part);
    req.end();
  });
}

const FORM = { "Content-Type": "application/x-www-form-urlencoded" };

describe("request bodies", () => {
  it("hands a normal log-in form to the route", async () => {
    const answer = await raw("/login", { headers: FORM, body: "email=nobody%40example.com&password=not-the-password" });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ "routes/login": { formError: "errors.invalid_credentials" } });
  });

  it("answers 413 to a declared 300 MB body without reading it", async () => {
    const answer = await raw("/login", { headers: { ...FORM, "Content-Length": 300 * 1024 * 1024 }, body: "email=a" });
    expect(answer.status).toBe(413);
    expect(answer.headers.connection).toBe("close");
  });

  it("answers 413 to a chunked body that grows past 64 KB", async () => {
    const chunk = Buffer.alloc(16 * 1024, "a");
    const answer = await raw("/login", { headers: { ...FORM, "Transfer-Encoding": "chunked" }, body: ["email=", ...Array.from({ length: 8 }, () => chunk)] });
    expect(answer.status).toBe(413);
  });

  it.each([
    ["a NUL byte", FORM, "email=a%00b%40example.com&password=x"],
    ["a raw NUL byte", FORM, "email=a\u0000b@example.com&password=x"],
    ["a control character", FORM, "email=a%1Bb%40example.com&password=x"],
    ["malformed multipart", { "Content-Type": "multipart/form-data; boundary=xyz" }, "--xyz\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\nno closing boundary"],
    ["multipart without a boundary", { "Content-Type": "multipart/form-data" }, "email=a"],
    ["malformed JSON", { "Content-Type": "application/json" }, "{\"email\": "],
  ])("answers 400, not 500, to %s", async (_label, headers, body) => {
    const answer = await raw("/login", { headers, body });
    expect(answer.status).toBe(400);
  });

  it("answers 415 to a body type no form sends", async () => {
    expect((await raw("/login", { headers: { "Content-Type": "text/plain" }, body: "email=a" })).status).toBe(415);
    expect((await raw("/login", { headers: {}, body: "email=a" })).status).toBe(415);
  });
});

describe("paths", () => {
  it.each(["/webhooks/../login", "/webhooks/%2e%2e/login", "/webhooks/stripe/../../login", "/api/gateway/../../login"])(
    "checks the origin of %s like /login",
    async (path) => {
      const answer = await raw(path, { headers: { ...FORM, Origin: "https://evil.example" }, body: "email=victim%40example.com&password=x" });
      expect(answer.status).toBe(403);
    },
  );
});

describe("client address", () => {
  it("with TRUST_PROXY=1, is the address the proxy appended, whatever the client put before it", async () => {
    const answer = await raw("/whoami", { method: "GET", headers: { "X-Forwarded-For": "6.6.6.6, 198.51.100.7" } });
    expect(JSON.parse(answer.body)).toEqual({ ip: "198.51.100.7" });
  });
});
