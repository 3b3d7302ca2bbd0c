// The ticket queue's views: shared by the server module and the queue page, which renders them in
// the browser (a `.server` module's values are not there).
export const TICKET_FILTERS = ["open", "mine", "closed", "all"] as const;
export type TicketFilter = (typeof TICKET_FILTERS)[number];
