import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { AccountEvidenceTable, toAccountEvidenceRow } from "~/components/account-evidence-table";
import { Notice } from "~/components/form-alert";
import type { ActionOutcome } from "~/components/reason-form";
import { AuditSection, PurchasesSection, SignInsSection } from "~/components/support-account/activity-sections";
import { ClaimsSection } from "~/components/support-account/claims-section";
import { KeysSection, LedgerSection } from "~/components/support-account/credit-sections";
import { DeletionSection, TicketsSection } from "~/components/support-account/help-sections";
import { ActionsPanel, ProfilePanel } from "~/components/support-account/profile-panels";
import { OrganizationSection } from "~/components/support-account/organization-section";
import { StorySection } from "~/components/support-account/story-parts";
import { carryOutAccountDeletion, getDeletionRequest } from "~/domain/account-deletion.server";
import { listAccountTickets } from "~/domain/support-tickets.server";
import { latestPromoExpiryDay, listPendingAdjustments } from "~/domain/credit-adjustments.server";
import { getGrantPolicy } from "~/domain/grant-policy.server";
import { auditAccountView, getAccountStory } from "~/domain/support-account.server";
import {
  adjustCredit,
  adjustmentSchema,
  reasonSchema,
  resendVerificationFor,
  revokeKeyFor,
  sendPasswordResetFor,
  setAccountDisabled,
  type SupportActionResult,
} from "~/domain/support-actions.server";
import { newId } from "~/lib/ids.server";
import { requestOrigin, requireRole } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { fieldErrorsOf, formFields } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import { hasRole } from "~/lib/roles";
import { useRootData } from "~/root";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["account", "claims", "evidence", "review", "support", "help", "audit", "usage", "alerts", "credit", "organization"] };

export const meta: MetaFunction = (args) => pageTitle(args, "support.account.title");

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireRole(request, "support");
  const accountId = params.accountId ?? "";
  const db = getDb();
  const story = await getAccountStory(db, accountId);
  if (!story) throw new Response("Not Found", { status: 404 });
  await auditAccountView(db, { id: user.id, ip: requestOrigin(request, context).ip }, accountId);
  const isStaff = hasRole(user.role, "staff");
  // Who may disable whom mirrors setAccountDisabled: staff act on developers and support agents only.
  const profileRole = story.profile.role;
  const canDisable = profileRole !== "organization" && isStaff && story.profile.id !== user.id && (user.role === "admin" || !hasRole(profileRole, "staff"));
  const policy = await getGrantPolicy(db);
  const adjustments = {
    id: accountId !== user.id ? newId("adj") : null,
    limits: { capTokens: policy.capTokens, autoApproveLimitTokens: policy.autoApproveLimitTokens, latestPromoExpiryDay: latestPromoExpiryDay(policy, new Date()) },
    pending: await listPendingAdjustments(db, { accountId }),
  };
  const tickets = await listAccountTickets(db, accountId);
  const deletion = await getDeletionRequest(db, accountId);
  return { story, viewer: { id: user.id, isStaff, canDisable }, adjustments, tickets, deletion };
}

const actionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("resend_verification"), reason: reasonSchema }),
  z.object({ intent: z.literal("send_password_reset"), reason: reasonSchema }),
  z.object({ intent: z.literal("disable_account"), reason: reasonSchema }),
  z.object({ intent: z.literal("enable_account"), reason: reasonSchema }),
  z.object({ intent: z.literal("revoke_key"), keyId: z.string().trim().min(1).max(64), reason: reasonSchema }),
  z.object({ intent: z.literal("adjust_credit") }).passthrough(),
  z.object({ intent: z.literal("carry_out_deletion"), reason: reasonSchema }),
]);

const FAILURE_STATUS: Record<string, number> = { not_found: 404, forbidden: 403 };

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireRole(request, "support");
  const accountId = params.accountId ?? "";
  const fields = formFields(await request.formData());
  const intent = fields.intent ?? "";
  const target = fields.keyId ?? "";
  const parsed = actionSchema.safeParse(fields);
  if (!parsed.success) {
    return data<ActionOutcome>({ ok: false, intent, target, formError: "errors.invalidForm", fieldErrors: fieldErrorsOf(parsed.error) }, { status: 400 });
  }
  const db = getDb();
  const actor = { id: user.id, role: user.role, ip: requestOrigin(request, context).ip };
  let result: SupportActionResult;
  switch (parsed.data.intent) {
    case "revoke_key":
      result = await revokeKeyFor(db, actor, accountId, parsed.data.keyId, parsed.data.reason);
      break;
    case "adjust_credit": {
      const adjustment = adjustmentSchema.safeParse(fields);
      if (!adjustment.success) {
        return data<ActionOutcome>({ ok: false, intent, target, formError: "errors.invalidForm", fieldErrors: fieldErrorsOf(adjustment.error) }, { status: 400 });
      }
      result = await adjustCredit(db, actor, accountId, adjustment.data);
      break;
    }
    case "resend_verification":
      result = await resendVerificationFor(db, actor, accountId, parsed.data.reason);
      break;
    case "send_password_reset":
      result = await sendPasswordResetFor(db, actor, accountId, parsed.data.reason);
      break;
    case "disable_account":
      result = await setAccountDisabled(db, actor, accountId, true, parsed.data.reason);
      break;
    case "enable_account":
      result = await setAccountDisabled(db, actor, accountId, false, parsed.data.reason);
      break;
    case "carry_out_deletion": {
      const deleted = await carryOutAccountDeletion(db, actor, accountId, parsed.data.reason);
      if (!deleted.ok) {
        return data<ActionOutcome>({ ok: false, intent, target, formError: `help.deletion.errors.${deleted.reason}` }, { status: FAILURE_STATUS[deleted.reason] ?? 409 });
      }
      result = { ok: true };
      break;
    }
  }
  if (!result.ok) {
    return data<ActionOutcome>({ ok: false, intent, target, formError: `support.errors.${result.reason}` }, { status: FAILURE_STATUS[result.reason] ?? 409 });
  }
  return data<ActionOutcome>({ ok: true, intent, target, pending: result.pending });
}

export default function SupportAccount() {
  const { story, viewer, adjustments, tickets, deletion } = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  const { t } = useTranslation();
  const locale = useRootData()?.locale ?? "en";
  const { profile } = story;
  const done = outcome?.ok ? (outcome.intent === "carry_out_deletion" ? "help.deletion.done" : outcome.pending ? "support.done.adjust_credit_pending" : `support.done.${outcome.intent}`) : null;
  return (
    <article aria-labelledby="account-title" className="support-account">
      <p>
        <Link to="/support">← {t("support.account.backToSearch")}</Link>
      </p>
      <h1 id="account-title">{story.organization ? story.organization.organization.name : profile.email}</h1>
      <p className="muted">
        <code>{profile.id}</code> · {t(`account.roles.${profile.role}`)} ·{" "}
        {profile.disabledAt ? <span className="badge badge-danger">{t("support.status.disabled")}</span> : null}{" "}
        {story.organization ? null : profile.emailVerifiedAt ? <span className="badge">{t("support.status.verified")}</span> : <span className="badge badge-warning">{t("support.status.unverified")}</span>}
      </p>
      {done ? <Notice>{t(done)}</Notice> : null}
      <nav className="section-nav" aria-label={t("support.account.sections")}>
        {(story.organization ? [["organization", "support.organization.members"] as [string, string], ...SECTIONS.filter(([id]) => id !== "actions")] : SECTIONS).map(([id, label]) => (
          <a key={id} href={`#${id}`}>
            {t(label)}
          </a>
        ))}
      </nav>
      <ProfilePanel profile={profile} locale={locale} />
      <DeletionSection deletion={deletion} canCarryOut={viewer.isStaff} outcome={outcome} locale={locale} />
      <OrganizationSection organization={story.organization} memberOf={story.memberOf} locale={locale} />
      {story.organization ? null : <ActionsPanel profile={profile} canDisable={viewer.canDisable} outcome={outcome} />}
      <TicketsSection tickets={tickets} locale={locale} />
      <SignInsSection signIns={story.signIns} locale={locale} />
      <StorySection id="evidence" title={t("support.account.evidence")} empty={story.evidence.length === 0}>
        <AccountEvidenceTable evidence={story.evidence.map(toAccountEvidenceRow)} />
      </StorySection>
      <ClaimsSection claims={story.claims} claimDecisions={story.claimDecisions} isStaff={viewer.isStaff} locale={locale} />
      <LedgerSection accountId={profile.id} ledger={story.ledger} adjustments={adjustments} isStaff={viewer.isStaff} outcome={outcome} locale={locale} />
      <KeysSection keys={story.keys} outcome={outcome} locale={locale} />
      <PurchasesSection purchases={story.purchases} locale={locale} />
      <AuditSection auditTrail={story.auditTrail} locale={locale} />
    </article>
  );
}

const SECTIONS: Array<[string, string]> = [
  ["profile", "support.account.profile"],
  ["actions", "support.account.actions"],
  ["tickets", "help.tickets.title"],
  ["sign-ins", "support.account.signIns"],
  ["evidence", "support.account.evidence"],
  ["claims", "support.account.claims"],
  ["ledger", "support.account.ledger"],
  ["keys", "support.account.keys"],
  ["purchases", "support.account.purchases"],
  ["audit", "support.account.audit"],
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
