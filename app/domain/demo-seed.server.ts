// Demo accounts with published passwords. Only `npm run demo` (DEMO=1) calls this; env refuses DEMO in production.
import type { Role } from "~/lib/db-schema";
import type { Db } from "~/lib/db.server";
import { createAccount, findUserByEmail } from "./accounts.server";

export const DEMO_ACCOUNTS: ReadonlyArray<{ email: string; password: string; role: Role }> = [
  { email: "developer@demo.ferry", password: "demo-developer-pass", role: "developer" },
  { email: "support@demo.ferry", password: "demo-support-pass", role: "support" },
  { email: "staff@demo.ferry", password: "demo-staff-pass-1", role: "staff" },
  { email: "admin@demo.ferry", password: "demo-admin-pass-1", role: "admin" },
];

export async function seedDemoAccounts(db: Db, options: { log?: (line: string) => void } = {}): Promise<void> {
  for (const account of DEMO_ACCOUNTS) {
    if (!(await findUserByEmail(db, account.email))) {
      await createAccount(db, { ...account, verified: true });
    }
  }
  options.log?.(
    ["Demo accounts (demo mode only):", ...DEMO_ACCOUNTS.map((a) => `  ${a.role.padEnd(9)} ${a.email}  ${a.password}`)].join("\n"),
  );
}
