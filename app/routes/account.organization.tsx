// A developer's organization: create one, accept an invitation, manage members and budgets (owners
// and admins), create organization keys and see usage by member (every member), claim credit for it.
import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormAlert, Notice } from "~/components/form-alert";
import { NewKeyPanel } from "~/components/new-key-panel";
import { CreateOrganizationPanel, DeleteOrganizationPanel, InvitationPanel } from "~/components/organization/entry-panels";
import { OrganizationClaimSection } from "~/components/organization/claim-section";
import { OrganizationKeysSection } from "~/components/organization/keys-section";
import { MembersSection } from "~/components/organization/members-section";
import { createKeySchema } from "~/domain/api-key-schemas.server";
import { getClaimOverview, submitClaim } from "~/domain/claims.server";
import { listEvidence } from "~/domain/evidence/index.server";
import { getBalance } from "~/domain/ledger.server";
import {
  acceptInvitation,
  changeMemberRole,
  createOrganization,
  createOrganizationKey,
  deleteOrganization,
  getMembership,
  getOrganizationOverview,
  inviteMember,
  memberBudgetSchema,
  organizationNameSchema,
  organizationRoleSchema,
  peekInvitation,
  removeMember,
  revokeOrganizationKey,
  setMemberBudget,
  type OrganizationFailure,
} from "~/domain/organizations.server";
import { emailField } from "~/domain/account-schemas.server";
import { requestOrigin, requireSession } from "~/lib/auth.server";
import { randomToken } from "~/lib/crypto.server";
import { getDb } from "~/lib/db.server";
import { formFailure } from "~/lib/form-response.server";
import { fieldErrorsOf, formFields } from "~/lib/forms";
import { keyFormFailure, needsPassword, NO_STORE, requireRecentPassword } from "~/lib/key-forms.server";
import { resolveLocale } from "~/lib/locale.server";
import { pageTitle } from "~/lib/meta";
import { currentProvider } from "~/lib/provider.server";
import { snippetsView } from "~/lib/snippets-view.server";
import type { RouteHandle } from "~/locales/namespaces";

export const handle: RouteHandle = { i18n: ["organization", "keys", "snippets", "claims", "evidence"] };

export const meta: MetaFunction = (args) => pageTitle(args, "organization.title");

// The page may hold a live organization key after the form is sent.
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

const invitationToken = z.string().trim().min(20).max(100).regex(/^[A-Za-z0-9_-]+$/);

export async function loader({ request }: LoaderFunctionArgs) {
  const current = await requireSession(request);
  const user = current.user;
  const db = getDb();
  const search = new URL(request.url).searchParams;
  const token = invitationToken.safeParse(search.get("invitation") ?? "");
  // Only the upload's own failure keys come back in the address; anything else is ignored.
  const uploadError = /^(evidence\.errors\.[A-Za-z]+|errors\.rateLimited)$/.test(search.get("error") ?? "") ? search.get("error") : null;
  const invitation = token.success ? await peekInvitation(db, token.data) : null;
  const invitationView = token.success ? { token: token.data, live: invitation !== null, ...(invitation ?? {}), forMe: invitation?.email === user.email } : null;
  const membership = await getMembership(db, user.id);
  if (!membership) return { user: { id: user.id, email: user.email }, invitation: invitationView, organization: null, uploadError };
  const { organization, role } = membership;
  const [overview, balance, claim, evidence] = await Promise.all([
    getOrganizationOverview(db, organization),
    getBalance(db, organization.ledgerAccountId),
    getClaimOverview(db, organization.ledgerAccountId),
    listEvidence(db, organization.ledgerAccountId),
  ]);
  return {
    user: { id: user.id, email: user.email },
    invitation: invitationView,
    organization: {
      ...organization,
      role,
      balance: { total: balance.total, promo: balance.promo, paid: balance.paid },
      ...overview,
      claim: { current: claim.current, ineligible: claim.ineligible, offerTokens: claim.offer.eligible ? claim.offer.offerTokens : null },
      evidence: evidence.map((piece) => ({ id: piece.id, fileName: piece.fileName, status: piece.status, createdAt: piece.createdAt })),
    },
    keyForm: { token: randomToken(24), needsPassword: needsPassword(current) },
    uploadError,
  };
}

const actionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("create"), name: organizationNameSchema }),
  z.object({ intent: z.literal("accept"), token: invitationToken }),
  z.object({ intent: z.literal("invite"), email: emailField, role: organizationRoleSchema }),
  z.object({ intent: z.literal("role"), userId: z.string().trim().min(1).max(64), role: organizationRoleSchema }),
  z.object({ intent: z.literal("budget"), userId: z.string().trim().min(1).max(64), budget: memberBudgetSchema }),
  z.object({ intent: z.literal("remove"), userId: z.string().trim().min(1).max(64) }),
  z.object({ intent: z.literal("claim") }),
  z.object({ intent: z.literal("revoke_key"), keyId: z.string().trim().min(1).max(64) }),
  z.object({ intent: z.literal("delete"), confirmName: z.string().trim().max(200) }),
]);

const FAILURE_STATUS: Record<OrganizationFailure, number> = {
  not_found: 404,
  forbidden: 403,
  already_member: 409,
  invitation_invalid: 410,
  wrong_account: 403,
  last_owner: 409,
  unchanged: 400,
  too_many_keys: 409,
  already_created: 400,
  already_invited: 409,
};

function refused(reason: OrganizationFailure) {
  if (reason === "not_found") throw new Response("Not Found", { status: 404 });
  return formFailure(`organization.errors.${reason}`, FAILURE_STATUS[reason]);
}

export async function action({ request, context }: ActionFunctionArgs) {
  const current = await requireSession(request);
  const user = current.user;
  const form = formFields(await request.formData());
  const db = getDb();
  const { ip } = requestOrigin(request, context);
  if (form.intent === "create_key") return createKey(request, current, form, ip);
  const parsed = actionSchema.safeParse(form);
  if (!parsed.success) return formFailure("errors.invalidForm", 400, fieldErrorsOf(parsed.error));
  const input = parsed.data;
  if (input.intent === "create") {
    const result = await createOrganization(db, { userId: user.id, name: input.name, ip });
    return result.ok ? data({ ok: true as const, done: "created" as const }) : refused(result.reason);
  }
  if (input.intent === "accept") {
    const result = await acceptInvitation(db, { userId: user.id, token: input.token, ip });
    return result.ok ? data({ ok: true as const, done: "accepted" as const }) : refused(result.reason);
  }
  // Everything else acts on the organization the signed-in person belongs to; anyone else: 404.
  const membership = await getMembership(db, user.id);
  if (!membership) throw new Response("Not Found", { status: 404 });
  const organizationId = membership.organization.id;
  if (input.intent === "claim") {
    if (membership.role === "member") return refused("forbidden");
    const result = await submitClaim(db, membership.organization.ledgerAccountId, { ip });
    if (!result.ok) return formFailure(`claims.ineligible.${result.reason}`, 409);
    return data({ ok: true as const, done: "claimed" as const });
  }
  if (input.intent === "delete") {
    if (input.confirmName !== membership.organization.name) return formFailure("organization.errors.confirmName", 400, { confirmName: "organization.errors.confirmName" });
    const deleted = await deleteOrganization(db, { actorId: user.id, organizationId, ip });
    return deleted.ok ? data({ ok: true as const, done: "deleted" as const }) : refused(deleted.reason);
  }
  if (input.intent === "revoke_key") {
    const revoked = await revokeOrganizationKey(db, { actorId: user.id, organizationId, keyId: input.keyId, ip });
    return revoked.ok ? data({ ok: true as const, done: "revoke_key" as const }) : refused(revoked.reason);
  }
  const result =
    input.intent === "invite"
      ? await inviteMember(db, { actorId: user.id, organizationId, email: input.email, role: input.role, ip })
      : input.intent === "role"
        ? await changeMemberRole(db, { actorId: user.id, organizationId, userId: input.userId, role: input.role, ip })
        : input.intent === "budget"
          ? await setMemberBudget(db, { actorId: user.id, organizationId, userId: input.userId, monthlyTokenBudget: input.budget, ip })
          : await removeMember(db, { actorId: user.id, organizationId, userId: input.userId, ip });
  return result.ok ? data({ ok: true as const, done: input.intent }) : refused(result.reason);
}

async function createKey(request: Request, current: Awaited<ReturnType<typeof requireSession>>, form: Record<string, string>, ip: string | null) {
  const parsed = createKeySchema.safeParse(form);
  if (!parsed.success) return keyFormFailure("errors.invalidForm", 400, fieldErrorsOf(parsed.error));
  const db = getDb();
  const membership = await getMembership(db, current.user.id);
  if (!membership) throw new Response("Not Found", { status: 404 });
  const passwordRefusal = await requireRecentPassword(db, current, parsed.data.password);
  if (passwordRefusal) return passwordRefusal;
  const provider = currentProvider();
  const result = await createOrganizationKey(db, {
    actorId: current.user.id,
    organizationId: membership.organization.id,
    name: parsed.data.name,
    prefix: provider.keyPrefix,
    creationToken: parsed.data.formToken,
    ip,
  });
  if (!result.ok) return keyFormFailure(`organization.errors.${result.reason}`, FAILURE_STATUS[result.reason]);
  const locale = await resolveLocale(request, current.user.locale);
  return data(
    { ok: true as const, done: "create_key" as const, key: result.key, apiKey: { name: result.apiKey.name, expiresAt: result.apiKey.expiresAt }, snippets: snippetsView(provider, result.key, locale) },
    { headers: NO_STORE },
  );
}

export default function OrganizationPage() {
  const loaded = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation();
  const failure = actionData && !actionData.ok ? actionData : undefined;
  const done = actionData?.ok ? actionData.done : null;
  const newKey = actionData?.ok && actionData.done === "create_key" ? actionData : null;
  const { organization, invitation } = loaded;
  return (
    <article className="organization-page" aria-labelledby="organization-title">
      <h1 id="organization-title">{organization ? organization.name : t("organization.title")}</h1>
      {done ? <Notice>{t(`organization.done.${done}`)}</Notice> : null}
      <FormAlert error={failure?.formError ?? loaded.uploadError ?? undefined} />
      {invitation && !organization ? <InvitationPanel invitation={invitation} email={loaded.user.email} /> : null}
      {!organization ? <CreateOrganizationPanel error={failure?.fieldErrors?.name} /> : null}
      {organization ? (
        <>
          <p className="muted">
            {t("organization.yourRole", { role: t(`organization.roles.${organization.role}`) })} · {t("organization.balance", { tokens: organization.balance.total.toLocaleString() })}
          </p>
          {newKey ? <NewKeyPanel keyText={newKey.key} apiKey={newKey.apiKey} snippets={newKey.snippets} /> : null}
          <MembersSection organization={organization} userId={loaded.user.id} fieldErrors={failure?.fieldErrors ?? {}} />
          <OrganizationKeysSection keys={organization.keys} form={"keyForm" in loaded ? loaded.keyForm : null} failure={failure} userId={loaded.user.id} role={organization.role} />
          <OrganizationClaimSection organization={organization} />
          {organization.role === "owner" ? <DeleteOrganizationPanel error={failure?.fieldErrors?.confirmName} /> : null}
        </>
      ) : null}
    </article>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
