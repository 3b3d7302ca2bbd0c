// The FAQ, terms and privacy texts: admin-edited per language, else a default built from the
// provider profile and the grant policy in force. Bodies are the safe Markdown subset, never HTML.
import { z } from "zod";
import type { SiteTextKind } from "~/lib/db-schema";
import type { DbExecutor } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { formatInteger, isLocale, type Locale } from "~/lib/i18n";
import { translator } from "~/lib/i18n.server";
import { currentProvider } from "~/lib/provider.server";
import { hasRole } from "~/lib/roles";
import type { Role } from "~/lib/db-schema";
import { recordAudit } from "./audit.server";
import { getGrantPolicy } from "./grant-policy.server";

import { SITE_TEXT_KINDS, SITE_TEXT_MAX_CHARS } from "./site-text-kinds";

export { SITE_TEXT_KINDS, SITE_TEXT_MAX_CHARS };

export interface SiteText {
  kind: SiteTextKind;
  locale: Locale;
  body: string;
  /** False while nobody has edited it: the body is the provider's default. */
  edited: boolean;
  updatedAt: string | null;
}

export const siteTextEditSchema = z.object({
  kind: z.enum(SITE_TEXT_KINDS, { errorMap: () => ({ message: "errors.invalidForm" }) }),
  locale: z.enum(["en", "zh"], { errorMap: () => ({ message: "errors.invalidForm" }) }),
  body: z.string().max(SITE_TEXT_MAX_CHARS, "help.admin.bodyTooLong").transform((text) => text.replace(/\r\n?/g, "\n").trim()),
});
export type SiteTextEdit = z.infer<typeof siteTextEditSchema>;

export async function defaultSiteText(db: DbExecutor, kind: SiteTextKind, locale: Locale): Promise<string> {
  const provider = currentProvider();
  const policy = await getGrantPolicy(db);
  const env = getEnv();
  const t = translator(locale);
  return t(`help.defaults.${kind}`, {
    provider: provider.name,
    company: provider.company,
    baseUrl: provider.apiBaseUrl,
    windowStart: env.PROGRAM_WINDOW_START,
    windowEnd: env.PROGRAM_WINDOW_END,
    multiplier: formatInteger(policy.multiplierPercent, locale),
    months: formatInteger(policy.averageMonths, locale),
    floor: formatInteger(policy.floorTokens, locale),
    cap: formatInteger(policy.capTokens, locale),
    autoApprove: formatInteger(policy.autoApproveLimitTokens, locale),
    expiryDays: formatInteger(policy.promoExpiryDays, locale),
  });
}

export async function getSiteText(db: DbExecutor, kind: SiteTextKind, locale: string): Promise<SiteText> {
  const chosen: Locale = isLocale(locale) ? locale : "en";
  const row = await db.selectFrom("site_texts").select(["body", "updated_at"]).where("kind", "=", kind).where("locale", "=", chosen).executeTakeFirst();
  if (row) return { kind, locale: chosen, body: row.body, edited: true, updatedAt: row.updated_at };
  return { kind, locale: chosen, body: await defaultSiteText(db, kind, chosen), edited: false, updatedAt: null };
}

export type SiteTextEditResult = { ok: true; restoredDefault: boolean } | { ok: false; reason: "forbidden" };

/** Saves an admin's text (an empty one restores the default), audited with the sizes before and after. */
export async function updateSiteText(db: DbExecutor, actor: { id: string; role: Role; ip?: string | null }, edit: SiteTextEdit, now: Date = new Date()): Promise<SiteTextEditResult> {
  if (!hasRole(actor.role, "admin")) return { ok: false, reason: "forbidden" };
  const iso = now.toISOString();
  const before = await db.selectFrom("site_texts").select("body").where("kind", "=", edit.kind).where("locale", "=", edit.locale).executeTakeFirst();
  if (edit.body === "") {
    await db.deleteFrom("site_texts").where("kind", "=", edit.kind).where("locale", "=", edit.locale).execute();
  } else {
    await db
      .insertInto("site_texts")
      .values({ kind: edit.kind, locale: edit.locale, body: edit.body, updated_by: actor.id, created_at: iso, updated_at: iso })
      .onConflict((conflict) => conflict.columns(["kind", "locale"]).doUpdateSet({ body: edit.body, updated_by: actor.id, updated_at: iso }))
      .execute();
  }
  await recordAudit(
    db,
    {
      actorId: actor.id,
      action: "admin.site_text_edit",
      targetType: "site_text",
      targetId: `${edit.kind}:${edit.locale}`,
      details: { charsBefore: before?.body.length ?? null, charsAfter: edit.body.length, restoredDefault: edit.body === "" },
      ip: actor.ip,
    },
    now,
  );
  return { ok: true, restoredDefault: edit.body === "" };
}
