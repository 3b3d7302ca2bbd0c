// The program offer as it stands now: the grant policy in force (profile, env, admin settings),
// the provider's model map and the program window.
import type { DbExecutor } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { currentProvider } from "~/lib/provider.server";
import type { GrantPolicy } from "./grant-policy";
import { getGrantPolicy } from "./grant-policy.server";
import { describeProgramOffer, type ProgramOffer } from "./program-offer";

export async function getProgramOffer(db: DbExecutor): Promise<ProgramOffer> {
  return programOfferOf(await getGrantPolicy(db));
}

/** The offer under a policy already read (say, with the account's claim overview). */
export function programOfferOf(policy: GrantPolicy): ProgramOffer {
  const env = getEnv();
  return describeProgramOffer(policy, currentProvider().modelMap, { start: env.PROGRAM_WINDOW_START, end: env.PROGRAM_WINDOW_END });
}
