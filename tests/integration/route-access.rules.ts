// Who may reach which route: one rule per file in app/routes/. The access test imports every
// route module, calls its loader and action as each persona, and compares with these rules.
// A route file without a rule, or a loader/action without expectations, fails the test:
// access is denied by default until someone writes down who may be there.
import type { Role } from "~/lib/db-schema";

export type Persona = "anonymous" | Role;
export const PERSONAS: readonly Persona[] = ["anonymous", "developer", "support", "staff", "admin"];

/**
 * - `ok`: 200.
 * - `allowed`: reached the route's own logic: anything but a log-in redirect, 403, 404 or a 5xx
 *   (actions are called with an empty or harmless form, so 400 or a redirect are fine).
 * - `login`: redirected to /login?redirectTo=….
 * - `forbidden`: 403. `notFound`: 404.
 * - `redirect:/path`: 302/303 to a location starting with /path.
 * - a number: exactly that status.
 */
export type Expectation = "ok" | "allowed" | "login" | "forbidden" | "notFound" | `redirect:${string}` | number;
export type PersonaExpectations = Record<Persona, Expectation>;

/** Ids the fixtures create: `victim` is a developer with data of their own; personas are other accounts. */
export interface AccessFixtures {
  victim: { id: string; email: string; evidenceId: string; keyId: string; claimId: string; ledgerEntryId: string };
}

export interface AccessRule {
  /** The URL to request; defaults to a path built from the file name. */
  path?: (fixtures: AccessFixtures) => string;
  params?: (fixtures: AccessFixtures) => Record<string, string>;
  loader?: PersonaExpectations;
  action?: { form?: (fixtures: AccessFixtures) => Record<string, string>; expect: PersonaExpectations };
}

const all = (expectation: Expectation): PersonaExpectations => ({ anonymous: expectation, developer: expectation, support: expectation, staff: expectation, admin: expectation });

const RANK: Record<Role, number> = { developer: 0, support: 1, staff: 2, admin: 3 };

/** Signed-in users with at least `role` get `granted`; lower roles 403; anonymous visitors go to log-in. */
export function atLeast(role: Role, granted: Expectation = "ok"): PersonaExpectations {
  const byRole = (persona: Role): Expectation => (RANK[persona] >= RANK[role] ? granted : "forbidden");
  return { anonymous: "login", developer: byRole("developer"), support: byRole("support"), staff: byRole("staff"), admin: byRole("admin") };
}

/** Pages for visitors only: signed-in users are sent to their role's home. */
const anonymousOnly = (granted: Expectation = "ok"): PersonaExpectations => ({
  anonymous: granted,
  developer: "redirect:/account",
  support: "redirect:/support",
  staff: "redirect:/staff/claims",
  admin: "redirect:/admin",
});

export const ROUTE_RULES: Record<string, AccessRule> = {
  "_index.tsx": { loader: all("ok") },
  "$.tsx": { loader: all("notFound"), action: { expect: all("notFound") } },
  "dev.outbox.tsx": { loader: all("ok") }, // development only: 404 in production (env test covers it)
  "login.tsx": { loader: anonymousOnly(), action: { expect: all("allowed") } },
  "signup.tsx": { loader: anonymousOnly(), action: { expect: anonymousOnly("allowed") } },
  "verify.tsx": { loader: { ...all("redirect:/account"), anonymous: "ok" }, action: { expect: all("allowed") } },
  "forgot-password.tsx": { loader: all("ok"), action: { expect: all("allowed") } },
  "reset-password.tsx": { loader: all("ok"), action: { expect: all("allowed") } },
  "logout.tsx": { loader: all("redirect:/"), action: { expect: all("redirect:/login?notice") } },
  "set-language.tsx": { loader: all("redirect:/"), action: { form: () => ({ locale: "zh", redirectTo: "/" }), expect: all("redirect:/") } },
  "account.tsx": { loader: atLeast("developer") },
  "account._index.tsx": { loader: atLeast("developer") },
  "account.password.tsx": { loader: atLeast("developer"), action: { expect: atLeast("developer", "allowed") } },

  // API keys (issue 5): another account's key id is simply not found, for every role.
  "account.keys._index.tsx": {
    loader: atLeast("developer"),
    action: { form: (fx) => ({ intent: "revoke", keyId: fx.victim.keyId }), expect: { ...all("notFound"), anonymous: "login" } },
  },
  "account.keys.new.tsx": { loader: atLeast("developer"), action: { expect: atLeast("developer", "allowed") } },
  "account.keys.$keyId.roll.tsx": {
    params: (fx) => ({ keyId: fx.victim.keyId }),
    loader: { ...all("notFound"), anonymous: "login" },
    action: { expect: { ...all("notFound"), anonymous: "login" } },
  },
  "account.keys.$keyId.limits.tsx": {
    params: (fx) => ({ keyId: fx.victim.keyId }),
    loader: { ...all("notFound"), anonymous: "login" },
    action: { expect: { ...all("notFound"), anonymous: "login" } },
  },
  // Organizations (issue 17): acting on an organization one does not belong to is not found.
  "account.organization.tsx": {
    loader: atLeast("developer"),
    action: { form: (fx) => ({ intent: "remove", userId: fx.victim.id }), expect: { ...all("notFound"), anonymous: "login" } },
  },
  "account.organization.evidence.tsx": { loader: all("redirect:/account/organization"), action: { expect: { ...all("notFound"), anonymous: "login" } } },
  "account.notifications.tsx": { loader: atLeast("developer"), action: { expect: atLeast("developer", "allowed") } },
  "account.snippets.tsx": { loader: atLeast("developer") },
  "docs.gateway.tsx": { loader: all("ok") },

  // Credit ledger (issue 4): the page reads only the signed-in account's ledger.
  "account.credit.tsx": { loader: atLeast("developer"), action: { expect: atLeast("developer", 400) } },
  "account.usage.tsx": { loader: atLeast("developer") },
  "account.usage[.]csv.ts": { path: () => "/account/usage.csv", loader: atLeast("developer") },

  // Usage evidence (issue 3)
  "account.evidence._index.tsx": { loader: atLeast("developer"), action: { expect: atLeast("developer", "allowed") } },
  "account.evidence.$evidenceId.tsx": {
    params: (fx) => ({ evidenceId: fx.victim.evidenceId }),
    loader: { ...all("notFound"), anonymous: "login" },
    // Removing someone else's evidence: not found, whoever asks.
    action: { form: () => ({ intent: "remove" }), expect: { ...all("notFound"), anonymous: "login" } },
  },
  "account.evidence.upload.tsx": { loader: all("redirect:/account/evidence"), action: { expect: atLeast("developer", "allowed") } },

  // Claims and the staff review queue (issue 4)
  "account.claim.tsx": { loader: atLeast("developer"), action: { expect: atLeast("developer", "allowed") } },
  "staff.claims._index.tsx": { loader: atLeast("staff") },
  "staff.claims.$id.tsx": {
    params: (fx) => ({ id: fx.victim.claimId }),
    loader: atLeast("staff"),
    action: { expect: atLeast("staff", 400) },
  },
  // Credit adjustments waiting for a second staff member (issue 11); an empty form reaches validation.
  "staff.adjustments.tsx": { loader: atLeast("staff"), action: { expect: atLeast("staff", 400) } },
  "staff.codes.tsx": { loader: atLeast("staff"), action: { expect: atLeast("staff", 400) } },

  // Paid top-ups (issue 7); the webhook is authenticated by Stripe's signature, not a session.
  "account.billing.tsx": { loader: atLeast("developer"), action: { expect: atLeast("developer", "allowed") } },
  "account.billing_.success.tsx": { path: () => "/account/billing/success?session_id=cs_test_unknown", loader: { ...all("notFound"), anonymous: "login" } },
  "account.billing_.cancel.tsx": { loader: atLeast("developer") },
  // Without STRIPE_SECRET_KEY (as in these tests) the endpoint answers 404 to everyone.
  "webhooks.stripe.ts": { loader: all(405), action: { expect: all(404) } },

  // Support console (issue 6)
  "support.tsx": { loader: atLeast("support") },
  "support._index.tsx": {
    path: (fx) => `/support?q=${encodeURIComponent(fx.victim.email)}`,
    loader: atLeast("support"),
    action: { form: (fx) => ({ q: fx.victim.email }), expect: atLeast("support", "redirect:/support?q=") },
  },
  "support.accounts.$accountId.tsx": {
    params: (fx) => ({ accountId: fx.victim.id }),
    loader: atLeast("support"),
    // An empty form: reaching validation (400) proves the guard let the role through, and changes nothing.
    action: { expect: atLeast("support", 400) },
  },

  "support.accounts.$accountId_.usage.tsx": {
    path: (fx) => `/support/accounts/${fx.victim.id}/usage`,
    params: (fx) => ({ accountId: fx.victim.id }),
    loader: atLeast("support"),
  },
  "support.accounts.$accountId_.usage[.]csv.ts": {
    path: (fx) => `/support/accounts/${fx.victim.id}/usage.csv`,
    params: (fx) => ({ accountId: fx.victim.id }),
    loader: atLeast("support"),
  },

  // Administration (issue 6)
  "admin.tsx": { loader: atLeast("admin") },
  "admin._index.tsx": { loader: atLeast("admin") },
  "admin.users.tsx": { loader: atLeast("admin"), action: { expect: atLeast("admin", 400) } },
  "admin.audit.tsx": { loader: atLeast("admin") },
  "admin.grant-policy.tsx": { loader: atLeast("admin"), action: { expect: atLeast("admin", "allowed") } },
  "admin.audit[.]csv.ts": { path: () => "/admin/audit.csv", loader: atLeast("admin") },

  // Second factor and sessions (issue 11, points 13–14). The two log-in steps are only for a
  // session waiting for its second factor: full sessions go to their role's home, visitors to /login
  // (two-factor.test.ts covers the waiting sessions).
  "login_.second-factor.tsx": {
    path: () => "/login/second-factor",
    loader: { ...anonymousOnly(), anonymous: "redirect:/login" },
    action: { expect: { ...anonymousOnly(), anonymous: "redirect:/login" } },
  },
  "login_.enrol.tsx": {
    path: () => "/login/enrol",
    loader: { ...anonymousOnly(), anonymous: "redirect:/login" },
    action: { expect: { ...anonymousOnly(), anonymous: "redirect:/login" } },
  },
  // Passkey endpoints (JSON, POST only): the log-in ones for a waiting session, the others for a
  // full one (an account without an authenticator app is answered 400).
  "login_.passkey.options.ts": { path: () => "/login/passkey/options", action: { expect: { ...anonymousOnly(), anonymous: "redirect:/login" } } },
  "login_.passkey.verify.ts": { path: () => "/login/passkey/verify", action: { expect: { ...anonymousOnly(), anonymous: "redirect:/login" } } },
  "account.security.passkeys.options.ts": { action: { expect: atLeast("developer", "allowed") } },
  "account.security.passkeys.verify.ts": { action: { expect: atLeast("developer", 400) } },
  "account.security.tsx": { loader: atLeast("developer"), action: { expect: atLeast("developer", 400) } },
  "account.sessions.tsx": { loader: atLeast("developer"), action: { expect: atLeast("developer", 400) } },
  "admin.users_.$userId.security.tsx": {
    path: (fx) => `/admin/users/${fx.victim.id}/security`,
    params: (fx) => ({ userId: fx.victim.id }),
    loader: atLeast("admin"),
    action: { expect: atLeast("admin", 400) },
  },

  // Help within reach (issue 12): public help texts and contact form; agents' ticket console;
  // admins edit the texts; a developer's own data page and export; staff's deletion queue.
  "help.tsx": { loader: all("ok"), action: { expect: all(400) } },
  "terms.tsx": { loader: all("ok") },
  "privacy.tsx": { loader: all("ok") },
  "admin.pages.tsx": { loader: atLeast("admin"), action: { expect: atLeast("admin", 400) } },
  "support.tickets._index.tsx": { loader: atLeast("support") },
  "support.tickets.$ticketId.tsx": {
    params: () => ({ ticketId: "tkt_unknown" }),
    loader: { ...atLeast("support", "notFound") },
    action: { expect: atLeast("support", 400) },
  },
  "account.privacy.tsx": { loader: atLeast("developer"), action: { expect: atLeast("developer", 400) } },
  "account.data-export[.]json.ts": { path: () => "/account/data-export.json", loader: atLeast("developer") },
  "staff.deletions.tsx": { loader: atLeast("staff") },
};

/** `/support/accounts/:accountId` from `support.accounts.$accountId.tsx`, params filled in. */
export function pathFromFile(file: string, params: Record<string, string>): string {
  const route = file.replace(/\.(tsx|ts)$/, "");
  const segments = route
    .split(/\.(?![^[]*\])/)
    .filter((segment) => segment !== "_index" && !segment.startsWith("_"))
    .map((segment) => (segment.startsWith("$") ? (params[segment.slice(1)] ?? segment) : segment.replace(/\[(.*?)\]/g, "$1")));
  return `/${segments.join("/")}`;
}

/**
 * Routes that show one account's own item by id (evidence, claim, key, ledger entry…). The test
 * requests the victim's item as another developer and expects 404: never 403, which would
 * confirm that the id exists.
 */
export const OWNED_RESOURCE_ROUTES: Array<{ file: string; params: (fixtures: AccessFixtures) => Record<string, string> }> = [
  { file: "account.keys.$keyId.roll.tsx", params: (fx) => ({ keyId: fx.victim.keyId }) },
  { file: "account.keys.$keyId.limits.tsx", params: (fx) => ({ keyId: fx.victim.keyId }) },
  { file: "account.evidence.$evidenceId.tsx", params: (fx) => ({ evidenceId: fx.victim.evidenceId }) },
];
