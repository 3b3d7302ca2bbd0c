// Completes the second step of an operator's log-in in the browser, the way a person with an
// authenticator app would: codes are computed with otpauth from the demo secrets (README) or from
// the secret the enrolment page shows.
import type { Page } from "playwright-core";
import { DEMO_ACCOUNTS } from "~/domain/demo-seed.server";
import { totpCodeAt, totpStep, TOTP_PERIOD_SECONDS } from "~/domain/totp";

const secrets = new Map<string, string>(DEMO_ACCOUNTS.filter((a) => a.totpSecret).map((a) => [a.email, a.totpSecret!]));
const lastStepUsed = new Map<string, number>();

export function rememberTotpSecret(email: string, secret: string): void {
  secrets.set(email, secret.replace(/\s/g, ""));
}

export function totpSecretOf(email: string): string {
  const secret = secrets.get(email);
  if (!secret) throw new Error(`no TOTP secret known for ${email}`);
  return secret;
}

/** A code for a step this process has not used yet for `email` (the current one, else the next). */
export function nextTotpCode(email: string, minimumStep = totpStep(new Date())): string {
  const step = Math.max(minimumStep, (lastStepUsed.get(email) ?? -1) + 1);
  lastStepUsed.set(email, step);
  return totpCodeAt(totpSecretOf(email), step);
}

/**
 * Submits the code form; true when the server accepted it. An accepted code redirects (a 3xx to a
 * plain form post; single fetch answers 202 with a Location header) or shows `shownWhenAccepted`
 * (enrolment shows the recovery codes); a refusal shows the form again with its
 * error (200 to a browser, 429 when throttled).
 */
async function submitCode(page: Page, path: string, shownWhenAccepted?: string): Promise<boolean> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname.startsWith(path)),
    page.locator('main button[type="submit"]').first().click(),
  ]);
  const headers = response.headers();
  const redirected = (response.status() >= 300 && response.status() < 400) || headers.location !== undefined || headers["x-remix-redirect"] !== undefined;
  if (redirected) return true;
  const refusal = ".field-error, .alert-error";
  if (!shownWhenAccepted) {
    await page.locator(refusal).first().waitFor();
    return false;
  }
  await page.locator(`${refusal}, ${shownWhenAccepted}`).first().waitFor();
  return page.locator(shownWhenAccepted).first().isVisible();
}

/** After the password form: enrols (first log-in of an operator) or enters a code; no-op for a full session. */
export async function passSecondFactor(page: Page, email: string): Promise<void> {
  await page.waitForURL((url) => !url.pathname.startsWith("/login") || url.pathname.startsWith("/login/"));
  const path = new URL(page.url()).pathname;
  if (path === "/login/enrol") {
    rememberTotpSecret(email, (await page.getByTestId("totp-secret").textContent()) ?? "");
    await page.locator('input[name="code"]').fill(nextTotpCode(email));
    if (!(await submitCode(page, "/login/enrol", '[data-testid="recovery-codes"]'))) throw new Error("enrolment code refused");
    await page.getByTestId("recovery-codes").locator("a.button").click();
    await page.waitForURL((url) => !url.pathname.startsWith("/login"));
    return;
  }
  if (path !== "/login/second-factor") return;
  // Another suite (another process) may have used this step for a shared demo account: then the
  // next step; then, after the next boundary and a random pause, the same pair again.
  for (let attempt = 0; attempt < 5; attempt++) {
    const minimumStep = totpStep(new Date()) + (attempt % 2);
    await page.locator('input[name="code"]').fill(nextTotpCode(email, minimumStep));
    if (await submitCode(page, "/login/second-factor")) {
      await page.waitForURL((url) => !url.pathname.startsWith("/login"));
      return;
    }
    if (attempt % 2 === 1) {
      await page.waitForTimeout(TOTP_PERIOD_SECONDS * 1000 - (Date.now() % (TOTP_PERIOD_SECONDS * 1000)) + 500 + Math.floor(Math.random() * 3000));
    }
  }
  throw new Error(`second factor refused for ${email}`);
}
