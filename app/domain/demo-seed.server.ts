// Demo accounts with published passwords. Only `npm run demo` (DEMO=1) calls this; env refuses DEMO in production.
// Operators need a second factor, so the demo operators come enrolled with published TOTP secrets.
import type { Role } from "~/lib/db-schema";
import type { Db } from "~/lib/db.server";
import { createAccount, findUserByEmail } from "./accounts.server";
import { enrolTotpWithKnownSecret } from "./two-factor.server";

export interface DemoAccount {
  email: string;
  password: string;
  role: Role;
  /** Base32 TOTP secret for an authenticator app (demo operators only). */
  totpSecret?: string;
}

export const DEMO_ACCOUNTS: ReadonlyArray<DemoAccount> = [
  { email: "developer@demo.ferry", password: "demo-developer-pass", role: "developer" },
  { email: "support@demo.ferry", password: "demo-support-pass", role: "support", totpSecret: "FERRYDEMOSUPPORTTOTPSECRET222222" },
  { email: "staff@demo.ferry", password: "demo-staff-pass-1", role: "staff", totpSecret: "FERRYDEMOSTAFFTOTPSECRET22222222" },
  { email: "admin@demo.ferry", password: "demo-admin-pass-1", role: "admin", totpSecret: "FERRYDEMOADMINTOTPSECRET22222222" },
];

export async function seedDemoAccounts(db: Db, options: { log?: (line: string) => void } = {}): Promise<void> {
  for (const account of DEMO_ACCOUNTS) {
    const user = (await findUserByEmail(db, account.email)) ?? (await createAccount(db, { ...account, verified: true }));
    if (account.totpSecret) await enrolTotpWithKnownSecret(db, user.id, account.totpSecret);
  }
  options.log?.(
    [
      "Demo accounts (demo mode only):",
      ...DEMO_ACCOUNTS.map((a) => `  ${a.role.padEnd(9)} ${a.email}  ${a.password}${a.totpSecret ? `  TOTP secret ${a.totpSecret}` : ""}`),
    ].join("\n"),
  );
}
