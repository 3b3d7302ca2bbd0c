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

/** The last offer described, and what it was described from: every new developer's dashboard shows the same one. */
let remembered: { key: string; modelMap: ReadonlyArray<{ openai: string; provider: string }>; offer: ProgramOffer } | undefined;

/** The offer under a policy already read (say, with the account's claim overview). Callers only read it. */
export function programOfferOf(policy: GrantPolicy): ProgramOffer {
  const env = getEnv();
  const { modelMap } = currentProvider();
  const key = JSON.stringify([policy, env.PROGRAM_WINDOW_START, env.PROGRAM_WINDOW_END]);
  if (remembered?.key !== key || remembered.modelMap !== modelMap) {
    remembered = { key, modelMap, offer: describeProgramOffer(policy, modelMap, { start: env.PROGRAM_WINDOW_START, end: env.PROGRAM_WINDOW_END }) };
  }
  return remembered.offer;
}
