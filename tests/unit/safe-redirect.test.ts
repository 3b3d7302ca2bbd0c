import { describe, expect, it } from "vitest";
import { safeRedirect } from "~/lib/safe-redirect";

// Known open-redirect bypasses: each one, as a browser would read the Location, lands on another host.
const BYPASSES = [
  "//evil.example",
  "/\t/evil.example",
  "/\n/evil.example",
  "/\r\n/evil.example",
  " //evil.example",
  "/ /evil.example",
  "/\u0000/evil.example",
  "/\u00a0/evil.example",
  "/\u3000/evil.example",
  "/\\evil.example",
  "\\\\evil.example",
  "/\\/evil.example",
  "\\/evil.example",
  "https://evil.example",
  "HTTPS://evil.example",
  "http:evil.example",
  "javascript:alert(1)",
  "JaVaScRiPt:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "evil.example",
  "/./evil.example/..//evil.example",
  "/.//evil.example",
  "/a/..//evil.example",
  "///evil.example",
  "",
];

describe("safeRedirect", () => {
  it.each(BYPASSES)("refuses %j", (target) => {
    expect(safeRedirect(target)).toBe("/account");
  });

  it("refuses the query string of the report: /login?redirectTo=%2F%09%2Fevil.example", () => {
    const redirectTo = new URL("http://ferry.test/login?redirectTo=%2F%09%2Fevil.example").searchParams.get("redirectTo");
    expect(safeRedirect(redirectTo)).toBe("/account");
  });

  it("keeps same-origin paths, query and fragment", () => {
    expect(safeRedirect("/account/keys")).toBe("/account/keys");
    expect(safeRedirect("/account/keys?page=2#new")).toBe("/account/keys?page=2#new");
    expect(safeRedirect("/support/accounts/usr_1/../usr_2")).toBe("/support/accounts/usr_2");
    expect(safeRedirect("/%2F%2Fevil.example")).toBe("/%2F%2Fevil.example");
  });

  it("uses the fallback for anything that is not a string", () => {
    expect(safeRedirect(undefined, "/")).toBe("/");
    expect(safeRedirect(null)).toBe("/account");
    expect(safeRedirect(["/account"])).toBe("/account");
  });
});
