export const outbox = {
  title: "Dev outbox",
  lead: "No SMTP server is configured, so Ferry keeps outgoing mail here. This page does not exist in production.",
  empty: "No messages yet.",
  to: "To",
  subject: "Subject",
  sent: "Sent",
};
