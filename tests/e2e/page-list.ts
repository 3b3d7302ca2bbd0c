// Every page of the portal, by who sees it, for the all-pages browser test. A new page is one line
// here (in the list of the role that reaches it); `seed` holds the ids of records a page shows.

export type Audience = "visitor" | "developer" | "support" | "staff" | "admin";

/** Records the all-pages test creates before it looks (a developer with evidence, a claim, …). */
export interface Seeded {
  developerId: string;
  developerEmail: string;
  acceptedEvidenceId: string;
  rejectedEvidenceId: string;
  invoiceEvidenceId: string;
  keyId: string;
  claimId: string;
  checkoutSessionId: string;
  /** A support ticket the developer opened from the Help page. */
  ticketId: string;
}

export interface PageToCheck {
  path: string;
  /** The status the document answers with (200 unless said). */
  status?: number;
}

export function pagesOf(audience: Audience, seed: Seeded): PageToCheck[] {
  switch (audience) {
    case "visitor":
      return [
        { path: "/" },
        { path: "/login" },
        { path: "/signup" },
        { path: "/forgot-password" },
        { path: "/reset-password?token=not-a-real-token" },
        { path: "/docs/gateway" },
        { path: "/help" },
        { path: "/terms" },
        { path: "/privacy" },
        { path: "/verify?email=someone%40example.com" },
        { path: "/dev/outbox" },
        { path: "/no-such-page", status: 404 },
      ];
    case "developer":
      return [
        { path: "/account" },
        { path: "/account/evidence" },
        { path: `/account/evidence/${seed.acceptedEvidenceId}` },
        { path: `/account/evidence/${seed.rejectedEvidenceId}` },
        { path: `/account/evidence/${seed.invoiceEvidenceId}` },
        { path: "/account/claim" },
        { path: "/account/credit" },
        { path: "/account/keys" },
        { path: "/account/keys/new" },
        { path: `/account/keys/${seed.keyId}/roll` },
        { path: `/account/keys/${seed.keyId}/limits` },
        { path: "/account/usage" },
        { path: "/account/snippets" },
        { path: "/account/organization" },
        { path: "/account/organization?invitation=not-a-live-invitation-token-0000" },
        { path: "/account/billing" },
        { path: `/account/billing/success?session_id=${seed.checkoutSessionId}` },
        { path: "/account/billing/cancel" },
        { path: "/account/security" },
        { path: "/account/sessions" },
        { path: "/account/password" },
        { path: "/account/notifications" },
        { path: "/account/privacy" },
        { path: "/docs/gateway" },
        { path: "/help" },
        { path: "/no-such-page", status: 404 },
      ];
    case "support":
      return [
        { path: "/support" },
        { path: `/support?q=${encodeURIComponent(seed.developerEmail)}` },
        { path: `/support?q=${encodeURIComponent("nobody-at-all@example.com")}` },
        { path: `/support/accounts/${seed.developerId}` },
        { path: `/support/accounts/${seed.developerId}/usage` },
        { path: "/support/tickets" },
        { path: `/support/tickets/${seed.ticketId}` },
        { path: "/account" },
      ];
    case "staff":
      return [
        { path: "/staff/claims" },
        { path: "/staff/claims?view=all&sort=newest" },
        { path: `/staff/claims/${seed.claimId}` },
        { path: "/staff/adjustments" },
        { path: "/staff/codes" },
        { path: "/staff/deletions" },
      ];
    case "admin":
      return [
        { path: "/admin" },
        { path: "/admin/users" },
        { path: `/admin/users/${seed.developerId}/security` },
        { path: "/admin/audit" },
        { path: "/admin/grant-policy" },
        { path: "/admin/pages" },
      ];
  }
}
