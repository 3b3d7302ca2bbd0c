// Real HTTP against the server Ferry runs: a rendered page (one buffer) is compressed in one call as
// the client accepts (brotli, then gzip), with Vary, not for HEAD or small pages or a client taking
// neither; a page's strings are served at their content-addressed URL.
import type { Server } from "node:http";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFerryServer } from "~/http-server.server";
import { getDb } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { wholeBodyResponse } from "~/lib/page-compression.server";
import type { Readiness } from "~/lib/readiness.server";
import { serverTranslations } from "~/lib/translations.server";
import { closeServer, rawGet, stubRemixBuild } from "./stub-remix-build";

let server: Server;
const page = `<!DOCTYPE html><html><body>${"<p>A page of the portal, long enough to be worth compressing.</p>".repeat(100)}</body></html>`;

const build = stubRemixBuild({
  entry: {
    module: {
      default: (request: Request, status: number, headers: Headers) => {
        const url = new URL(request.url);
        headers.set("Content-Type", "text/html; charset=utf-8");
        if (url.searchParams.has("no-transform")) headers.set("Cache-Control", "private, no-transform");
        const body = url.searchParams.has("small") ? "<p>small</p>" : page;
        return wholeBodyResponse(Buffer.from(body), { status, headers });
      },
    },
  },
  routes: { root: { id: "root", path: "", module: { default: () => null } } },
});

beforeAll(async () => {
  const readiness = { migrated: true } as unknown as Readiness;
  server = createFerryServer({ build, env: getEnv(), db: getDb(), readiness, publicDir: "/nonexistent" });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
});

afterAll(() => closeServer(server));

const get = (path: string, headers: Record<string, string> = {}, method = "GET") => rawGet(server, path, headers, method);

describe("a rendered page", () => {
  it("is sent brotli-compressed to a browser that takes brotli, gzip to one that takes only gzip", async () => {
    const br = await get("/", { "Accept-Encoding": "gzip, deflate, br, zstd" });
    expect(br.status).toBe(200);
    expect(br.headers["content-encoding"]).toBe("br");
    expect(br.headers.vary).toContain("Accept-Encoding");
    expect(Number(br.headers["content-length"])).toBe(br.body.length);
    expect(br.body.length).toBeLessThan(page.length / 5);
    expect(brotliDecompressSync(br.body).toString()).toBe(page);
    // The security headers are still there.
    expect(br.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(br.headers["x-content-type-options"]).toBe("nosniff");

    const gzip = await get("/", { "Accept-Encoding": "gzip" });
    expect(gzip.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(gzip.body).toString()).toBe(page);
  });

  it("is sent as it is to a client that takes neither, for HEAD, when small, or marked no-transform", async () => {
    for (const [path, headers] of [
      ["/", {}],
      ["/", { "Accept-Encoding": "identity" }],
      ["/", { "Accept-Encoding": "br;q=0, gzip;q=0" }],
      ["/?small", { "Accept-Encoding": "br" }],
      ["/?no-transform", { "Accept-Encoding": "br" }],
    ] as const) {
      const answer = await get(path, headers);
      expect(answer.headers["content-encoding"], `${path} ${JSON.stringify(headers)}`).toBeUndefined();
      expect(answer.headers.vary).toContain("Accept-Encoding");
      expect(answer.body.toString()).toBe(path === "/?small" ? "<p>small</p>" : page);
    }
    const head = await get("/", { "Accept-Encoding": "br" }, "HEAD");
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
  });
});

describe("a page's strings", () => {
  it("are served at the URL the page names, compressed, cached for good", async () => {
    const texts = serverTranslations.page("en", ["account", "common", "errors"]);
    if (texts instanceof Promise) throw new Error("the server never waits");
    const answer = await get(texts.payloadSrc, { "Accept-Encoding": "br" });
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(answer.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(answer.headers["content-encoding"]).toBe("br");
    expect(brotliDecompressSync(answer.body).toString()).toMatch(/^window\.__ferryTranslations=\{"locale":"en"/);
    const stale = await get(texts.payloadSrc.replace(/\.[\w-]{16}\.js$/, ".AAAAAAAAAAAAAAAA.js"));
    expect(stale.status).toBe(200);
    expect(stale.headers["cache-control"]).toBe("no-cache");
    // Not a set of namespaces: Remix answers (here, the test page).
    const other = await get("/texts/en/errors.common.AAAAAAAAAAAAAAAA.js");
    expect(other.body.toString()).not.toContain("__ferryTranslations");
  });

  it("answers a set no page has rendered yet with the same strings, in brotli and gzip", async () => {
    const path = "/texts/zh/audit.common.errors.outbox.AAAAAAAAAAAAAAAA.js";
    const br = await get(path, { "Accept-Encoding": "br" });
    const gzip = await get(path, { "Accept-Encoding": "gzip" });
    const plain = await get(path);
    expect([br.status, gzip.status, plain.status]).toEqual([200, 200, 200]);
    expect(plain.headers["cache-control"]).toBe("no-cache");
    expect(plain.body.toString()).toMatch(/^window\.__ferryTranslations=\{"locale":"zh"/);
    expect(plain.body.toString()).toContain('"outbox":');
    expect(brotliDecompressSync(br.body).toString()).toBe(plain.body.toString());
    expect(gunzipSync(gzip.body).toString()).toBe(plain.body.toString());
  });
});
