// The metrics label for a request: the route pattern it matches ("/account/keys/:keyId"), never
// the raw path, so ids and junk URLs cannot grow the number of time series without bound.
export interface RouteShape {
  id: string;
  path?: string;
  parentId?: string;
}

function fullPattern(route: RouteShape, byId: Map<string, RouteShape>): string {
  const parts: string[] = [];
  for (let current: RouteShape | undefined = route; current; current = current.parentId ? byId.get(current.parentId) : undefined) {
    if (current.path) parts.unshift(current.path);
  }
  return `/${parts.join("/")}`.replace(/\/+/g, "/");
}

function escapeRegExp(text: string) {
  return text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}

/** Builds `path → label` from the app's route manifest (Remix build.routes). */
export function routeLabeler(routes: RouteShape[]): (path: string) => string {
  const byId = new Map(routes.map((route) => [route.id, route]));
  const patterns = [...new Set(routes.map((route) => fullPattern(route, byId)))]
    // Static segments before parameters before splats: the most specific pattern wins.
    .sort((a, b) => b.split("/").length - a.split("/").length || a.split(":").length - b.split(":").length)
    .map((pattern) => ({
      pattern,
      regex: new RegExp(
        `^${pattern
          .split("/")
          .map((segment) => (segment === "*" ? ".*" : segment.startsWith(":") ? "[^/]+" : escapeRegExp(segment)))
          .join("/")}/?$`,
      ),
    }));
  return (path) => {
    if (path.startsWith("/build/")) return "/build/*";
    const bare = path.endsWith(".data") ? path.slice(0, -".data".length) || "/" : path;
    return patterns.find(({ regex }) => regex.test(bare))?.pattern ?? "unmatched";
  };
}
