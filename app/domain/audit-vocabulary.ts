// Every action the audit log records. Each has a label in both languages (the `audit` namespace),
// so operators read "Revoked an API key", never `api_key.revoke`.
export const AUDIT_ACTIONS = [
  "account.data_export",
  "account.deletion_request",
  "admin.audit_export",
  "admin.role_change",
  "admin.sessions_ended",
  "admin.site_text_edit",
  "admin.two_factor_reset",
  "alerts.settings",
  "api_key.create",
  "api_key.leaked",
  "api_key.limits",
  "api_key.revoke",
  "api_key.roll",
  "billing.purchase_credited",
  "billing.purchase_refunded",
  "claim.approve",
  "claim.approve_adjusted",
  "claim.auto_approve",
  "claim.first_approval",
  "claim.reject",
  "claim.request_info",
  "claim.resubmit",
  "claim.submit",
  "claim.view",
  "credit_adjustment.approve",
  "credit_adjustment.propose",
  "credit_adjustment.reject",
  "evidence.remove",
  "grant_policy.update",
  "staff.account_delete",
  "staff.account_disable",
  "staff.account_enable",
  "staff.credit_adjust",
  "support.account_view",
  "support.resend_verification",
  "support.search",
  "support.send_password_reset",
  "support.usage_export",
  "support.usage_view",
  "ticket.assign",
  "ticket.close",
  "ticket.open",
  "ticket.reply",
  "two_factor.enrolled",
  "two_factor.passkey_added",
  "two_factor.passkey_removed",
  "two_factor.recovery_code_used",
  "two_factor.recovery_codes_regenerated",
  "two_factor.removed",
  "user.create_cli",
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export function isAuditAction(value: string): value is AuditAction {
  return (AUDIT_ACTIONS as readonly string[]).includes(value);
}

/**
 * Detail fields whose values are codes, and the translation namespace that names each code.
 * Anything else (ids, numbers, e-mail addresses, free text) is shown as written.
 */
export const AUDIT_VALUE_LABELS: Readonly<Record<string, string>> = {
  kind: "evidence.kinds",
  reasons: "evidence.reasons",
  flags: "claims.flags",
  role: "account.roles",
  from: "account.roles",
  to: "account.roles",
  bucket: "credit.buckets",
  kinds: "support.kinds",
  method: "audit.values.method",
  source: "audit.values.source",
  locale: "audit.values.locale",
  truncated: "audit.values.yesNo",
  reversed: "audit.values.yesNo",
  selfAppliedLast24h: "audit.values.yesNo",
};
