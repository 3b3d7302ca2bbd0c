// The organization's own evidence and claim: owners and admins upload its usage and claim for it.
// One grant per OpenAI organization id holds across people and organizations alike.
import { Form } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { formatInteger, isLocale } from "~/lib/i18n";
import { useRootData } from "~/root";

interface Props {
  organization: {
    role: string;
    claim: { current: { status: string; offeredTokens: number; grantedTokens: number | null } | null; ineligible: string[]; offerTokens: number | null };
    evidence: Array<{ id: string; fileName: string | null; status: string }>;
  };
}

export function OrganizationClaimSection({ organization }: Props) {
  const { t } = useTranslation();
  const rootLocale = useRootData()?.locale;
  const locale = isLocale(rootLocale) ? rootLocale : "en";
  const manager = organization.role === "owner" || organization.role === "admin";
  const { claim } = organization;
  return (
    <section aria-labelledby="organization-claim-title">
      <h2 id="organization-claim-title">{t("organization.claim.title")}</h2>
      <p className="muted">{t("organization.claim.lead")}</p>
      {claim.current ? (
        <p data-testid="organization-claim-status">
          {t("organization.claim.current", { status: t(`organization.claim.status.${claim.current.status}`), tokens: formatInteger(claim.current.grantedTokens ?? claim.current.offeredTokens, locale) })}
        </p>
      ) : null}
      {organization.evidence.length > 0 ? (
        <ul className="compact-list">
          {organization.evidence.map((piece) => (
            <li key={piece.id}>
              {piece.fileName ?? piece.id} · {t(`organization.claim.evidenceStatus.${piece.status}`)}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">{t("organization.claim.noEvidence")}</p>
      )}
      {manager ? (
        <>
          <form method="post" action="/account/organization/evidence" encType="multipart/form-data" className="panel narrow-left">
            <h3>{t("organization.claim.upload")}</h3>
            <div className="field">
              <label htmlFor="field-org-orgId">{t("organization.claim.orgId")}</label>
              <input id="field-org-orgId" name="orgId" autoComplete="off" placeholder="org-…" />
            </div>
            <div className="field">
              <label htmlFor="field-org-file">{t("organization.claim.file")}</label>
              <input id="field-org-file" name="file" type="file" required />
            </div>
            <button type="submit" className="button">
              {t("organization.claim.uploadSubmit")}
            </button>
          </form>
          {claim.offerTokens !== null && claim.ineligible.length === 0 ? (
            <Form method="post">
              <input type="hidden" name="intent" value="claim" />
              <button type="submit" className="button">
                {t("organization.claim.submit", { tokens: formatInteger(claim.offerTokens, locale) })}
              </button>
            </Form>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
