// The staff claim page's "across accounts" panel: other claims sharing an identity, and other
// accounts whose evidence matches this developer's (the same rows, org id, or a near-copy).
import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { ClaimStatusBadge } from "./claim-parts";

export interface RelatedClaimView {
  claimId: string;
  email: string;
  status: string;
  kind: string;
  value: string;
}

export interface NearCopyView {
  model: string;
  otherModel: string;
  similarityPercent: number;
  comparedDays: number;
  scale: number;
  shiftDays: number;
}

export interface EvidenceDuplicateView {
  evidenceId: string;
  otherAccountId: string;
  otherEmail: string;
  reason: string;
  nearCopy?: NearCopyView;
  otherClaims: Array<{ id: string; status: string }>;
}

export function ClaimDuplicates({ related, evidenceDuplicates }: { related: RelatedClaimView[]; evidenceDuplicates: EvidenceDuplicateView[] }) {
  const { t } = useTranslation();
  return (
    <section className="panel" aria-labelledby="duplicates-title">
      <h2 id="duplicates-title">{t("review.claim.duplicatesTitle")}</h2>
      {related.length === 0 && evidenceDuplicates.length === 0 ? (
        <p className="muted">{t("review.claim.noDuplicates")}</p>
      ) : (
        <ul className="plain-list" data-testid="claim-duplicates">
          {related.map((other) => (
            <li key={`${other.claimId}-${other.kind}-${other.value}`}>
              {other.email} · {t(`review.claim.identityKind.${other.kind}`)} <code>{other.value.slice(0, 24)}</code> ·{" "}
              <Link to={`/staff/claims/${other.claimId}`}>{other.claimId}</Link> <ClaimStatusBadge status={other.status} />
            </li>
          ))}
          {evidenceDuplicates.map((duplicate) => (
            <li key={`${duplicate.evidenceId}-${duplicate.otherAccountId}-${duplicate.reason}`} data-reason={duplicate.reason}>
              <Link to={`/support/accounts/${duplicate.otherAccountId}`}>{duplicate.otherEmail}</Link> · {t(`review.claim.duplicateReason.${duplicate.reason}`)}
              {duplicate.nearCopy ? <NearCopyDetail nearCopy={duplicate.nearCopy} /> : null} ·{" "}
              {duplicate.otherClaims.length ? (
                duplicate.otherClaims.map((other) => (
                  <span key={other.id}>
                    <Link to={`/staff/claims/${other.id}`}>{other.id}</Link> <ClaimStatusBadge status={other.status} />{" "}
                  </span>
                ))
              ) : (
                <span className="muted">{t("review.claim.noClaim")}</span>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function NearCopyDetail({ nearCopy }: { nearCopy: NearCopyView }) {
  const { t, i18n } = useTranslation();
  return (
    <span data-testid="near-copy">
      {" ("}
      {t("review.claim.nearCopy", {
        similarity: nearCopy.similarityPercent,
        days: nearCopy.comparedDays,
        model: nearCopy.model,
        otherModel: nearCopy.otherModel,
        scale: nearCopy.scale.toLocaleString(i18n.language, { maximumFractionDigits: 3 }),
      })}
      {nearCopy.shiftDays !== 0 ? t("review.claim.nearCopyShift", { count: Math.abs(nearCopy.shiftDays) }) : null}
      {")"}
    </span>
  );
}
