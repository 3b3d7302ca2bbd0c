import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

export const SCREENSHOT_DIR = join(process.cwd(), "tests/e2e/screenshots");

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"],
  });
}

/** Saves a full-page PNG under tests/e2e/screenshots/ (kept as a CI artifact). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** The newest dev-outbox message to `email`, read through the page a person would use. */
export async function readLatestMail(page: Page, baseUrl: string, email: string): Promise<string> {
  await page.goto(`${baseUrl}/dev/outbox`);
  const message = page.locator('[data-testid="outbox-message"]', { has: page.locator('[data-testid="outbox-to"]', { hasText: email }) }).first();
  return (await message.locator('[data-testid="outbox-body"]').textContent()) ?? "";
}
