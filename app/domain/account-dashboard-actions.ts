// The dashboard's next actions and where each one leads. Pure, so the page's component can import it.
export type NextAction =
  | "verify_email"
  | "upload_evidence"
  | "claim"
  | "blocked"
  | "wait_review"
  | "answer_staff"
  | "new_evidence"
  | "create_key"
  | "use_key"
  | "top_up"
  | "see_usage";

export const NEXT_ACTION_PATHS: Record<NextAction, string> = {
  verify_email: "/verify",
  upload_evidence: "/account/evidence",
  claim: "/account/claim",
  blocked: "/account/claim",
  wait_review: "/account/claim",
  answer_staff: "/account/claim",
  new_evidence: "/account/evidence",
  create_key: "/account/keys/new",
  use_key: "/account/snippets",
  top_up: "/account/billing",
  see_usage: "/account/credit",
};

