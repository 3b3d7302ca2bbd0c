// Keys found in public (a secret scanner's report): each one of ours is revoked at once, the
// finding kept (where, which scanner), and the owner told in their language. A report of a key
// already revoked is recorded again but mails nobody twice for the same place.
import type { DbExecutor } from "~/lib/db.server";
import { formatDateTime, isLocale } from "~/lib/i18n";
import { translator } from "~/lib/i18n.server";
import { newId } from "~/lib/ids.server";
import { sendMail } from "~/lib/mail.server";
import type { ProviderProfile } from "~/providers/types";
import { checkKeyFormat } from "./api-key-format";
import { hashApiKey } from "./api-keys.server";
import { appUrl } from "./accounts.server";
import { recordAudit } from "./audit.server";

export interface LeakFinding {
  token: string;
  type: string;
  url?: string | null;
  source?: string | null;
}

export type LeakLabel = "true_positive" | "false_positive";

export interface LeakVerdict {
  token_raw: string;
  token_type: string;
  label: LeakLabel;
}

/** Decides every finding of one report; a token that is not one of our keys is a false positive. */
export async function reportLeakedKeys(
  db: DbExecutor,
  profile: Pick<ProviderProfile, "keyPrefix">,
  input: { findings: LeakFinding[]; reporter: string; now?: Date },
): Promise<LeakVerdict[]> {
  const now = input.now ?? new Date();
  const verdicts: LeakVerdict[] = [];
  for (const finding of input.findings) {
    const ours = checkKeyFormat(finding.token, profile.keyPrefix).ok && (await revokeLeakedKey(db, finding, input.reporter, now));
    verdicts.push({ token_raw: finding.token, token_type: finding.type, label: ours ? "true_positive" : "false_positive" });
  }
  return verdicts;
}

async function revokeLeakedKey(db: DbExecutor, finding: LeakFinding, reporter: string, now: Date): Promise<boolean> {
  const at = now.toISOString();
  return db.transaction().execute(async (trx) => {
    const key = await trx.selectFrom("api_keys").select(["id", "user_id", "name", "visible_prefix", "last_four", "revoked_at"]).where("key_hash", "=", hashApiKey(finding.token)).executeTakeFirst();
    if (!key) return false;
    const revokedNow = key.revoked_at === null
      ? Number((await trx.updateTable("api_keys").set({ revoked_at: at }).where("id", "=", key.id).where("revoked_at", "is", null).executeTakeFirst()).numUpdatedRows) > 0
      : false;
    const url = finding.url ?? null;
    const seenBefore = await trx.selectFrom("api_key_leaks").select("id").where("key_id", "=", key.id).where("url", url === null ? "is" : "=", url).executeTakeFirst();
    await trx
      .insertInto("api_key_leaks")
      .values({ id: newId("leak"), key_id: key.id, user_id: key.user_id, url, source: finding.source ?? null, reporter, revoked_now: revokedNow ? 1 : 0, created_at: at })
      .execute();
    await recordAudit(trx, { actorId: null, action: "api_key.leaked", targetType: "api_key", targetId: key.id, details: { accountId: key.user_id, url, source: finding.source ?? null, reporter, revokedNow } }, now);
    if (revokedNow || !seenBefore) {
      const user = await trx.selectFrom("users").select(["email", "locale"]).where("id", "=", key.user_id).executeTakeFirstOrThrow();
      const t = translator(user.locale);
      const locale = isLocale(user.locale) ? user.locale : "en";
      const values = {
        name: key.name,
        key: `${key.visible_prefix}…${key.last_four}`,
        where: url ?? t("alerts.leak.unknownPlace"),
        source: finding.source ?? t("alerts.leak.unknownPlace"),
        at: formatDateTime(at, locale),
        url: appUrl("/account/keys"),
      };
      await sendMail(trx, { to: user.email, subject: t("alerts.leak.subject", values), text: t(revokedNow ? "alerts.leak.revokedBody" : "alerts.leak.againBody", values) });
    }
    return true;
  });
}

/** Where a key was found, newest first (the keys page shows the latest). */
export async function listKeyLeaks(db: DbExecutor, accountId: string): Promise<Map<string, { url: string | null; source: string | null; at: string }>> {
  const rows = await db.selectFrom("api_key_leaks").select(["key_id", "url", "source", "created_at"]).where("user_id", "=", accountId).orderBy("created_at", "desc").execute();
  const latest = new Map<string, { url: string | null; source: string | null; at: string }>();
  for (const row of rows) if (!latest.has(row.key_id)) latest.set(row.key_id, { url: row.url, source: row.source, at: row.created_at });
  return latest;
}
