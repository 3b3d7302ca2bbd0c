import { getProviderProfile, type ProviderProfile } from "~/providers";
import { getEnv } from "./env.server";

/** The provider profile this deployment runs for, chosen by PROVIDER. */
export function currentProvider(): ProviderProfile {
  return getProviderProfile(getEnv().PROVIDER);
}
