// The admin-edited texts and their size limit: shared by the server module and the editing page,
// which renders them in the browser (a `.server` module's values are not there).
import type { SiteTextKind } from "~/lib/db-schema";

export const SITE_TEXT_KINDS = ["faq", "terms", "privacy"] as const satisfies readonly SiteTextKind[];
export const SITE_TEXT_MAX_CHARS = 50_000;
