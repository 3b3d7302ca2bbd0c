// Pieces shared by the developer's claim page and the staff review pages.
import { Link, useRouteLoaderData } from "@remix-run/react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { DEFAULT_LOCALE, formatDate, formatDateTime, formatInteger, isLocale, type Locale } from "~/lib/i18n";
import { formatUsdMicros } from "~/lib/money";

export function useFormats() {
  const root = useRouteLoaderData("root") as { locale?: string } | undefined;
  const locale: Locale = isLocale(root?.locale) ? root.locale : DEFAULT_LOCALE;
  return {
    locale,
    int: (value: number) => formatInteger(value, locale),
    date: (iso: string) => formatDate(iso, locale),
    dateTime: (iso: string) => formatDateTime(iso, locale),
    // No cost data is not a spend of zero.
    usd: (micros: number) => (micros === 0 ? "—" : formatUsdMicros(micros, locale)),
  };
}

export function ClaimStatusBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  return <span className={`claim-status claim-status-${status}`}>{t(`claims.status.${status}`)}</span>;
}

export interface ComputationView {
  /** windowDays/monthDays and countedMonths are absent from claims computed before partial months were prorated. */
  window: Array<{ month: string; totalTokens: number; missing: boolean; windowDays?: number; monthDays?: number }>;
  windowTokens: number;
  countedMonths?: number;
  averageMonthlyTokens: number;
  multiplierPercent: number;
  rawOfferTokens: number;
  floorTokens: number;
  capTokens: number;
  clamp: "none" | "floor" | "cap";
  offerTokens: number;
}

/** The offer, line by line, exactly as the server computed it. */
export function OfferComputationTable({ computation }: { computation: ComputationView }) {
  const { t } = useTranslation();
  const f = useFormats();
  const months = computation.window.length;
  return (
    <>
      <p className="muted">
        {t("claims.computation.explain", { months })}
        {computation.countedMonths !== undefined ? <> {t("claims.computation.explainPartial")}</> : null}
      </p>
      <table className="table claim-computation">
        <thead>
          <tr>
            <th scope="col">{t("claims.computation.month")}</th>
            <th scope="col" className="numeric">
              {t("claims.computation.tokens")}
            </th>
          </tr>
        </thead>
        <tbody>
          {computation.window.map((month) => (
            <tr key={month.month}>
              <td>{month.month}</td>
              <td className="numeric">
                {f.int(month.totalTokens)}
                {month.missing ? <span className="muted"> · {t("claims.computation.missing")}</span> : null}
                {month.windowDays !== undefined && month.monthDays !== undefined && month.windowDays < month.monthDays ? (
                  <span className="muted claim-partial-month" data-testid="partial-month">
                    {t("claims.computation.partialMonth", { days: month.windowDays, monthDays: month.monthDays })}
                  </span>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
        <tbody className="claim-computation-steps">
          <tr>
            <th scope="row">{t("claims.computation.windowTotal", { months })}</th>
            <td className="numeric">{f.int(computation.windowTokens)}</td>
          </tr>
          {computation.countedMonths !== undefined ? (
            <tr>
              <th scope="row">{t("claims.computation.countedMonths")}</th>
              <td className="numeric" data-testid="counted-months">
                {computation.countedMonths.toLocaleString(f.locale, { maximumFractionDigits: 2 })}
              </td>
            </tr>
          ) : null}
          <tr>
            <th scope="row">{computation.countedMonths !== undefined ? t("claims.computation.averageCounted") : t("claims.computation.average")}</th>
            <td className="numeric">{f.int(computation.averageMonthlyTokens)}</td>
          </tr>
          <tr>
            <th scope="row">{t("claims.computation.multiplier")}</th>
            <td className="numeric">× {computation.multiplierPercent / 100}</td>
          </tr>
          <tr>
            <th scope="row">{t("claims.computation.raw")}</th>
            <td className="numeric">{f.int(computation.rawOfferTokens)}</td>
          </tr>
          <tr>
            <th scope="row">{t("claims.computation.floor")}</th>
            <td className="numeric">{f.int(computation.floorTokens)}</td>
          </tr>
          <tr>
            <th scope="row">{t("claims.computation.cap")}</th>
            <td className="numeric">{f.int(computation.capTokens)}</td>
          </tr>
          <tr className="claim-computation-result">
            <th scope="row">{t("claims.computation.result")}</th>
            <td className="numeric">
              <strong data-testid="offer-tokens">{f.int(computation.offerTokens)}</strong>
              {computation.clamp !== "none" ? <span className="muted"> · {t(`claims.computation.clamp.${computation.clamp}`)}</span> : null}
            </td>
          </tr>
        </tbody>
      </table>
    </>
  );
}

export interface FlagView {
  code: string;
  detail?: string;
  evidenceId?: string;
  otherAccountId?: string;
  otherClaimId?: string;
}

function flagDetail(flag: FlagView, t: TFunction): string {
  if (flag.code !== "evidence_flag" || !flag.detail) return flag.detail ?? "";
  // The evidence module words its own findings; a code it does not know is shown as is.
  return t(`evidence.flags.${flag.detail}`, { defaultValue: flag.detail, model: "…", similarity: "…", days: "…", day: "…", first: "…", second: "…" });
}

export function FlagList({ flags, linkOthers }: { flags: FlagView[]; linkOthers: boolean }) {
  const { t } = useTranslation();
  return (
    <ul className="claim-flags">
      {flags.map((flag, index) => (
        <li key={index}>
          <span className="flag-badge">{t(`claims.flags.${flag.code}`, { detail: flagDetail(flag, t) })}</span>
          {linkOthers && flag.otherClaimId ? (
            <>
              {" "}
              <Link to={`/staff/claims/${flag.otherClaimId}`}>{t("review.claim.otherClaim")}</Link>
            </>
          ) : linkOthers && flag.otherAccountId ? (
            <>
              {" "}
              <Link to={`/support/accounts/${flag.otherAccountId}`}>{t("review.claim.otherAccount")}</Link>
            </>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
