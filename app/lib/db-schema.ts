// The typed shape of every table. Times are ISO-8601 UTC strings; tokens and money are integers.
import type { ColumnType, Insertable, Selectable, Updateable } from "kysely";

export type Role = "developer" | "support" | "staff" | "admin";
/**
 * The role of an organization's ledger owner row in `users`: it owns credit, evidence, claims and
 * keys like an account, but is never a person. Its password hash can never verify and its address
 * is at the reserved `.invalid` domain; sign-in, mail and the operators' user lists all refuse it.
 */
export const ORGANIZATION_ROLE = "organization" as const;
export const ORGANIZATION_EMAIL_DOMAIN = "organizations.invalid";
export type EmailCodePurpose = "verify_email" | "reset_password";

export interface UsersTable {
  id: string;
  email: string;
  password_hash: string;
  email_verified_at: string | null;
  /** `organization`: the ledger owner row of an organization, never a person (see LEDGER_OWNER_ROLE). */
  role: Role | typeof ORGANIZATION_ROLE;
  locale: string;
  disabled_at: string | null;
  password_changed_at: string;
  created_at: string;
  updated_at: string;
}

export interface SessionsTable {
  /** SHA-256 of the session id: the id itself lives only in the cookie. */
  id: string;
  user_id: string;
  expires_at: string;
  authenticated_at: string;
  ip: string | null;
  user_agent: string | null;
  created_at: string;
  second_factor: ColumnType<SessionSecondFactor, SessionSecondFactor | undefined, SessionSecondFactor>;
  last_seen_at: string | null;
}

/** Where a session stands with the second factor (see migration 0013). */
export type SessionSecondFactor = "none" | "enrol" | "verify" | "passed";

/** One TOTP authenticator per user; the secret is AES-GCM encrypted with a key derived from APP_SECRET. */
export interface TwoFactorTotpTable {
  user_id: string;
  secret_ciphertext: string;
  confirmed_at: string | null;
  /** The last 30-second step a code was accepted for: a code is never accepted twice. */
  last_used_step: ColumnType<number | null, number | null | undefined, number | null>;
  failed_attempts: ColumnType<number, number | undefined, number>;
  locked_until: string | null;
  created_at: string;
}

export interface PasskeysTable {
  id: string;
  user_id: string;
  /** base64url credential id, as the browser reports it. */
  credential_id: string;
  /** base64url COSE public key: nothing secret is stored. */
  public_key: string;
  /** The authenticator's signature counter: an assertion must move it forward (or both stay 0). */
  counter: ColumnType<number, number | undefined, number>;
  /** JSON array of transports ("internal", "usb", …). */
  transports: ColumnType<string, string | undefined, string>;
  name: string;
  created_at: string;
  last_used_at: string | null;
}

/** One WebAuthn challenge per session and purpose (see migration 0015): consumed by a DELETE … RETURNING. */
export interface WebauthnChallengesTable {
  session_id: string;
  purpose: "register" | "authenticate";
  challenge: string;
  expires_at: string;
}

export interface TwoFactorRecoveryCodesTable {
  id: string;
  user_id: string;
  /** HMAC-SHA-256 (keyed by APP_SECRET) of the normalized code. */
  code_hash: string;
  used_at: string | null;
  created_at: string;
}

export interface EmailCodesTable {
  id: string;
  user_id: string;
  purpose: EmailCodePurpose;
  code_hash: string;
  expires_at: string;
  attempts: number;
  consumed_at: string | null;
  created_at: string;
  /** Verification codes only: the password chosen in the sign-up that asked for this code (null = keep the account's). */
  password_hash: string | null;
}

export interface LoginThrottleTable {
  bucket: string;
  account_hash: string | null;
  failures: number;
  /** Unix seconds. */
  last_failure_at: number;
  /** Unix seconds: no log-in attempt from this bucket before then. */
  next_allowed_at: number;
}

export interface RateLimitsTable {
  bucket: string;
  window_start: number;
  hits: number;
}

export interface AuditLogTable {
  id: string;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  details: string;
  ip: string | null;
  created_at: string;
}

export interface MailOutboxTable {
  id: string;
  to_address: string;
  subject: string;
  text_body: string;
  created_at: string;
}

export interface SignInEventsTable {
  id: string;
  user_id: string;
  outcome: "success" | "bad_password" | "disabled" | "rate_limited";
  ip: string | null;
  user_agent: string | null;
  created_at: string;
}

export type EvidenceKind = "completions_csv" | "costs_csv" | "usage_api_json" | "api_read" | "openai_invoice" | "not_export";
export type EvidenceStatus = "accepted" | "rejected";

/** One proof of past OpenAI usage; JSON text columns hold reasons, flags and the display summary. */
export interface EvidenceTable {
  id: string;
  user_id: string;
  kind: EvidenceKind;
  status: EvidenceStatus;
  file_name: string | null;
  file_sha256: string | null;
  file_bytes: number;
  /** SHA-256 of the normalized day × model rows: the same usage re-saved or shuffled matches. */
  fingerprint: string | null;
  org_id: string | null;
  period_start: string | null;
  period_end: string | null;
  row_count: number;
  input_tokens: number;
  output_tokens: number;
  cost_micros: number;
  reasons: string;
  flags: string;
  summary: string;
  /** Set when the developer removed this (rejected) evidence; staff and support still see it. */
  removed_at: string | null;
  created_at: string;
}

/** Usage inside the program window, per UTC day and model, of accepted evidence only. */
export interface EvidenceUsageDaysTable {
  evidence_id: string;
  day: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cost_micros: number;
  requests: number;
  created_at: string;
}

/** One model's daily series of an accepted evidence, for the near-copy check (values comma-joined). */
export interface EvidenceSeriesTable {
  evidence_id: string;
  model: string;
  user_id: string;
  /** Days since 1970-01-01 of the first value. */
  first_day: number;
  day_values: string;
  created_at: string;
}

/** LSH band keys of an evidence series' sketch: a shared key makes two series candidates. */
export interface EvidenceSketchBandsTable {
  band_key: string;
  evidence_id: string;
  model: string;
  user_id: string;
}

/** A near-copy found between two accounts' evidence, as measured when the later one arrived. */
export interface EvidenceNearCopiesTable {
  evidence_id: string;
  model: string;
  other_evidence_id: string;
  other_model: string;
  account_id: string;
  other_account_id: string;
  /** Share of compared days that match, in basis points (10,000 = all). */
  similarity_bp: number;
  matching_days: number;
  compared_days: number;
  /** evidence ≈ scale × other, in millionths (parts per million). */
  scale_ppm: number;
  shift_days: number;
  created_at: string;
}

export interface ApiKeysTable {
  id: string;
  user_id: string;
  name: string;
  /** SHA-256 (hex) of the whole key; the key itself is never stored. */
  key_hash: string;
  visible_prefix: string;
  last_four: string;
  creation_token_hash: string | null;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
  rolled_at: string | null;
  rolled_to_id: string | null;
  /** The member who created an organization's key; null for an account's own keys. */
  created_by: string | null;
}

export interface OrganizationsTable {
  id: string;
  name: string;
  ledger_account_id: string;
  created_by: string;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

export type OrganizationRole = "owner" | "admin" | "member";

export interface OrganizationMembersTable {
  organization_id: string;
  user_id: string;
  role: OrganizationRole;
  monthly_token_budget: number | null;
  created_at: string;
  updated_at: string;
}

export interface OrganizationInvitationsTable {
  id: string;
  organization_id: string;
  email: string;
  role: OrganizationRole;
  token_hash: string;
  invited_by: string;
  expires_at: string;
  accepted_at: string | null;
  accepted_by: string | null;
  revoked_at: string | null;
  created_at: string;
}

// Credit ledger (migration 0003_ledger). Only app/domain/ledger.server.ts writes these.
export type LedgerEntryKind = "grant" | "purchase" | "usage" | "expiry" | "adjustment";
export type LedgerBucket = "promo" | "paid";

export interface LedgerEntriesTable {
  id: string;
  account_id: string;
  kind: LedgerEntryKind;
  bucket: LedgerBucket;
  /** Signed tokens: positive adds credit, negative consumes it. */
  amount: number;
  idempotency_key: string;
  reference_type: string;
  reference_id: string;
  expires_at: string | null;
  grant_entry_id: string | null;
  note: string | null;
  actor_id: string | null;
  created_at: string;
}

export interface AccountBalancesTable {
  account_id: string;
  promo: number;
  paid: number;
  created_at: string;
  updated_at: string;
}

export interface LedgerPromoGrantsTable {
  grant_entry_id: string;
  account_id: string;
  amount: number;
  remaining: number;
  expires_at: string;
  /** Set by the expiry job once the grant has expired and what was left of it is posted. */
  closed_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface LedgerDebitsTable {
  idempotency_key: string;
  account_id: string;
  kind: "usage" | "reversal";
  bucket: LedgerBucket | null;
  requested: number;
  debited: number;
  shortfall: number;
  balance_after: number;
  reference_type: string;
  reference_id: string;
  created_at: string;
}

// --- claims (issue #4) ---
export interface SettingsTable {
  key: string;
  /** JSON */
  value: string;
  updated_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface SettingChangesTable {
  id: string;
  key: string;
  old_value: string | null;
  new_value: string;
  actor_id: string | null;
  created_at: string;
}

export type ClaimStatus = "pending" | "needs_info" | "auto_approved" | "approved" | "rejected";

export interface ClaimsTable {
  id: string;
  account_id: string;
  status: ClaimStatus;
  offered_tokens: number;
  granted_tokens: number | null;
  /** JSON OfferComputation */
  computation: string;
  /** JSON GrantPolicy in force when the offer was computed */
  policy: string;
  /** JSON string[] */
  evidence_ids: string;
  /** JSON ClaimFlag[] */
  flags: string;
  flag_count: number;
  /** Bumped by every change; decisions update only the version they were made on. */
  version: number;
  first_approved_by: string | null;
  first_approved_tokens: number | null;
  first_approved_at: string | null;
  decided_by: string | null;
  decided_at: string | null;
  decision_reason: string | null;
  info_request: string | null;
  ledger_entry_id: string | null;
  submitted_at: string;
  created_at: string;
  updated_at: string;
}

export interface ClaimIdentitiesTable {
  claim_id: string;
  account_id: string;
  kind: "org_id" | "fingerprint";
  value: string;
  created_at: string;
}

export interface ClaimOrgGrantsTable {
  org_id: string;
  claim_id: string;
  account_id: string;
  created_at: string;
}

export interface ClaimDecisionsTable {
  id: string;
  claim_id: string;
  actor_id: string | null;
  action: string;
  tokens: number | null;
  reason: string | null;
  created_at: string;
}
// --- end claims ---

// Paid top-ups (migration 0006_billing). Only app/domain/billing.server.ts writes these.
export type PurchaseState = "pending" | "paid" | "refunded" | "failed" | "expired";

export interface PurchasesTable {
  id: string;
  account_id: string;
  pack_id: string;
  tokens: number;
  /** Price in the currency's minor unit (fen, cents). */
  amount: number;
  currency: string;
  state: PurchaseState;
  idempotency_key: string;
  checkout_session_id: string | null;
  payment_intent_id: string | null;
  ledger_entry_id: string | null;
  refunded_amount: number;
  refunded_tokens: number;
  paid_at: string | null;
  refunded_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface StripeEventsTable {
  id: string;
  type: string;
  purchase_id: string | null;
  outcome: string;
  created_at: string;
}

export interface BillingDebtsTable {
  id: string;
  account_id: string;
  purchase_id: string;
  tokens: number;
  settled_tokens: number;
  created_at: string;
  updated_at: string;
}

export type CreditAdjustmentStatus = "pending" | "applied" | "rejected";

export type CodeBatchStatus = "pending_approval" | "active" | "disabled";

/** A batch of redemption codes (see app/domain/redemption-codes.server.ts). */
export interface CodeBatchesTable {
  id: string;
  campaign: string | null;
  campaign_key: string;
  tokens: number;
  bucket: LedgerBucket;
  code_count: number;
  uses_per_code: number;
  /** Promo credit from a code lasts this many days after redemption… */
  credit_days: number | null;
  /** …or until this instant. */
  credit_expires_at: string | null;
  /** After this instant the codes can no longer be redeemed. */
  code_expires_at: string | null;
  /** 0 or 1. */
  requires_evidence: number;
  /** 0 or 1: only accounts created after the batch. */
  new_accounts_only: number;
  status: CodeBatchStatus;
  created_by: string;
  approved_by: string | null;
  approved_at: string | null;
  disabled_by: string | null;
  disabled_at: string | null;
  created_at: string;
  updated_at: string;
}

/** One code: SHA-256 of its normalized text, never the text. */
export interface RedemptionCodesTable {
  id: string;
  batch_id: string;
  code_hash: string;
  uses_left: number;
  created_at: string;
}

export interface CodeRedemptionsTable {
  id: string;
  code_id: string;
  batch_id: string;
  campaign_key: string;
  account_id: string;
  tokens: number;
  ledger_entry_id: string | null;
  created_at: string;
}

export interface ReferralLinksTable {
  account_id: string;
  code: string;
  created_at: string;
}

export type ReferralStatus = "pending" | "granted" | "refused";

export interface ReferralsTable {
  invitee_id: string;
  id: string;
  referrer_id: string;
  status: ReferralStatus;
  /** Why no bonus: self, shared_org, shared_fingerprint, off. */
  refusal: string | null;
  bonus_tokens: number | null;
  claim_id: string | null;
  decided_at: string | null;
  created_at: string;
}

/** A credit adjustment that adds tokens (see app/domain/credit-adjustments.server.ts). */
export interface CreditAdjustmentsTable {
  /** The one-time id the form carried: the same form sent twice is one adjustment. */
  id: string;
  account_id: string;
  tokens: number;
  bucket: LedgerBucket;
  expires_at: string | null;
  reason: string;
  status: CreditAdjustmentStatus;
  /** Bumped by every change; a decision updates only the version it was made on. */
  version: number;
  proposed_by: string;
  /** The second staff member; null when the proposer applied it alone within the limit. */
  approved_by: string | null;
  decided_by: string | null;
  decided_at: string | null;
  decision_reason: string | null;
  ledger_entry_id: string | null;
  created_at: string;
  updated_at: string;
}

/** Who runs a background job until when (issue #13); `expires_at` is also when the job is next due. */
export interface JobLeasesTable {
  name: string;
  holder: string;
  expires_at: string;
  last_started_at: string;
  created_at: string;
  updated_at: string;
}

/** Usage debits the metering proxy could not write yet (issue #16), retried until the ledger has them. */
export interface ProxyUsageOutboxTable {
  request_id: string;
  report: string;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  gave_up_at: string | null;
  created_at: string;
  updated_at: string;
}

// Help within reach (migration 0016_help).
export type SiteTextKind = "faq" | "terms" | "privacy";

/** Admin-edited help text per language; without a row, the provider's default text is shown. */
export interface SiteTextsTable {
  kind: SiteTextKind;
  locale: string;
  /** A safe Markdown subset, rendered as React elements: never HTML. */
  body: string;
  updated_by: string | null;
  created_at: string;
  updated_at: string;
}

export type TicketStatus = "open" | "assigned" | "closed";

export interface SupportTicketsTable {
  id: string;
  /** Null when a signed-out visitor wrote: their address proves nothing about an account. */
  account_id: string | null;
  email: string;
  /** The language replies are written in: the account's, else the one the visitor wrote in. */
  locale: string;
  topic: string;
  subject: string;
  status: TicketStatus;
  assignee_id: string | null;
  closed_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface SupportTicketMessagesTable {
  id: string;
  ticket_id: string;
  author_id: string | null;
  /** `in`: from the person asking; `out`: an agent's reply, e-mailed to them. */
  direction: "in" | "out";
  body: string;
  created_at: string;
}

export type DeletionRequestStatus = "pending" | "done";

export interface AccountDeletionRequestsTable {
  id: string;
  account_id: string;
  status: DeletionRequestStatus;
  requested_at: string;
  carried_out_by: string | null;
  carried_out_at: string | null;
  created_at: string;
}

// --- usage records (issue #15) ---

/** One gateway request's usage, kept USAGE_RECORD_RETENTION_DAYS days. */
export interface UsageRecordsTable {
  request_id: string;
  account_id: string;
  key_id: string;
  /** The model the developer asked for (usually an OpenAI name). */
  model: string;
  /** The provider model that served it, when known. */
  provider_model: string | null;
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  debited_tokens: number;
  /** Tokens used beyond the credit left: used, but not debited. */
  shortfall_tokens: number;
  created_at: string;
}

/** Usage per account, UTC day, key and requested model; written with each debit, never purged. */
export interface UsageDailyTable {
  account_id: string;
  day: string;
  key_id: string;
  model: string;
  requests: number;
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  debited_tokens: number;
  shortfall_tokens: number;
  created_at: string;
  updated_at: string;
}

/** Limits of one API key (migration 0018); a null column falls back to the provider's default. */
export interface ApiKeyLimitsTable {
  key_id: string;
  requests_per_minute: number | null;
  tokens_per_minute: number | null;
  daily_tokens: number | null;
  monthly_tokens: number | null;
  /** JSON array of model names, or null for every model. */
  allowed_models: string | null;
  /** JSON array of CIDR ranges, or null for every address. */
  allowed_cidrs: string | null;
  created_at: string;
  updated_at: string;
}

/** Fixed UTC windows of one key: `YYYY-MM-DDTHH:MM`, `YYYY-MM-DD`, `YYYY-MM`. */
export interface ApiKeyCountersTable {
  key_id: string;
  minute_start: string;
  minute_requests: number;
  minute_tokens: number;
  day_start: string;
  day_tokens: number;
  month_start: string;
  month_tokens: number;
  created_at: string;
  updated_at: string;
}

export interface AlertSettingsTable {
  user_id: string;
  balance_threshold_tokens: number | null;
  balance_alerts: number;
  promo_expiry_alerts: number;
  key_budget_alerts: number;
  created_at: string;
  updated_at: string;
}

export interface AlertDeliveriesTable {
  kind: string;
  subject_id: string;
  period: string;
  user_id: string;
  created_at: string;
}

export interface ApiKeyLeaksTable {
  id: string;
  key_id: string;
  user_id: string;
  url: string | null;
  source: string | null;
  reporter: string;
  revoked_now: number;
  created_at: string;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  email_codes: EmailCodesTable;
  rate_limits: RateLimitsTable;
  login_throttle: LoginThrottleTable;
  audit_log: AuditLogTable;
  mail_outbox: MailOutboxTable;
  sign_in_events: SignInEventsTable;
  evidence: EvidenceTable;
  evidence_usage_days: EvidenceUsageDaysTable;
  evidence_series: EvidenceSeriesTable;
  evidence_sketch_bands: EvidenceSketchBandsTable;
  evidence_near_copies: EvidenceNearCopiesTable;
  api_keys: ApiKeysTable;
  ledger_entries: LedgerEntriesTable;
  account_balances: AccountBalancesTable;
  ledger_promo_grants: LedgerPromoGrantsTable;
  ledger_debits: LedgerDebitsTable;
  settings: SettingsTable;
  setting_changes: SettingChangesTable;
  claims: ClaimsTable;
  claim_identities: ClaimIdentitiesTable;
  claim_org_grants: ClaimOrgGrantsTable;
  claim_decisions: ClaimDecisionsTable;
  purchases: PurchasesTable;
  stripe_events: StripeEventsTable;
  billing_debts: BillingDebtsTable;
  credit_adjustments: CreditAdjustmentsTable;
  code_batches: CodeBatchesTable;
  redemption_codes: RedemptionCodesTable;
  code_redemptions: CodeRedemptionsTable;
  referral_links: ReferralLinksTable;
  referrals: ReferralsTable;
  job_leases: JobLeasesTable;
  two_factor_totp: TwoFactorTotpTable;
  two_factor_recovery_codes: TwoFactorRecoveryCodesTable;
  passkeys: PasskeysTable;
  webauthn_challenges: WebauthnChallengesTable;
  proxy_usage_outbox: ProxyUsageOutboxTable;
  site_texts: SiteTextsTable;
  support_tickets: SupportTicketsTable;
  support_ticket_messages: SupportTicketMessagesTable;
  account_deletion_requests: AccountDeletionRequestsTable;
  usage_records: UsageRecordsTable;
  usage_daily: UsageDailyTable;
  api_key_limits: ApiKeyLimitsTable;
  api_key_counters: ApiKeyCountersTable;
  alert_settings: AlertSettingsTable;
  alert_deliveries: AlertDeliveriesTable;
  api_key_leaks: ApiKeyLeaksTable;
  organizations: OrganizationsTable;
  organization_members: OrganizationMembersTable;
  organization_invitations: OrganizationInvitationsTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type AuditEntry = Selectable<AuditLogTable>;
export type Evidence = Selectable<EvidenceTable>;
export type LedgerEntry = Selectable<LedgerEntriesTable>;
export type Purchase = Selectable<PurchasesTable>;
