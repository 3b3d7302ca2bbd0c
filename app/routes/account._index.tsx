import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { BalancePanel, KeysPanel, NextStepPanel, UsagePanel } from "~/components/dashboard-parts";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { ProgramOfferPanel } from "~/components/program-offer";
import { getAccountDashboard } from "~/domain/account-dashboard.server";
import { programOfferOf } from "~/domain/program-offer.server";
import { requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { pageTitle } from "~/lib/meta";
import { currentProvider } from "~/lib/provider.server";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["account", "offer", "claims", "review", "evidence", "dashboard"] };

export const meta: MetaFunction = (args) => pageTitle(args, "account.title");

type StepState = "done" | "next" | "later";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const db = getDb();
  const { progress, policy, ...dashboard } = await getAccountDashboard(db, { id: user.id, emailVerified: user.emailVerified });
  const steps: Array<{ id: "verifyUsage" | "claimCredit" | "apiKeys" | "code"; state: StepState; href: string | null }> = [
    { id: "verifyUsage", state: progress.hasAcceptedEvidence ? "done" : "next", href: "/account/evidence" },
    { id: "claimCredit", state: progress.claimStep, href: "/account/claim" },
    { id: "apiKeys", state: progress.hasAnyKey ? "done" : "next", href: "/account/keys" },
    { id: "code", state: progress.keyUsed ? "done" : progress.hasAnyKey ? "next" : "later", href: "/account/snippets" },
  ];
  // The offer is worth reading until the developer has claimed it.
  const offer = dashboard.claim.state === "none" ? programOfferOf(policy) : null;
  return { user: { email: user.email, role: user.role, emailVerified: user.emailVerified }, steps, provider: currentProvider().name, dashboard, offer };
}

export default function Dashboard() {
  const { user, steps, provider, dashboard, offer } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <>
      <h1>{t("account.title")}</h1>
      <p className="muted">
        {t("account.welcome", { email: user.email })} · {t("account.role", { role: t(`account.roles.${user.role}`) })}
      </p>
      {!user.emailVerified ? (
        <div className="alert alert-warning" role="status">
          <strong>{t("account.unverified.title")}</strong> {t("account.unverified.body", { email: user.email })}{" "}
          <Link to={`/verify?${new URLSearchParams({ email: user.email })}`}>{t("account.unverified.action")}</Link>
        </div>
      ) : null}
      <NextStepPanel claim={dashboard.claim} next={dashboard.next} email={user.email} />
      {offer ? <ProgramOfferPanel offer={offer} provider={provider} /> : null}
      <div className="dashboard-grid">
        <BalancePanel balance={dashboard.balance} nextPromoExpiry={dashboard.nextPromoExpiry} />
        <KeysPanel keys={dashboard.keys} />
        {dashboard.usage ? <UsagePanel usage={dashboard.usage} /> : null}
      </div>
      <h2>{t("account.stepsTitle", { provider })}</h2>
      <ol className="onboarding">
        {steps.map((step, index) => (
          <li key={step.id} className={`onboarding-step state-${step.state}`}>
            <span className="step-number" aria-hidden="true">
              {index + 1}
            </span>
            <div>
              <h3 id={`step-${step.id}-title`}>{t(`account.steps.${step.id}.title`)}</h3>
              <p>{t(`account.steps.${step.id}.body`)}</p>
            </div>
            <span className="step-status">
              <span className={`step-badge badge-${step.state}`}>{t(`account.stepStatus.${step.state}`)}</span>
              {step.href ? (
                <Link to={step.href} aria-labelledby={`step-${step.id}-open step-${step.id}-title`}>
                  <span id={`step-${step.id}-open`}>{t("account.open")}</span>
                </Link>
              ) : null}
            </span>
          </li>
        ))}
      </ol>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
