// The e-mail a developer gets on every decision about their claim, in their own language. An
// organization's claim is told to its owners and admins, each in their own language.
import { ORGANIZATION_ROLE } from "~/lib/db-schema";
import type { DbExecutor } from "~/lib/db.server";
import { formatInteger, isLocale } from "~/lib/i18n";
import { translator } from "~/lib/i18n.server";
import { sendMail } from "~/lib/mail.server";
import { appUrl } from "./accounts.server";
import { errorFields, log } from "~/lib/logger.server";

export type ClaimMailOutcome = "granted" | "rejected" | "needs_info";

export async function sendClaimDecisionMail(db: DbExecutor, claimId: string, outcome: ClaimMailOutcome): Promise<void> {
  const row = await db
    .selectFrom("claims")
    .innerJoin("users", "users.id", "claims.account_id")
    .select(["claims.account_id", "users.email", "users.locale", "users.role", "claims.granted_tokens", "claims.decision_reason", "claims.info_request"])
    .where("claims.id", "=", claimId)
    .executeTakeFirst();
  if (!row) return;
  const recipients =
    row.role === ORGANIZATION_ROLE
      ? await db
          .selectFrom("organizations as o")
          .innerJoin("organization_members as m", "m.organization_id", "o.id")
          .innerJoin("users as u", "u.id", "m.user_id")
          .select(["u.email", "u.locale"])
          .where("o.ledger_account_id", "=", row.account_id)
          .where("m.role", "in", ["owner", "admin"])
          .execute()
      : [{ email: row.email, locale: row.locale }];
  const url = appUrl(row.role === ORGANIZATION_ROLE ? "/account/organization" : "/account/claim");
  for (const recipient of recipients) {
    const locale = isLocale(recipient.locale) ? recipient.locale : "en";
    const t = translator(locale);
    const values = {
      tokens: formatInteger(Number(row.granted_tokens ?? 0), locale),
      reason: row.decision_reason ?? "",
      message: row.info_request ?? "",
      url,
      helpUrl: appUrl("/help#contact"),
    };
    try {
      await sendMail(db, { to: recipient.email, subject: t(`claims.mail.${outcome}.subject`, values), text: t(`claims.mail.${outcome}.body`, values) });
    } catch (error) {
      // The decision is committed; a mail server hiccup must not make it look undone.
      log.error({ claimId, ...errorFields(error) }, "claim decision mail failed");
    }
  }
}
