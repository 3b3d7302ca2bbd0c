// The staff queue's filters and sort orders: shared by the server query and the page's form
// (the parsing of its URL is claim-queue-query.server.ts: zod stays off the page).
export const QUEUE_VIEWS = ["pending", "second_approval", "needs_info", "decided", "all"] as const;
export const QUEUE_SORTS = ["oldest", "newest", "largest", "smallest", "most_flags"] as const;
export const QUEUE_FLAG_FILTERS = ["any", "flagged", "clean"] as const;
export const QUEUE_PAGE_SIZE = 20;
