import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import type { AccountStory } from "~/domain/support-account.server";
import { formatInteger, type Locale } from "~/lib/i18n";
import { StoryTable, When } from "./story-parts";

const CLAIM_BADGE: Record<string, string> = {
  approved: "badge-success",
  auto_approved: "badge-success",
  rejected: "badge-danger",
  pending: "badge-warning",
  needs_info: "badge-warning",
};

export function ClaimsSection({
  claims,
  claimDecisions,
  isStaff,
  locale,
}: {
  claims: AccountStory["claims"];
  claimDecisions: AccountStory["claimDecisions"];
  isStaff: boolean;
  locale: Locale;
}) {
  const { t } = useTranslation();
  return (
    <section id="claims" aria-labelledby="claims-title">
      <h2 id="claims-title">{t("support.account.claims")}</h2>
      {claims.length === 0 ? (
        <p className="muted">{t("support.account.none")}</p>
      ) : (
        <StoryTable
          rows={claims}
          rowKey={(claim) => claim.id}
          columns={[
            {
              label: t("support.claims.claim"),
              cell: (claim) => (
                <>
                  {isStaff ? (
                    <Link to={`/staff/claims/${claim.id}`}>
                      <code>{claim.id}</code>
                    </Link>
                  ) : (
                    <code>{claim.id}</code>
                  )}
                  <div className="muted small">
                    <When iso={claim.submittedAt} locale={locale} />
                  </div>
                </>
              ),
            },
            {
              label: t("support.account.status"),
              cell: (claim) => (
                <>
                  <span className={`badge ${CLAIM_BADGE[claim.status] ?? ""}`}>{t(`support.claimStatus.${claim.status}`)}</span>
                  {claim.decisionReason ? <div className="muted small">{claim.decisionReason}</div> : null}
                  {claim.infoRequest ? <div className="muted small">{claim.infoRequest}</div> : null}
                </>
              ),
            },
            { label: t("support.claims.offered"), number: true, cell: (claim) => formatInteger(claim.offeredTokens, locale) },
            { label: t("support.claims.granted"), number: true, cell: (claim) => (claim.grantedTokens === null ? "—" : formatInteger(claim.grantedTokens, locale)) },
            {
              label: t("support.account.findings"),
              cell: (claim) => (
                <ul className="compact-list">
                  {claim.flags.map((flag, index) => (
                    <li key={`${flag.code}-${index}`}>
                      <span className="badge badge-warning">{t("support.account.flag")}</span>{" "}
                      {t(`claims.flags.${flag.code}`, { detail: flag.detail ?? flag.otherAccountId ?? "" })}
                    </li>
                  ))}
                </ul>
              ),
            },
          ]}
        />
      )}
      {claimDecisions.length > 0 ? (
        <>
          <h3>{t("support.claims.decisions")}</h3>
          <StoryTable
            rows={claimDecisions}
            rowKey={(decision) => decision.id}
            columns={[
              { label: t("support.account.when"), cell: (decision) => <When iso={decision.createdAt} locale={locale} /> },
              { label: t("support.account.actor"), cell: (decision) => decision.actorEmail ?? t("support.claims.system") },
              {
                label: t("support.account.action"),
                cell: (decision) => (
                  <>
                    {t(`support.claimAction.${decision.action}`, { defaultValue: decision.action })} <span className="muted small">{decision.claimId}</span>
                  </>
                ),
              },
              { label: t("support.account.tokens"), number: true, cell: (decision) => (decision.tokens === null ? "—" : formatInteger(decision.tokens, locale)) },
              { label: t("support.account.reason"), className: "small", cell: (decision) => decision.reason ?? "" },
            ]}
          />
        </>
      ) : null}
    </section>
  );
}
