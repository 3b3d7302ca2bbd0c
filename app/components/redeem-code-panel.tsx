// The credit page's redemption form and the account's invitation link.
import { Form, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { CopyButton } from "~/components/copy-button";
import { FormAlert, Notice } from "~/components/form-alert";
import { formatInteger } from "~/lib/i18n";
import { useRootData } from "~/root";

export type RedeemOutcome = { ok: true; tokens: number } | { ok: false; formError: string; retryAfterSeconds?: number; fieldErrors?: Record<string, string> };

export function RedeemCodePanel({ outcome }: { outcome?: RedeemOutcome }) {
  const { t } = useTranslation();
  const locale = useRootData()?.locale ?? "en";
  const busy = useNavigation().formData?.get("intent") === "redeem";
  return (
    <section className="panel" aria-labelledby="redeem-title">
      <h2 id="redeem-title">{t("codes.redeem.title")}</h2>
      <p className="muted">{t("codes.redeem.lead")}</p>
      {outcome?.ok ? <Notice>{t("codes.redeem.done", { tokens: formatInteger(outcome.tokens, locale) })}</Notice> : null}
      {outcome && !outcome.ok ? <FormAlert error={outcome.formError} retryAfterSeconds={outcome.retryAfterSeconds} /> : null}
      <Form method="post" className="redeem-form" noValidate>
        <input type="hidden" name="intent" value="redeem" />
        <div className="field">
          <label htmlFor="field-code">{t("codes.redeem.label")}</label>
          <input id="field-code" name="code" required autoComplete="off" autoCapitalize="characters" spellCheck={false} maxLength={64} placeholder="FERRY-XXXX-XXXX-…" aria-describedby="field-code-hint" />
          <p className="field-hint" id="field-code-hint">
            {t("codes.redeem.hint")}
          </p>
        </div>
        <button type="submit" className="button" disabled={busy}>
          {t("codes.redeem.submit")}
        </button>
      </Form>
    </section>
  );
}

export function ReferralPanel({ link, invited, rewarded, bonusTokens }: { link: string; invited: number; rewarded: number; bonusTokens: number }) {
  const { t } = useTranslation();
  const locale = useRootData()?.locale ?? "en";
  return (
    <section className="credit-section" aria-labelledby="referral-title">
      <h2 id="referral-title">{t("codes.referral.title")}</h2>
      <p className="muted">{bonusTokens > 0 ? t("codes.referral.lead", { tokens: formatInteger(bonusTokens, locale) }) : t("codes.referral.leadOff")}</p>
      <p>
        <span className="small">{t("codes.referral.link")}</span>
        <code className="referral-link" id="referral-link" data-testid="referral-link">
          {link}
        </code>
      </p>
      <CopyButton text={link} targetId="referral-link" />
      <p className="muted small">{t("codes.referral.invited", { invited: formatInteger(invited, locale), rewarded: formatInteger(rewarded, locale) })}</p>
    </section>
  );
}
