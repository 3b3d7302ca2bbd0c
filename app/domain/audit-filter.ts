// The audit log's filter fields: shared by the page (browser) and the query module (server).
export const AUDIT_FILTER_FIELDS = ["actor", "action", "target", "from", "to"] as const;
export type AuditFilterField = (typeof AUDIT_FILTER_FIELDS)[number];
