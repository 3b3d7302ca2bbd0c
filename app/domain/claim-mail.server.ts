// The e-mail a developer gets on every decision about their claim, in their own language.
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
    .select(["users.email", "users.locale", "claims.granted_tokens", "claims.decision_reason", "claims.info_request"])
    .where("claims.id", "=", claimId)
    .executeTakeFirst();
  if (!row) return;
  const locale = isLocale(row.locale) ? row.locale : "en";
  const t = translator(locale);
  const values = {
    tokens: formatInteger(Number(row.granted_tokens ?? 0), locale),
    reason: row.decision_reason ?? "",
    message: row.info_request ?? "",
    url: appUrl("/account/claim"),
    helpUrl: appUrl("/help#contact"),
  };
  try {
    await sendMail(db, { to: row.email, subject: t(`claims.mail.${outcome}.subject`, values), text: t(`claims.mail.${outcome}.body`, values) });
  } catch (error) {
    // The decision is committed; a mail server hiccup must not make it look undone.
    log.error({ claimId, ...errorFields(error) }, "claim decision mail failed");
  }
}
