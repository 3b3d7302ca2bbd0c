// Real HTTP against the server Ferry runs: public/ files with their build-time brotli and gzip
// copies (negotiated, with Vary, falling back to the file itself), and /healthz answered before
// Express and Remix see the request.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFerryServer } from "~/http-server.server";
import { getDb } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { createOpsEndpoints } from "~/lib/ops-endpoints.server";
import { precompressDirectory } from "~/lib/precompress.server";
import type { Readiness } from "~/lib/readiness.server";
import { chooseEncoding } from "~/lib/static-files.server";
import { closeServer, rawGet, stubRemixBuild } from "./stub-remix-build";

let server: Server;
let publicDir: string;
let remixCalls = 0;
const stylesheet = `body { color: #123456; }\n${".rule { margin: 0 auto; padding: 1rem; }\n".repeat(200)}`;

const build = stubRemixBuild({
  entry: {
    module: {
      default: () => {
        remixCalls += 1;
        return new Response("rendered by Remix");
      },
    },
  },
  routes: { root: { id: "root", path: "", module: { default: () => null } } },
});

beforeAll(async () => {
  publicDir = mkdtempSync(join(tmpdir(), "ferry-public-"));
  mkdirSync(join(publicDir, "styles"));
  mkdirSync(join(publicDir, "build"));
  writeFileSync(join(publicDir, "styles/app.css"), stylesheet);
  writeFileSync(join(publicDir, "build/entry-ABC123.js"), `export const answer = ${"42 + ".repeat(100)}0;\n`);
  writeFileSync(join(publicDir, "tiny.txt"), "too small to compress");
  const report = precompressDirectory(publicDir);
  expect(report.written).toBe(4);
  const readiness = { probe: async () => ({ ready: true }), migrated: true } as unknown as Readiness;
  server = createFerryServer({ build, env: getEnv(), db: getDb(), publicDir, opsEndpoints: createOpsEndpoints({ readiness }) });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
});

afterAll(async () => {
  await closeServer(server);
  rmSync(publicDir, { recursive: true, force: true });
});

const get = (path: string, headers: Record<string, string> = {}, method = "GET") => rawGet(server, path, headers, method);

describe("precompressed static files", () => {
  it("sends the brotli copy to a client that takes brotli", async () => {
    const answer = await get("/styles/app.css", { "Accept-Encoding": "gzip, deflate, br" });
    expect(answer.status).toBe(200);
    expect(answer.headers["content-encoding"]).toBe("br");
    expect(answer.headers.vary).toBe("Accept-Encoding");
    expect(answer.headers["content-type"]).toBe("text/css; charset=utf-8");
    expect(Number(answer.headers["content-length"])).toBe(answer.body.length);
    expect(answer.body.length).toBeLessThan(stylesheet.length / 4);
    expect(brotliDecompressSync(answer.body).toString()).toBe(stylesheet);
  });

  it("sends the gzip copy when brotli is not taken", async () => {
    for (const header of ["gzip", "br;q=0, gzip;q=0.5", "deflate, gzip"]) {
      const answer = await get("/styles/app.css", { "Accept-Encoding": header });
      expect(answer.headers["content-encoding"], header).toBe("gzip");
      expect(answer.headers.vary).toBe("Accept-Encoding");
      expect(gunzipSync(answer.body).toString()).toBe(stylesheet);
    }
  });

  it("falls back to the file itself when the client takes neither", async () => {
    for (const headers of [{}, { "Accept-Encoding": "identity" }, { "Accept-Encoding": "deflate" }, { "Accept-Encoding": "br;q=0, gzip;q=0" }] as Array<Record<string, string>>) {
      const answer = await get("/styles/app.css", headers);
      expect(answer.status).toBe(200);
      expect(answer.headers["content-encoding"]).toBeUndefined();
      expect(answer.headers.vary).toBe("Accept-Encoding");
      expect(answer.body.toString()).toBe(stylesheet);
    }
  });

  it("marks build assets immutable, other files for an hour, and answers a matching ETag with 304", async () => {
    const asset = await get("/build/entry-ABC123.js", { "Accept-Encoding": "br" });
    expect(asset.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(asset.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    const css = await get("/styles/app.css", { "Accept-Encoding": "br" });
    expect(css.headers["cache-control"]).toBe("public, max-age=3600");
    const again = await get("/styles/app.css", { "Accept-Encoding": "br", "If-None-Match": String(css.headers.etag) });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    // Another encoding is another representation: its own tag.
    const plain = await get("/styles/app.css", { "If-None-Match": String(css.headers.etag) });
    expect(plain.status).toBe(200);
  });

  it("serves a file too small to compress as it is, HEAD without a body, and leaves unknown paths to Remix", async () => {
    const tiny = await get("/tiny.txt", { "Accept-Encoding": "br, gzip" });
    expect(tiny.headers["content-encoding"]).toBeUndefined();
    expect(tiny.headers.vary).toBeUndefined();
    expect(tiny.body.toString()).toBe("too small to compress");
    const head = await get("/styles/app.css", { "Accept-Encoding": "br" }, "HEAD");
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(readFileSync(join(publicDir, "styles/app.css.br")).length).toBe(Number(head.headers["content-length"]));
    const before = remixCalls;
    const page = await get("/styles/missing.css");
    expect(page.body.toString()).toBe("rendered by Remix");
    expect(remixCalls).toBe(before + 1);
  });

  it("removes copies whose file is gone and keeps fresh ones", () => {
    writeFileSync(join(publicDir, "build/old-ZZZ.js.br"), "stale");
    const report = precompressDirectory(publicDir);
    expect(report.removed).toBe(1);
    expect(report.written).toBe(0);
  });
});

describe("Accept-Encoding negotiation", () => {
  it.each([
    ["br", "br"],
    ["*", "br"],
    ["*, br;q=0", "gzip"],
    ["BR, GZIP", "br"],
    ["gzip;q=0, *", "br"],
    ["x-gzip", "gzip"],
    ["compress", "identity"],
  ] as const)("%s → %s", (header, expected) => {
    expect(chooseEncoding(header, { br: true, gzip: true })).toBe(expected);
  });

  it("never names a copy that does not exist", () => {
    expect(chooseEncoding("br", { br: false, gzip: true })).toBe("identity");
    expect(chooseEncoding("br, gzip", { br: false, gzip: true })).toBe("gzip");
  });
});

describe("/healthz", () => {
  it("is answered before Express and Remix: no request id, no security headers, no render", async () => {
    const before = remixCalls;
    const answer = await get("/healthz");
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body.toString())).toEqual({ ok: true });
    expect(answer.headers["x-request-id"]).toBeUndefined();
    expect(answer.headers["content-security-policy"]).toBeUndefined();
    expect(remixCalls).toBe(before);
    // The same server answers a page through Express and Remix (the contrast that makes the above mean something).
    const page = await get("/anything");
    expect(page.headers["x-request-id"]).toBeDefined();
    expect(remixCalls).toBe(before + 1);
  });
});
