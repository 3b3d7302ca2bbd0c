// `npm run user:create -- --email ops@provider.example --role staff [--password …]`
// Creates a verified account for a provider operator. Without --password one is generated and printed once.
import { parseArgs } from "node:util";
import { z } from "zod";
import { emailField, newPasswordField } from "~/domain/account-schemas.server";
import { createAccount, findUserByEmail } from "~/domain/accounts.server";
import { recordAudit } from "~/domain/audit.server";
import { randomToken } from "~/lib/crypto.server";
import { closeDb, getDb } from "~/lib/db.server";
import { translator } from "~/lib/i18n.server";
import { migrateToLatest } from "~/lib/migrate.server";
import { passwordWeakness } from "~/lib/password.server";
import { ROLES } from "~/lib/roles";

const { values } = parseArgs({
  options: { email: { type: "string" }, role: { type: "string", default: "developer" }, password: { type: "string" } },
  strict: true,
});

const schema = z.object({
  email: emailField,
  role: z.enum(ROLES as [string, ...string[]], { message: `--role must be one of: ${ROLES.join(", ")}` }),
  password: newPasswordField.optional(),
});

const parsed = schema.safeParse(values);
if (!parsed.success) {
  const t = translator("en");
  for (const issue of parsed.error.issues) console.error(`--${issue.path.join(".")}: ${t(issue.message)}`);
  process.exit(2);
}
const { email, role } = parsed.data;
const password = parsed.data.password ?? randomToken(18);
const weakness = passwordWeakness(password, [email]);
if (weakness) {
  console.error(`--password: ${translator("en")(weakness)}`);
  process.exit(2);
}

const db = getDb();
await migrateToLatest(db);
if (await findUserByEmail(db, email)) {
  console.error(`An account for ${email} already exists.`);
  await closeDb();
  process.exit(1);
}
const user = await createAccount(db, { email, password, role: role as (typeof ROLES)[number], verified: true });
await recordAudit(db, { actorId: null, action: "user.create_cli", targetType: "user", targetId: user.id, details: { role } });
console.log(`Created ${role} ${email} (${user.id}).`);
if (!parsed.data.password) console.log(`Password (shown once): ${password}`);
await closeDb();
