import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import type { AccountStory } from "~/domain/support-account.server";
import { formatInteger, type Locale } from "~/lib/i18n";
import { When } from "./story-parts";

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
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t("support.claims.claim")}</th>
              <th scope="col">{t("support.account.status")}</th>
              <th scope="col" className="number">
                {t("support.claims.offered")}
              </th>
              <th scope="col" className="number">
                {t("support.claims.granted")}
              </th>
              <th scope="col">{t("support.account.findings")}</th>
            </tr>
          </thead>
          <tbody>
            {claims.map((claim) => (
              <tr key={claim.id}>
                <td>
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
                </td>
                <td>
                  <span className={`badge ${CLAIM_BADGE[claim.status] ?? ""}`}>{t(`support.claimStatus.${claim.status}`)}</span>
                  {claim.decisionReason ? <div className="muted small">{claim.decisionReason}</div> : null}
                  {claim.infoRequest ? <div className="muted small">{claim.infoRequest}</div> : null}
                </td>
                <td className="number">{formatInteger(claim.offeredTokens, locale)}</td>
                <td className="number">{claim.grantedTokens === null ? "—" : formatInteger(claim.grantedTokens, locale)}</td>
                <td>
                  <ul className="compact-list">
                    {claim.flags.map((flag, index) => (
                      <li key={`${flag.code}-${index}`}>
                        <span className="badge badge-warning">{t("support.account.flag")}</span>{" "}
                        {t(`claims.flags.${flag.code}`, { detail: flag.detail ?? flag.otherAccountId ?? "" })}
                      </li>
                    ))}
                  </ul>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {claimDecisions.length > 0 ? (
        <>
          <h3>{t("support.claims.decisions")}</h3>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t("support.account.when")}</th>
                <th scope="col">{t("support.account.actor")}</th>
                <th scope="col">{t("support.account.action")}</th>
                <th scope="col" className="number">
                  {t("support.account.tokens")}
                </th>
                <th scope="col">{t("support.account.reason")}</th>
              </tr>
            </thead>
            <tbody>
              {claimDecisions.map((decision) => (
                <tr key={decision.id}>
                  <td>
                    <When iso={decision.createdAt} locale={locale} />
                  </td>
                  <td>{decision.actorEmail ?? t("support.claims.system")}</td>
                  <td>
                    {t(`support.claimAction.${decision.action}`, { defaultValue: decision.action })} <span className="muted small">{decision.claimId}</span>
                  </td>
                  <td className="number">{decision.tokens === null ? "—" : formatInteger(decision.tokens, locale)}</td>
                  <td className="small">{decision.reason ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}
