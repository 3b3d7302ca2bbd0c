// The account's profile facts and the safe actions support may take on it.
import { useTranslation } from "react-i18next";
import { ReasonForm, type ActionOutcome } from "~/components/reason-form";
import type { AccountStory } from "~/domain/support-account.server";
import { formatInteger, type Locale } from "~/lib/i18n";
import { When } from "./story-parts";

export function ProfilePanel({ profile, locale }: { profile: AccountStory["profile"]; locale: Locale }) {
  const { t } = useTranslation();
  return (
    <section id="profile" className="panel" aria-labelledby="profile-title">
      <h2 id="profile-title">{t("support.account.profile")}</h2>
      <dl className="profile-facts">
        {/* An organization's ledger row has only a reserved placeholder address: not shown. */}
        {profile.role === "organization" ? null : (
          <>
            <dt>{t("support.account.email")}</dt>
            <dd>{profile.email}</dd>
          </>
        )}
        <dt>{t("support.account.role")}</dt>
        <dd>{t(`account.roles.${profile.role}`)}</dd>
        <dt>{t("support.account.language")}</dt>
        <dd>{t(`audit.values.locale.${profile.locale}`, { defaultValue: profile.locale })}</dd>
        <dt>{t("support.account.created")}</dt>
        <dd>
          <When iso={profile.createdAt} locale={locale} />
        </dd>
        <dt>{t("support.account.verifiedAt")}</dt>
        <dd>
          <When iso={profile.emailVerifiedAt} locale={locale} />
        </dd>
        <dt>{t("support.account.passwordChanged")}</dt>
        <dd>
          <When iso={profile.passwordChangedAt} locale={locale} />
        </dd>
        <dt>{t("support.account.disabledAt")}</dt>
        <dd>{profile.disabledAt ? <When iso={profile.disabledAt} locale={locale} /> : t("support.account.notDisabled")}</dd>
        <dt>{t("support.account.activeSessions")}</dt>
        <dd>{formatInteger(profile.activeSessions, locale)}</dd>
      </dl>
    </section>
  );
}

export function ActionsPanel({ profile, canDisable, outcome }: { profile: AccountStory["profile"]; canDisable: boolean; outcome?: ActionOutcome }) {
  const { t } = useTranslation();
  return (
    <section id="actions" className="panel" aria-labelledby="actions-title">
      <h2 id="actions-title">{t("support.account.actions")}</h2>
      <p className="muted">{t("support.actions.lead")}</p>
      <div className="action-grid">
        {!profile.emailVerifiedAt && !profile.disabledAt ? (
          <ReasonForm intent="resend_verification" submitLabel={t("support.actions.resendVerification")} outcome={outcome} />
        ) : null}
        {!profile.disabledAt ? <ReasonForm intent="send_password_reset" submitLabel={t("support.actions.sendPasswordReset")} outcome={outcome} /> : null}
        {canDisable ? (
          profile.disabledAt ? (
            <ReasonForm intent="enable_account" submitLabel={t("support.actions.enableAccount")} outcome={outcome} />
          ) : (
            <ReasonForm intent="disable_account" submitLabel={t("support.actions.disableAccount")} danger outcome={outcome} />
          )
        ) : null}
      </div>
    </section>
  );
}
