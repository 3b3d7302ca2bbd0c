// The contact form's topics, shared by the form (browser) and the ticket schema (server).
export const TICKET_TOPIC_CHOICES = ["account", "evidence", "claim", "keys", "billing", "privacy", "other"] as const;
export type TicketTopic = (typeof TICKET_TOPIC_CHOICES)[number];
