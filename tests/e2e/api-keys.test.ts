// A developer creates a key in Chromium, copies the Python snippet, and the key works at the gateway.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, screenshot } from "./browser";
import { DEMO, logInOn } from "./log-in";

const baseUrl = inject("baseUrl");
const gatewayToken = inject("gatewayToken");
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe("API keys in the browser", () => {
  it("creates a key, copies the Python snippet, and authorizes with it over HTTP", async () => {
    const context = await browser.newContext({ locale: "en-US" });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseUrl });
    const page = await context.newPage();
    const cspErrors: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error" && /Content Security Policy/i.test(message.text())) cspErrors.push(message.text());
    });
    await logInOn(page, DEMO.developer.email, DEMO.developer.password, { locale: "en" });

    await page.goto(`${baseUrl}/account/keys`);
    await page.waitForFunction(() => (window as unknown as { __remixRouter?: unknown }).__remixRouter !== undefined);
    await page.click('a[href="/account/keys/new"].button');
    await page.waitForURL(`${baseUrl}/account/keys/new`);
    await page.fill('input[name="name"]', "e2e-laptop");
    await page.selectOption('select[name="expiresInDays"]', "30");
    await page.click('button[type="submit"]:has-text("Create key")');
    const panel = page.getByTestId("new-key-panel");
    await panel.waitFor();
    const shownKey = (await page.getByTestId("new-key-value").textContent())?.trim() ?? "";
    expect(shownKey).toMatch(/^glmsk_[0-9A-Za-z]{38}$/);
    await screenshot(page, "keys-created-en");

    const python = page.locator('[data-snippet="python"]');
    const pageCode = (await python.locator("code").textContent()) ?? "";
    await python.getByRole("button", { name: "Copy" }).click();
    await python.getByRole("button", { name: "Copied" }).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(pageCode);
    expect(copied).toContain(`api_key="${shownKey}"`);
    expect(copied).toContain('base_url="https://open.bigmodel.cn/api/paas/v4"');

    // The copied snippet is valid Python.
    const dir = mkdtempSync(join(tmpdir(), "ferry-e2e-snippet-"));
    try {
      writeFileSync(join(dir, "main.py"), copied);
      execFileSync("python3", ["-m", "py_compile", join(dir, "main.py")]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    const keyFromSnippet = copied.match(/api_key="([^"]+)"/)?.[1] ?? "";
    const response = await fetch(`${baseUrl}/api/gateway/authorize`, {
      method: "POST",
      headers: { Authorization: `Bearer ${gatewayToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ api_key: keyFromSnippet, model: "gpt-4o-mini" }),
    });
    const body = (await response.json()) as { key_id?: string; account_id?: string; error?: { code: string } };
    // The key is recognised: 200 with credit, or 402 when the demo developer has none (other suites share it).
    expect([200, 402]).toContain(response.status);
    if (response.status === 402) expect(["insufficient_credit", "tokens_owed"]).toContain(body.error?.code);
    expect(body.key_id).toMatch(/^key_/);
    expect(body.account_id).toMatch(/^usr_/);

    // Reloading never shows the key again.
    await page.reload();
    await page.locator('input[name="name"]').waitFor();
    expect(await page.content()).not.toContain(shownKey);
    await page.goto(`${baseUrl}/account/keys`);
    const row = page.locator("tr", { hasText: "e2e-laptop" });
    await expect(row.locator("code").textContent()).resolves.toBe(`${shownKey.slice(0, 10)}…${shownKey.slice(-4)}`);
    expect(await page.content()).not.toContain(shownKey);
    await screenshot(page, "keys-list-en");

    // Roll it: a new key now, the old one kept for the default 24 hours.
    await row.getByRole("link", { name: "Roll" }).click();
    await page.locator('select[name="graceHours"]').waitFor();
    await screenshot(page, "keys-roll-en");
    await page.click('button[type="submit"]:has-text("Roll key")');
    await page.getByTestId("new-key-panel").waitFor();
    const rolledKey = (await page.getByTestId("new-key-value").textContent())?.trim() ?? "";
    expect(rolledKey).toMatch(/^glmsk_/);
    expect(rolledKey).not.toBe(shownKey);
    await expect(page.getByTestId("new-key-panel").textContent()).resolves.toContain("keeps working until");
    for (const candidate of [shownKey, rolledKey]) {
      const check = await fetch(`${baseUrl}/api/gateway/authorize`, {
        method: "POST",
        headers: { Authorization: `Bearer ${gatewayToken}`, "Content-Type": "application/json" },
        body: JSON.stringify({ api_key: candidate }),
      });
      expect([200, 402]).toContain(check.status);
    }
    expect(cspErrors).toEqual([]);
    await context.close();
  });

  it("renders the keys, snippets and gateway docs pages in Chinese", async () => {
    const context = await browser.newContext({ locale: "zh-CN" });
    const page = await context.newPage();
    await logInOn(page, DEMO.developer.email, DEMO.developer.password, { locale: "zh" });
    await page.goto(`${baseUrl}/account/keys`);
    await expect(page.locator("h1").textContent()).resolves.toBe("API 密钥");
    await screenshot(page, "keys-list-zh");
    await page.goto(`${baseUrl}/account/snippets`);
    await expect(page.locator("h1").textContent()).resolves.toBe("代码示例");
    expect(await page.locator('[data-snippet="python"] code').textContent()).toContain('api_key="YOUR_API_KEY"');
    await screenshot(page, "snippets-zh");
    await page.goto(`${baseUrl}/account/keys/new`);
    await screenshot(page, "keys-new-zh");
    await page.goto(`${baseUrl}/docs/gateway`);
    const pattern = (await page.getByTestId("key-pattern").textContent()) ?? "";
    expect(pattern).toBe("\\bglmsk_[0-9A-Za-z]{38}\\b");
    await screenshot(page, "gateway-docs-zh");
    // The same pages in English, through the language picker.
    await page.locator('form[action="/set-language"] button[value="en"]').click();
    await page.waitForFunction(() => document.documentElement.lang === "en");
    await page.goto(`${baseUrl}/docs/gateway`);
    await screenshot(page, "gateway-docs-en");
    await page.goto(`${baseUrl}/account/snippets`);
    await screenshot(page, "snippets-en");
    await context.close();
  });
});
