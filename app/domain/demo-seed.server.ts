// The demo: accounts with published passwords, and a story for every screen (evidence, claims in each
// state, keys, a week of usage, a purchase, a credit proposal). Only `npm run demo` (DEMO=1) calls
// this; env refuses DEMO in production. Everything goes through the domain modules, so the ledger's
// invariants hold, and every step is done once: running it again changes nothing.
// Operators need a second factor, so the demo operators come enrolled with published TOTP secrets.
import type { Role } from "~/lib/db-schema";
import type { Db } from "~/lib/db.server";
import { currentProvider } from "~/lib/provider.server";
import { appUrl, createAccount, findUserByEmail } from "./accounts.server";
import { demoApiKey, seedDemoAdjustmentProposal, seedDemoKeys, seedDemoPurchase, seedDemoUsage } from "./demo-seed-activity.server";
import { seedDemoClaim, type DemoClaimStory } from "./demo-seed-claims.server";
import { seedDemoEvidence, type DemoUsage } from "./demo-seed-evidence.server";
import { enrolTotpWithKnownSecret } from "./two-factor.server";

export { DEMO_GATEWAY_TOKEN } from "~/lib/env.server";
export { demoApiKey } from "./demo-seed-activity.server";

export interface DemoAccount {
  email: string;
  password: string;
  role: Role;
  /** Base32 TOTP secret for an authenticator app (demo operators only). */
  totpSecret?: string;
  /** Demo developers: the usage they prove and where their claim stands. */
  story?: { usage: DemoUsage; claim: DemoClaimStory };
}

const DEVELOPER_PASSWORD = "demo-developer-pass";

// Daily tokens chosen against the glm policy: ~3M a month is granted at once (auto-approve limit
// 10M); 15–40M a month waits for staff (below the 50M second-approval limit).
export const DEMO_ACCOUNTS: ReadonlyArray<DemoAccount> = [
  { email: "developer@demo.ferry", password: DEVELOPER_PASSWORD, role: "developer", story: { usage: { dailyTokens: 100_000, seed: 11 }, claim: "granted" } },
  { email: "support@demo.ferry", password: "demo-support-pass", role: "support", totpSecret: "FERRYDEMOSUPPORTTOTPSECRET222222" },
  { email: "staff@demo.ferry", password: "demo-staff-pass-1", role: "staff", totpSecret: "FERRYDEMOSTAFFTOTPSECRET22222222" },
  { email: "admin@demo.ferry", password: "demo-admin-pass-1", role: "admin", totpSecret: "FERRYDEMOADMINTOTPSECRET22222222" },
  { email: "in-review@demo.ferry", password: DEVELOPER_PASSWORD, role: "developer", story: { usage: { dailyTokens: 1_300_000, seed: 23 }, claim: "in_review" } },
  { email: "needs-info@demo.ferry", password: DEVELOPER_PASSWORD, role: "developer", story: { usage: { dailyTokens: 700_000, seed: 37 }, claim: "needs_info" } },
  { email: "rejected@demo.ferry", password: DEVELOPER_PASSWORD, role: "developer", story: { usage: { dailyTokens: 500_000, seed: 41 }, claim: "rejected" } },
  { email: "newcomer@demo.ferry", password: DEVELOPER_PASSWORD, role: "developer" },
];

const DAY_MS = 86_400_000;

export async function seedDemoAccounts(db: Db, options: { log?: (line: string) => void; now?: Date } = {}): Promise<void> {
  const now = options.now ?? new Date();
  const ids = new Map<string, string>();
  for (const account of DEMO_ACCOUNTS) {
    const user = (await findUserByEmail(db, account.email)) ?? (await createAccount(db, { email: account.email, password: account.password, role: account.role, verified: true }, new Date(now.getTime() - 10 * DAY_MS)));
    if (account.totpSecret) await enrolTotpWithKnownSecret(db, user.id, account.totpSecret);
    ids.set(account.email, user.id);
  }
  const idOf = (email: string) => ids.get(email)!;
  const staff = { id: idOf("staff@demo.ferry") };
  for (const account of DEMO_ACCOUNTS) {
    if (!account.story) continue;
    await seedDemoEvidence(db, idOf(account.email), account.story.usage);
    await seedDemoClaim(db, { accountId: idOf(account.email), story: account.story.claim, staff, now });
  }

  const profile = currentProvider();
  const developer = { id: idOf("developer@demo.ferry"), email: "developer@demo.ferry" };
  await seedDemoKeys(db, developer.id, profile, new Date(now.getTime() - 8 * DAY_MS + 3_600_000));
  await seedDemoPurchase(db, developer, profile, { origin: new URL(appUrl("/")).origin, at: new Date(now.getTime() - 3 * DAY_MS) });
  await seedDemoUsage(db, profile, now);
  await seedDemoAdjustmentProposal(db, { id: idOf("support@demo.ferry") }, developer.id, now);

  options.log?.(
    [
      "Demo accounts (demo mode only):",
      ...DEMO_ACCOUNTS.map((a) => `  ${a.role.padEnd(9)} ${a.email.padEnd(22)} ${a.password}${a.totpSecret ? `  TOTP secret ${a.totpSecret}` : ""}${a.story ? `  (claim: ${a.story.claim})` : ""}`),
      `Demo API key of developer@demo.ferry (published, demo mode only): ${demoApiKey(profile.keyPrefix)}`,
    ].join("\n"),
  );
}
