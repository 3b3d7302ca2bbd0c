import { describe, expect, it } from "vitest";
import { isCrossSiteRequest } from "~/lib/csrf.server";

const own = "https://ferry.example";
const base = { path: "/login", allowedOrigins: [own], refererHeader: undefined };

describe("origin check", () => {
  it.each([
    ["GET from anywhere", { method: "GET", originHeader: "https://evil.example" }, false],
    ["POST from this site", { method: "POST", originHeader: own }, false],
    ["POST from another site", { method: "POST", originHeader: "https://evil.example" }, true],
    ["POST from a look-alike", { method: "POST", originHeader: "https://ferry.example.evil.example" }, true],
    ["POST with Origin: null", { method: "POST", originHeader: "null" }, true],
    ["POST with neither Origin nor Referer", { method: "POST", originHeader: undefined }, true],
    ["DELETE from another site", { method: "DELETE", originHeader: "http://ferry.example" }, true],
  ])("%s", (_label, input, crossSite) => {
    expect(isCrossSiteRequest({ ...base, ...input })).toBe(crossSite);
  });

  it("falls back to the Referer's origin", () => {
    expect(isCrossSiteRequest({ ...base, method: "POST", originHeader: undefined, refererHeader: `${own}/signup?x=1` })).toBe(false);
    expect(isCrossSiteRequest({ ...base, method: "POST", originHeader: undefined, refererHeader: "https://evil.example/" })).toBe(true);
  });

  it("leaves machine endpoints to their own authentication", () => {
    expect(isCrossSiteRequest({ ...base, method: "POST", path: "/api/gateway/usage", originHeader: undefined })).toBe(false);
    expect(isCrossSiteRequest({ ...base, method: "POST", path: "/webhooks/stripe", originHeader: undefined })).toBe(false);
    expect(isCrossSiteRequest({ ...base, method: "POST", path: "/api/gatewayx", originHeader: undefined })).toBe(true);
  });

  it.each(["/webhooks/../login", "/webhooks/stripe/../../signup", "/webhooks/%2e%2e/login", "/webhooks/%2E%2E/account/keys/new", "/webhooks\\..\\login", "/api/gateway/../../login?x=1"])(
    "checks the origin of %s, which Remix routes outside the machine paths",
    (path) => {
      expect(isCrossSiteRequest({ ...base, method: "POST", path, originHeader: undefined })).toBe(true);
      expect(isCrossSiteRequest({ ...base, method: "POST", path, originHeader: "https://evil.example" })).toBe(true);
    },
  );
});
