// Sending one alert exactly once: the delivery row and the mail are written in one transaction,
// and the row's primary key (kind, subject, period) lets only the first instance through.
import type { DbExecutor } from "~/lib/db.server";
import { isLocale, type Locale } from "~/lib/i18n";
import { translator } from "~/lib/i18n.server";
import { sendMail } from "~/lib/mail.server";
import type { TFunction } from "i18next";

export type AlertKind = "balance_low" | "promo_expiring" | "key_budget";

export interface AlertRecipient {
  userId: string;
  email: string;
  locale: string;
}

export async function deliverOnce(
  db: DbExecutor,
  alert: { kind: AlertKind; subjectId: string; period: string; to: AlertRecipient; now: Date },
  compose: (t: TFunction, locale: Locale) => { subject: string; text: string },
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto("alert_deliveries")
      .values({ kind: alert.kind, subject_id: alert.subjectId, period: alert.period, user_id: alert.to.userId, created_at: alert.now.toISOString() })
      .onConflict((oc) => oc.columns(["kind", "subject_id", "period"]).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
    const locale = isLocale(alert.to.locale) ? alert.to.locale : "en";
    const mail = compose(translator(locale), locale);
    await sendMail(trx, { to: alert.to.email, ...mail });
    return true;
  });
}
