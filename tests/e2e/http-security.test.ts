// Real HTTP against the built server: headers, the CSRF origin check, no state change from GET.
import { describe, expect, inject, it } from "vitest";

const baseUrl = inject("baseUrl");

describe("HTTP security", () => {
  it("sends security headers with a per-response CSP nonce", async () => {
    const first = await fetch(`${baseUrl}/`);
    const second = await fetch(`${baseUrl}/`);
    const csp = first.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toBe(second.headers.get("content-security-policy"));
    expect(first.headers.get("x-content-type-options")).toBe("nosniff");
    expect(first.headers.get("x-frame-options")).toBe("DENY");
    expect(first.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(first.headers.get("x-powered-by")).toBeNull();
    const html = await first.text();
    const nonce = csp.match(/'nonce-([^']+)'/)?.[1];
    expect(html).toContain(`nonce="${nonce}"`);
  });

  it("refuses a form post from another origin, and one without any origin, changing nothing", async () => {
    const form = new URLSearchParams({ email: "csrf-victim@example.com", password: "a long enough passphrase" });
    const attempts: Array<Record<string, string>> = [{ Origin: "https://evil.example" }, {}];
    for (const headers of attempts) {
      const response = await fetch(`${baseUrl}/signup`, { method: "POST", body: form, headers, redirect: "manual" });
      expect(response.status).toBe(403);
    }
    const outbox = await (await fetch(`${baseUrl}/dev/outbox`)).text();
    expect(outbox).not.toContain("csrf-victim@example.com");
  });

  it("accepts the same post from its own origin", async () => {
    const form = new URLSearchParams({ email: "same-origin@example.com", password: "a long enough passphrase" });
    const response = await fetch(`${baseUrl}/signup`, { method: "POST", body: form, headers: { Origin: baseUrl }, redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toContain("/verify?email=same-origin%40example.com");
  });

  it("logs out only on POST", async () => {
    const response = await fetch(`${baseUrl}/logout`, { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("set-cookie")).toBeNull();
  });

  it("answers 404 for an unknown page, in a page of its own", async () => {
    const response = await fetch(`${baseUrl}/no-such-page`);
    expect(response.status).toBe(404);
    // The page's own words (its strings are no longer inline, so only what it renders is in the HTML).
    const html = await response.text();
    expect(html).toContain('<h1 id="error-title">Page not found</h1>');
    expect(html).toContain("There is no page at /no-such-page");
  });
});
