// "Download my data": everything Ferry holds about an account, as one JSON document written in
// pieces, so an account with millions of usage entries streams in bounded memory. Secrets and
// hashes (password, key and file hashes, session ids, fingerprints, TOTP) are never part of it,
// and neither is anything about other accounts (claim flags name only their code).
import type { DbExecutor } from "~/lib/db.server";
import { recordAudit } from "./audit.server";
import { listAccountSessions } from "./account-sessions.server";
import { listApiKeys } from "./api-keys.server";
import { listPurchases } from "./billing.server";
import { listAccountClaims } from "./claims.server";
import { listEvidence } from "./evidence/index.server";
import { listEntries } from "./ledger.server";
import { listPasskeys } from "./passkeys.server";
import { listAccountTickets, getTicket } from "./support-tickets.server";

const LEDGER_PAGE = 500;

export const EXPORT_FORMAT_VERSION = 1;

async function profileOf(db: DbExecutor, accountId: string) {
  const user = await db
    .selectFrom("users")
    .select(["id", "email", "role", "locale", "email_verified_at", "disabled_at", "password_changed_at", "created_at"])
    .where("id", "=", accountId)
    .executeTakeFirst();
  if (!user) return null;
  const totp = await db.selectFrom("two_factor_totp").select("confirmed_at").where("user_id", "=", accountId).executeTakeFirst();
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    locale: user.locale,
    emailVerifiedAt: user.email_verified_at,
    disabledAt: user.disabled_at,
    passwordChangedAt: user.password_changed_at,
    createdAt: user.created_at,
    authenticatorAppSince: totp?.confirmed_at ?? null,
  };
}

async function sectionsBeforeLedger(db: DbExecutor, accountId: string, now: Date) {
  const evidence = await listEvidence(db, accountId, { includeRemoved: true });
  const claims = await listAccountClaims(db, accountId);
  const tickets = await Promise.all((await listAccountTickets(db, accountId, 1000)).map((ticket) => getTicket(db, ticket.id)));
  const signIns = await db
    .selectFrom("sign_in_events")
    .select(["outcome", "ip", "user_agent", "created_at"])
    .where("user_id", "=", accountId)
    .orderBy("created_at", "desc")
    .limit(1000)
    .execute();
  const deletionRequests = await db
    .selectFrom("account_deletion_requests")
    .select(["id", "status", "requested_at", "carried_out_at"])
    .where("account_id", "=", accountId)
    .execute();
  return {
    evidence: evidence.map((piece) => ({
      id: piece.id,
      kind: piece.kind,
      status: piece.status,
      fileName: piece.fileName,
      fileBytes: piece.fileBytes,
      orgId: piece.orgId,
      periodStart: piece.periodStart,
      periodEnd: piece.periodEnd,
      rowCount: piece.rowCount,
      inputTokens: piece.inputTokens,
      outputTokens: piece.outputTokens,
      costMicros: piece.costMicros,
      reasons: piece.reasons,
      findings: piece.flags,
      summary: piece.summary,
      removedAt: piece.removedAt,
      createdAt: piece.createdAt,
    })),
    claims: claims.map((claim) => ({
      id: claim.id,
      status: claim.status,
      offeredTokens: claim.offeredTokens,
      grantedTokens: claim.grantedTokens,
      evidenceIds: claim.evidenceIds,
      flags: claim.flags.map((flag) => ({ code: flag.code, detail: flag.detail ?? null })),
      decisionReason: claim.decisionReason,
      infoRequest: claim.infoRequest,
      submittedAt: claim.submittedAt,
      decidedAt: claim.decidedAt,
    })),
    apiKeys: (await listApiKeys(db, accountId, now)).map((key) => ({
      id: key.id,
      name: key.name,
      key: `${key.visiblePrefix}…${key.lastFour}`,
      status: key.status,
      createdAt: key.createdAt,
      lastUsedAt: key.lastUsedAt,
      expiresAt: key.expiresAt,
      revokedAt: key.revokedAt,
    })),
    passkeys: (await listPasskeys(db, accountId)).map((passkey) => ({ name: passkey.name, createdAt: passkey.createdAt, lastUsedAt: passkey.lastUsedAt })),
    sessions: (await listAccountSessions(db, accountId, null, now)).map((session) => ({
      browser: session.browser,
      os: session.os,
      ip: session.ip,
      createdAt: session.createdAt,
      lastSeenAt: session.lastSeenAt,
    })),
    signIns: signIns.map((event) => ({ outcome: event.outcome, ip: event.ip, userAgent: event.user_agent, createdAt: event.created_at })),
    purchases: (await listPurchases(db, accountId, { limit: 10_000 })).map((purchase) => ({
      id: purchase.id,
      packId: purchase.packId,
      tokens: purchase.tokens,
      amount: purchase.amount,
      currency: purchase.currency,
      state: purchase.state,
      refundedAmount: purchase.refundedAmount,
      refundedTokens: purchase.refundedTokens,
      createdAt: purchase.createdAt,
      paidAt: purchase.paidAt,
      refundedAt: purchase.refundedAt,
    })),
    supportTickets: tickets.flatMap((found) =>
      found
        ? [
            {
              id: found.ticket.id,
              topic: found.ticket.topic,
              subject: found.ticket.subject,
              status: found.ticket.status,
              createdAt: found.ticket.createdAt,
              closedAt: found.ticket.closedAt,
              // Agents are named by role, not by their own address.
              messages: found.messages.map((message) => ({ from: message.direction === "in" ? "you" : "support", body: message.body, createdAt: message.createdAt })),
            },
          ]
        : [],
    ),
    deletionRequests: deletionRequests.map((request) => ({ id: request.id, status: request.status, requestedAt: request.requested_at, carriedOutAt: request.carried_out_at })),
  };
}

/**
 * The export as JSON text in pieces; null when the account does not exist. The ledger, the only
 * section that grows without bound, is read page by page, newest first.
 */
export async function accountDataExport(db: DbExecutor, account: { id: string; ip: string | null }, now: Date = new Date()): Promise<AsyncIterable<string> | null> {
  const accountId = account.id;
  const profile = await profileOf(db, accountId);
  if (!profile) return null;
  await recordAudit(db, { actorId: accountId, action: "account.data_export", targetType: "user", targetId: accountId, ip: account.ip }, now);
  async function* pieces(): AsyncGenerator<string> {
    const head = { format: "ferry-account-export", version: EXPORT_FORMAT_VERSION, exportedAt: now.toISOString(), profile, ...(await sectionsBeforeLedger(db, accountId, now)) };
    const headText = JSON.stringify(head);
    yield `${headText.slice(0, -1)},"ledgerEntries":[`;
    let before: string | null = null;
    let first = true;
    do {
      const page = await listEntries(db, accountId, { limit: LEDGER_PAGE, before });
      for (const entry of page.entries) {
        yield `${first ? "" : ","}${JSON.stringify(entry)}`;
        first = false;
      }
      before = page.nextCursor;
    } while (before);
    yield "]}";
  }
  return pieces();
}
