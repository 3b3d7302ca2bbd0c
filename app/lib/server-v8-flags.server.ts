// V8 flags Ferry's server processes run with. A page's request allocates a few hundred KB that die
// young; with V8's default 16 MB semi-spaces the young generation fills every few dozen requests.
// 64 MB semi-spaces scavenge four times less often: about 15% less CPU per signed-in page in one
// process (the pages benchmark, paired rounds), for up to ~100 MB more memory per process.
// `npm start`, `npm run demo` and the Dockerfile pass the same flag to a lone process.
export const SERVER_V8_FLAGS = ["--max-semi-space-size=64"] as const;

/** `execArgv` with each of SERVER_V8_FLAGS the operator did not set (in `execArgv` or NODE_OPTIONS) added. */
export function withServerV8Flags(execArgv: readonly string[], nodeOptions = ""): string[] {
  // V8 reads `--a-b` and `--a_b` alike.
  const given = new Set([...execArgv, ...nodeOptions.split(/\s+/)].map((option) => option.split("=")[0]!.replaceAll("_", "-")));
  return [...execArgv, ...SERVER_V8_FLAGS.filter((flag) => !given.has(flag.split("=")[0]!))];
}
