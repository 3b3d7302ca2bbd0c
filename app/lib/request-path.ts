// What a URL's path is once `.`/`..` segments, `\` and `%2e` are resolved the way Remix's router and
// browsers resolve them: every path decision (origin check, body limits, gateway) uses this form.
export function normalizedPath(rawUrl: string): string {
  try {
    return new URL(rawUrl, "http://normalize.invalid").pathname;
  } catch {
    return "/";
  }
}

/** The request target with a normalized path and the query string kept as sent. */
export function normalizedRequestTarget(rawUrl: string): string {
  const queryAt = rawUrl.indexOf("?");
  const path = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
  const query = queryAt === -1 ? "" : rawUrl.slice(queryAt);
  return `${normalizedPath(path)}${query}`;
}
