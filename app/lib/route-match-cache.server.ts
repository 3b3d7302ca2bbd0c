// Remix matches the URL against every route several times per page (the request handler, the
// React router's <Routes>, the lazy-discovery manifest for each parent path), and React Router's
// `matchRoutes` flattens, ranks and compiles a regular expression for every route each time: with
// this app's ~150 routes that was a seventh of a signed-in page's CPU. The answer depends only on
// the route tree's shape and the path, so it is remembered per shape and path; a route tree built
// afresh for each render (as RemixServer does) has the same shape and reuses the entry.
import { createRequire } from "node:module";
import type { AgnosticRouteMatch, AgnosticRouteObject } from "@remix-run/router";

type MatchRoutes = (routes: AgnosticRouteObject[], location: string | { pathname?: string }, basename?: string) => AgnosticRouteMatch[] | null;

interface Shape {
  signature: string;
  /** Route objects by id, for rebuilding a remembered match on this tree's objects. */
  byId: Map<string, AgnosticRouteObject>;
}

/** What a match is, without the tree's objects: ids, params and the matched path parts. */
type Remembered = Array<{ id: string; params: Record<string, string | undefined>; pathname: string; pathnameBase: string }> | null;

/** Paths remembered per tree shape; a visitor inventing paths cannot grow it past this. */
export const MAX_PATHS_PER_SHAPE = 2000;

const shapes = new WeakMap<object, Shape | null>();
const answers = new Map<string, Map<string, Remembered>>();

/** The tree's shape (ids and what matching reads: path, index, case sensitivity, children); null when a route has no id. */
function shapeOf(routes: AgnosticRouteObject[]): Shape | null {
  if (shapes.has(routes)) return shapes.get(routes)!;
  const byId = new Map<string, AgnosticRouteObject>();
  const parts: string[] = [];
  let complete = true;
  const walk = (list: AgnosticRouteObject[]) => {
    parts.push("[");
    for (const route of list) {
      if (typeof route.id !== "string" || byId.has(route.id)) complete = false;
      else byId.set(route.id, route);
      parts.push(JSON.stringify([route.id, route.path ?? null, route.index === true, route.caseSensitive === true]));
      if (route.children) walk(route.children);
      parts.push(",");
    }
    parts.push("]");
  };
  walk(routes);
  const shape = complete ? { signature: parts.join(""), byId } : null;
  shapes.set(routes, shape);
  return shape;
}

/** `matchRoutes` that remembers its answers; the same result objects as the original, fresh per call. */
export function rememberingMatchRoutes(original: MatchRoutes): MatchRoutes {
  return (routes, location, basename = "/") => {
    const pathname = typeof location === "string" ? location : location.pathname;
    // A string location may carry a search or hash (the original parses it); objects with more than a pathname are left to it too.
    if (typeof pathname !== "string" || (typeof location === "string" && /[?#]/.test(location)) || !Array.isArray(routes)) return original(routes, location, basename);
    const shape = shapeOf(routes);
    if (!shape) return original(routes, location, basename);
    let byPath = answers.get(shape.signature);
    if (!byPath) answers.set(shape.signature, (byPath = new Map()));
    const key = `${basename}\u0000${pathname}`;
    let remembered = byPath.get(key);
    if (remembered === undefined) {
      const matches = original(routes, location, basename);
      remembered = matches ? matches.map((match) => ({ id: match.route.id!, params: { ...match.params }, pathname: match.pathname, pathnameBase: match.pathnameBase })) : null;
      if (byPath.size >= MAX_PATHS_PER_SHAPE) byPath.clear();
      byPath.set(key, remembered);
      return matches;
    }
    return remembered ? remembered.map((match) => ({ params: { ...match.params }, pathname: match.pathname, pathnameBase: match.pathnameBase, route: shape.byId.get(match.id)! })) : null;
  };
}

type CreateServerRoutes = (manifest: object, routeModules: Record<string, unknown>, future: unknown, isSpaMode: boolean, ...rest: unknown[]) => unknown[];

/**
 * RemixServer builds the React route tree (every route's components wrapped afresh) for every
 * render, from the build's manifest and modules, which do not change while the build is the same.
 * The tree is built once per manifest and reused while the modules are the same objects; nothing
 * downstream changes it (React Router copies routes into its own data routes).
 */
export function rememberingServerRoutes(original: CreateServerRoutes): CreateServerRoutes {
  const built = new WeakMap<object, { routeModules: Record<string, unknown>; future: unknown; routes: unknown[] }>();
  return (manifest, routeModules, future, isSpaMode, ...rest) => {
    // The recursive calls (with a parent id) stay inside the module; SPA mode's lazy routes are left alone.
    if (rest.length > 0 || isSpaMode) return original(manifest, routeModules, future, isSpaMode, ...rest);
    const remembered = built.get(manifest);
    if (remembered && remembered.future === future && sameModules(remembered.routeModules, routeModules)) return remembered.routes;
    const routes = original(manifest, routeModules, future, isSpaMode);
    built.set(manifest, { routeModules: { ...routeModules }, future, routes });
    return routes;
  };
}

type ConvertRoutes = (routes: unknown[], mapRouteProperties: unknown, parentPath?: string[], manifest?: Record<string, unknown>, ...rest: unknown[]) => unknown[];

/**
 * React Router's static router copies the route tree into "data routes" for every render. With the
 * tree itself remembered (above), the copy is too: the same data routes for the same tree, and the
 * caller's manifest filled as the original fills it. The match cache then knows the tree at once.
 * Only top-level calls with an empty manifest are remembered (what createStaticRouter makes).
 */
export function rememberingDataRoutes(original: ConvertRoutes): ConvertRoutes {
  const converted = new WeakMap<object, { mapRouteProperties: unknown; dataRoutes: unknown[]; manifest: Record<string, unknown> }>();
  return (routes, mapRouteProperties, parentPath, manifest, ...rest) => {
    if (parentPath !== undefined || rest.length > 0 || !manifest || Object.keys(manifest).length > 0 || !Array.isArray(routes)) {
      return original(routes, mapRouteProperties, parentPath, manifest, ...rest);
    }
    const remembered = converted.get(routes);
    if (remembered && remembered.mapRouteProperties === mapRouteProperties) {
      Object.assign(manifest, remembered.manifest);
      return remembered.dataRoutes;
    }
    const dataRoutes = original(routes, mapRouteProperties, parentPath, manifest);
    converted.set(routes, { mapRouteProperties, dataRoutes, manifest: { ...manifest } });
    return dataRoutes;
  };
}

interface StaticHandler {
  dataRoutes: AgnosticRouteObject[];
  query(request: Request, options?: unknown): Promise<unknown>;
  queryRoute(request: Request, options?: unknown): Promise<unknown>;
}
type CreateStaticHandler = (routes: AgnosticRouteObject[], options?: { basename?: string }) => StaticHandler;

/** Branches (a matched chain of route ids) a static handler keeps a handler for; there are about as many as routes. */
export const MAX_BRANCHES = 1000;

/**
 * Remix answers a page through the router's static handler, whose `query` matches the URL against
 * the whole route tree with a matcher of its own (not the exported one remembered above): it
 * flattens and ranks ~150 routes and compiles their patterns for every page. Here the URL is matched
 * once by the remembered matcher, and the page is answered by a handler made (once) for just that
 * branch of the tree: the same chain of routes is the only one it can match, so the answer is the
 * same. A URL no route matches, and data requests (`queryRoute`), go to the whole tree's handler.
 */
export function branchingStaticHandlers(original: CreateStaticHandler, matchRoutes: MatchRoutes): CreateStaticHandler {
  return (routes, options) => {
    const whole = original(routes, options);
    const basename = options?.basename ?? "/";
    const branches = new Map<string, StaticHandler>();
    const query = (request: Request, queryOptions?: unknown) => {
      const matches = matchRoutes(routes, new URL(request.url).pathname, basename);
      if (!matches || matches.some((match) => typeof match.route.id !== "string")) return whole.query(request, queryOptions);
      const ids = matches.map((match) => match.route.id!);
      const key = ids.join("\u0000");
      let branch = branches.get(key);
      if (!branch) {
        const tree = branchOf(routes, ids);
        if (!tree || branches.size >= MAX_BRANCHES) return whole.query(request, queryOptions);
        branch = original(tree, options);
        branches.set(key, branch);
      }
      return branch.query(request, queryOptions);
    };
    return { ...whole, query };
  };
}

/** The chain of routes `ids` names, each with only the next as its child; null if the tree has no such chain. */
function branchOf(routes: AgnosticRouteObject[], ids: string[], depth = 0): AgnosticRouteObject[] | null {
  const route = routes.find((candidate) => candidate.id === ids[depth]);
  if (!route) return null;
  if (depth === ids.length - 1) return [{ ...route, children: undefined } as AgnosticRouteObject];
  const children = route.children ? branchOf(route.children, ids, depth + 1) : null;
  return children ? [{ ...route, children } as AgnosticRouteObject] : null;
}

function sameModules(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = Object.keys(b);
  if (Object.keys(a).length !== keys.length) return false;
  for (const key of keys) if (a[key] !== b[key]) return false;
  return true;
}

let installed = false;

/**
 * Replaces `@remix-run/router`'s exported `matchRoutes`, data-route copier and static handler
 * factory, and `@remix-run/react`'s server route builder (what Remix and React Router call
 * through), once per process.
 */
export function installRouteMatchCache(): void {
  if (installed) return;
  installed = true;
  const require = createRequire(import.meta.url);
  const router = require("@remix-run/router") as { matchRoutes: MatchRoutes; UNSAFE_convertRoutesToDataRoutes: ConvertRoutes; createStaticHandler: CreateStaticHandler };
  router.matchRoutes = rememberingMatchRoutes(router.matchRoutes);
  router.createStaticHandler = branchingStaticHandlers(router.createStaticHandler, router.matchRoutes);
  router.UNSAFE_convertRoutesToDataRoutes = rememberingDataRoutes(router.UNSAFE_convertRoutesToDataRoutes);
  const remixRoutes = require("@remix-run/react/dist/routes.js") as { createServerRoutes: CreateServerRoutes };
  remixRoutes.createServerRoutes = rememberingServerRoutes(remixRoutes.createServerRoutes);
}
