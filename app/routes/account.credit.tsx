// The developer's credit: balance by bucket, free credit by expiry, and the ledger's history.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { RedeemCodePanel, ReferralPanel, type RedeemOutcome } from "~/components/redeem-code-panel";
import { appUrl } from "~/domain/accounts.server";
import { getGrantPolicy } from "~/domain/grant-policy.server";
import { getBalance, listEntries, type LedgerEntryView } from "~/domain/ledger.server";
import { redeemCode } from "~/domain/redemption-codes.server";
import { getReferralSummary } from "~/domain/referrals.server";
import { retryAfterHeader } from "~/lib/rate-limit.server";
import { useRootData } from "~/root";
import { requestOrigin, requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { formatDate, formatDateTime, formatInteger, isLocale, type Locale } from "~/lib/i18n";
import { pageTitle } from "~/lib/meta";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["credit", "codes", "snippets"] };

export const meta: MetaFunction = (args) => pageTitle(args, "credit.title");

const PAGE_SIZE = 20;
const querySchema = z.object({ before: z.string().regex(/^led_[0-9a-z]{26}$/).optional() });

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const url = new URL(request.url);
  const query = querySchema.safeParse({ before: url.searchParams.get("before") ?? undefined });
  if (!query.success) throw redirect("/account/credit");
  const db = getDb();
  const [balance, page, policy] = await Promise.all([
    getBalance(db, user.id),
    listEntries(db, user.id, { limit: PAGE_SIZE, before: query.data.before }),
    getGrantPolicy(db),
  ]);
  const referral = await getReferralSummary(db, user.id, policy);
  return { balance, page, isFirstPage: !query.data.before, referral: { ...referral, link: appUrl(`/signup?ref=${referral.code}`) } };
}

const redeemSchema = z.object({ intent: z.literal("redeem"), code: z.string().trim().min(1).max(64) });

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const parsed = redeemSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return data<RedeemOutcome>({ ok: false, formError: "codes.errors.malformed" }, { status: 400 });
  const result = await redeemCode(getDb(), { accountId: user.id, code: parsed.data.code, ip: requestOrigin(request, context).ip });
  if (result.ok) return data<RedeemOutcome>({ ok: true, tokens: result.tokens });
  if (result.reason === "rate_limited") {
    const retryAfterSeconds = result.retryAfterSeconds ?? 60;
    return data<RedeemOutcome>({ ok: false, formError: "codes.errors.rate_limited", retryAfterSeconds }, { status: 429, headers: retryAfterHeader(retryAfterSeconds) });
  }
  return data<RedeemOutcome>({ ok: false, formError: `codes.errors.${result.reason}` }, { status: result.reason === "malformed" || result.reason === "unknown" ? 400 : 409 });
}

export default function Credit() {
  const { balance, page, isFirstPage, referral } = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  const { t } = useTranslation();
  const rootLocale = useRootData()?.locale;
  const locale: Locale = isLocale(rootLocale) ? rootLocale : "en";
  const tokens = (value: number) => formatInteger(value, locale);
  return (
    <>
      <h1>{t("credit.title")}</h1>
      <p className="muted">{t("credit.lead")}</p>

      <section className="panel credit-balance" aria-labelledby="balance-title">
        <h2 id="balance-title">{t("credit.balance.title")}</h2>
        <dl className="credit-figures">
          <div className="credit-figure credit-total">
            <dt>{t("credit.balance.total")}</dt>
            <dd data-testid="credit-total">{tokens(balance.total)}</dd>
          </div>
          <div className="credit-figure">
            <dt>{t("credit.balance.promo")}</dt>
            <dd data-testid="credit-promo">{tokens(balance.promo)}</dd>
          </div>
          <div className="credit-figure">
            <dt>{t("credit.balance.paid")}</dt>
            <dd data-testid="credit-paid">{tokens(balance.paid)}</dd>
          </div>
        </dl>
        {balance.total === 0 && page.entries.length === 0 && isFirstPage ? (
          <p className="muted">
            {t("credit.balance.empty")} <Link to="/account">{t("common.nav.account")}</Link>
          </p>
        ) : null}
      </section>

      <RedeemCodePanel outcome={outcome} />

      <section className="credit-section" aria-labelledby="grants-title">
        <h2 id="grants-title">{t("credit.grants.title")}</h2>
        <p className="muted">{t("credit.grants.lead")}</p>
        {balance.promoGrants.length === 0 ? (
          <p>{t("credit.grants.none")}</p>
        ) : (
          <table className="table" data-testid="credit-grants">
            <thead>
              <tr>
                <th scope="col">{t("credit.grants.expires")}</th>
                <th scope="col" className="number">
                  {t("credit.grants.remaining")}
                </th>
              </tr>
            </thead>
            <tbody>
              {balance.promoGrants.map((grant) => (
                <tr key={grant.entryId}>
                  <td>
                    <time dateTime={grant.expiresAt} title={formatDateTime(grant.expiresAt, locale)}>
                      {formatDate(grant.expiresAt, locale)}
                    </time>
                  </td>
                  <td className="number">{tokens(grant.remaining)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="credit-section" aria-labelledby="history-title">
        <h2 id="history-title">{t("credit.history.title")}</h2>
        {page.entries.length === 0 ? (
          <p>{t("credit.history.empty")}</p>
        ) : (
          <div>
            <table className="table credit-history stack-table" data-testid="credit-history">
              <thead>
                <tr>
                  <th scope="col">{t("credit.history.when")}</th>
                  <th scope="col">{t("credit.history.what")}</th>
                  <th scope="col">{t("credit.history.bucket")}</th>
                  <th scope="col" className="number">
                    {t("credit.history.amount")}
                  </th>
                  <th scope="col">{t("credit.history.reference")}</th>
                </tr>
              </thead>
              <tbody>
                {page.entries.map((entry) => (
                  <HistoryRow key={entry.id} entry={entry} locale={locale} />
                ))}
              </tbody>
            </table>
          </div>
        )}
        {page.nextCursor || !isFirstPage ? (
          <nav className="pager" aria-label={t("credit.history.pageLabel")}>
            {!isFirstPage ? (
              <Link className="button button-secondary button-small" to="/account/credit">
                {t("credit.history.newest")}
              </Link>
            ) : null}
            {page.nextCursor ? (
              <Link className="button button-secondary button-small" to={`/account/credit?before=${page.nextCursor}`}>
                {t("credit.history.older")}
              </Link>
            ) : null}
          </nav>
        ) : null}
      </section>

      <ReferralPanel link={referral.link} invited={referral.invited} rewarded={referral.rewarded} bonusTokens={referral.bonusTokens} />
    </>
  );
}

// Credit from a code may be paid credit: its entry is named for where it came from, not "free credit granted".
const KIND_BY_REFERENCE = new Set(["redemption_code", "referral"]);
const KNOWN_REFERENCES = new Set(["claim", "purchase", "gateway_request", "promo_grant", "support_adjustment", "redemption_code", "referral"]);

function HistoryRow({ entry, locale }: { entry: LedgerEntryView; locale: Locale }) {
  const { t } = useTranslation();
  const sign = entry.amount > 0 ? "+" : "−";
  const referenceLabel = KNOWN_REFERENCES.has(entry.referenceType) ? t(`credit.references.${entry.referenceType}`) : entry.referenceType;
  return (
    <tr>
      <td data-label={t("credit.history.when")}>
        <time dateTime={entry.createdAt}>{formatDateTime(entry.createdAt, locale)}</time>
      </td>
      <td className="credit-what" data-label={t("credit.history.what")}>
        {KIND_BY_REFERENCE.has(entry.referenceType) ? t(`credit.kindsByReference.${entry.referenceType}`) : t(`credit.kinds.${entry.kind}`)}
        {entry.note ? <div className="muted credit-note">{entry.note}</div> : null}
        {entry.expiresAt ? (
          <div className="muted credit-note">
            {t("credit.grants.expires")}: {formatDate(entry.expiresAt, locale)}
          </div>
        ) : null}
      </td>
      <td data-label={t("credit.history.bucket")}>{t(`credit.buckets.${entry.bucket}`)}</td>
      <td className={`number ${entry.amount > 0 ? "credit-plus" : "credit-minus"}`} data-label={t("credit.history.amount")}>
        {sign}
        {formatInteger(Math.abs(entry.amount), locale)}
      </td>
      <td data-label={t("credit.history.reference")}>
        {referenceLabel} <code className="credit-reference">{entry.referenceId}</code>
      </td>
    </tr>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
