// The remembered route matching answers exactly what React Router's own `matchRoutes` answers, on
// this app's real route tree, for the first and the repeated lookup of a path, and on a tree built
// afresh (as each render builds one): the same ids, params and path parts, on that tree's objects.
import { resolve } from "node:path";
import { flatRoutes } from "@remix-run/dev/dist/config/flat-routes.js";
import { matchRoutes, type AgnosticRouteObject } from "@remix-run/router";
import { describe, expect, it } from "vitest";
import { MAX_PATHS_PER_SHAPE, rememberingMatchRoutes } from "~/lib/route-match-cache.server";

interface ConfigRoute {
  id: string;
  parentId?: string;
  path?: string;
  index?: boolean;
  caseSensitive?: boolean;
}

const manifest = Object.values(flatRoutes(resolve(process.cwd(), "app"), ["**/.*", "**/*.test.*"]) as Record<string, ConfigRoute>);

/** A route tree as Remix builds one from its manifest (a new set of objects per call). */
function tree(parentId = "root"): AgnosticRouteObject[] {
  return manifest
    .filter((route) => route.parentId === parentId)
    .map((route) => {
      const children = tree(route.id);
      const base = { id: route.id, path: route.path, caseSensitive: route.caseSensitive };
      return (route.index ? { ...base, index: true } : { ...base, children }) as AgnosticRouteObject;
    });
}
const rootTree = (): AgnosticRouteObject[] => [{ id: "root", path: "", children: tree() }];

const PATHS = [
  "/",
  "/account",
  "/account/",
  "/account/keys",
  "/account/keys/key_123/limits",
  "/account/evidence/ev%20one",
  "/staff/claims",
  "/staff/claims/clm_42",
  "/login",
  "/LOGIN",
  "/no/such/page",
  "/build/whatever.js",
  "/docs/gateway",
];

const plain = (matches: ReturnType<typeof matchRoutes>) =>
  matches?.map((match) => ({ id: match.route.id, params: match.params, pathname: match.pathname, pathnameBase: match.pathnameBase })) ?? null;

describe("remembered route matching", () => {
  it("answers as matchRoutes does, first time, second time and on a rebuilt tree", () => {
    const remembering = rememberingMatchRoutes(matchRoutes);
    const first = rootTree();
    const rebuilt = rootTree();
    expect(manifest.length).toBeGreaterThan(40);
    for (const path of PATHS) {
      const expected = matchRoutes(first, path);
      const once = remembering(first, path);
      const twice = remembering(first, { pathname: path });
      const onRebuilt = remembering(rebuilt, path);
      expect(plain(once)).toEqual(plain(expected));
      expect(plain(twice)).toEqual(plain(expected));
      expect(plain(onRebuilt)).toEqual(plain(matchRoutes(rebuilt, path)));
      // The rebuilt tree's own route objects, not the first tree's.
      onRebuilt?.forEach((match, index) => expect(match.route).toBe(matchRoutes(rebuilt, path)![index]!.route));
    }
    expect(plain(remembering(first, "/staff/claims/clm_42"))!.at(-1)).toMatchObject({ id: "routes/staff.claims.$id", params: { id: "clm_42" } });
  });

  it("gives each caller its own params object", () => {
    const remembering = rememberingMatchRoutes(matchRoutes);
    const routes = rootTree();
    (remembering(routes, "/staff/claims/clm_1")!.at(-1)!.params as Record<string, string>).id = "changed";
    expect(remembering(routes, "/staff/claims/clm_1")!.at(-1)!.params.id).toBe("clm_1");
  });

  it("tells trees of another shape apart and leaves search strings to matchRoutes", () => {
    const remembering = rememberingMatchRoutes(matchRoutes);
    const a: AgnosticRouteObject[] = [{ id: "a", path: "/x/:id" }];
    const b: AgnosticRouteObject[] = [{ id: "a", path: "/y/:id" }];
    expect(plain(remembering(a, "/x/1"))).toEqual([{ id: "a", params: { id: "1" }, pathname: "/x/1", pathnameBase: "/x/1" }]);
    expect(remembering(b, "/x/1")).toBeNull();
    expect(plain(remembering(a, "/x/2?tab=keys"))).toEqual(plain(matchRoutes(a, "/x/2?tab=keys")));
  });

  it("stays bounded when visitors invent paths", () => {
    const remembering = rememberingMatchRoutes(matchRoutes);
    const routes: AgnosticRouteObject[] = [{ id: "any", path: "/p/:id" }];
    for (let i = 0; i < MAX_PATHS_PER_SHAPE + 10; i++) remembering(routes, `/p/${i}`);
    expect(plain(remembering(routes, "/p/7"))).toEqual(plain(matchRoutes(routes, "/p/7")));
  });
});

describe("rememberingServerRoutes", () => {
  it("builds the server route tree once per manifest while the modules are the same", async () => {
    const { rememberingServerRoutes } = await import("~/lib/route-match-cache.server");
    let builds = 0;
    const original = (_manifest: object, modules: Record<string, unknown>, _future: unknown, _spa: boolean, ...rest: unknown[]) => {
      builds++;
      return rest.length > 0 ? ["child"] : Object.keys(modules).map((id) => ({ id }));
    };
    const create = rememberingServerRoutes(original);
    const manifest = { root: { id: "root" } };
    const future = { v3_singleFetch: true };
    const rootModule = { default: () => null };
    const first = create(manifest, { root: rootModule }, future, false);
    expect(create(manifest, { root: rootModule }, future, false)).toBe(first); // a fresh modules object, same modules
    expect(builds).toBe(1);
    expect(create(manifest, { root: { default: () => null } }, future, false)).not.toBe(first); // a module replaced (development)
    expect(create(manifest, { root: rootModule, other: rootModule }, future, false)).not.toBe(first);
    expect(create({ ...manifest }, { root: rootModule }, future, false)).not.toBe(first); // another build
    expect(create(manifest, { root: rootModule }, { ...future }, false)).not.toBe(first);
    const spa = create(manifest, { root: rootModule }, future, true);
    expect(create(manifest, { root: rootModule }, future, true)).not.toBe(spa); // SPA mode is left alone
    expect(create(manifest, { root: rootModule }, future, false, "root")).toEqual(["child"]); // recursive calls pass through
  });
});

describe("rememberingDataRoutes", () => {
  it("copies a route tree once and fills each caller's manifest as the original does", async () => {
    const { rememberingDataRoutes } = await import("~/lib/route-match-cache.server");
    const { UNSAFE_convertRoutesToDataRoutes: original } = await import("@remix-run/router");
    let copies = 0;
    type Convert = Parameters<typeof rememberingDataRoutes>[0];
    const convert = rememberingDataRoutes(((...args: Parameters<typeof original>) => {
      copies++;
      return original(...args);
    }) as unknown as Convert);
    const routes = [{ id: "root", path: "", children: [{ id: "routes/account", path: "account", children: [{ id: "routes/account._index", index: true }] }] }];
    const mapRouteProperties = (route: object) => ({ hasErrorBoundary: "ErrorBoundary" in route });
    const expectedManifest: Record<string, unknown> = {};
    const expected = original(routes, mapRouteProperties, undefined, expectedManifest as never);
    const firstManifest: Record<string, unknown> = {};
    const first = convert(routes, mapRouteProperties, undefined, firstManifest);
    expect(first).toEqual(expected);
    expect(Object.keys(firstManifest).sort()).toEqual(Object.keys(expectedManifest).sort());
    const secondManifest: Record<string, unknown> = {};
    expect(convert(routes, mapRouteProperties, undefined, secondManifest)).toBe(first);
    expect(secondManifest).toEqual(firstManifest);
    expect(secondManifest["routes/account._index"]).toBe((first[0] as { children: Array<{ children: unknown[] }> }).children[0]!.children[0]);
    expect(copies).toBe(1);
    convert([...routes], mapRouteProperties, undefined, {}); // another tree
    convert(routes, () => ({}), undefined, {}); // other properties
    convert(routes, mapRouteProperties, undefined, { taken: {} }); // a manifest already in use
    expect(copies).toBe(4);
  });
});

describe("branchingStaticHandlers", () => {
  it("answers every page as the whole tree's handler does", async () => {
    const { branchingStaticHandlers, rememberingMatchRoutes: remembering } = await import("~/lib/route-match-cache.server");
    const { createStaticHandler } = await import("@remix-run/router");
    const loader = (id: string) => ({ params, request }: { params: Record<string, string | undefined>; request: Request }) => ({ id, params, url: request.url });
    const routes: AgnosticRouteObject[] = [
      {
        id: "root",
        path: "",
        loader: loader("root"),
        hasErrorBoundary: true,
        children: [
          { id: "index", index: true, loader: loader("index") },
          {
            id: "account",
            path: "account",
            loader: loader("account"),
            action: () => ({ acted: "account" }),
            children: [
              { id: "account.index", index: true, loader: loader("account.index"), action: () => ({ acted: "account.index" }) },
              { id: "account.keys", path: "keys", loader: loader("account.keys") },
              { id: "account.key", path: "keys/:keyId", loader: loader("account.key") },
              { id: "account.broken", path: "broken", loader: () => { throw new Error("broken"); } },
              { id: "account.moved", path: "moved", loader: () => { throw new Response(null, { status: 302, headers: { Location: "/account" } }); } },
            ],
          },
          { id: "pathless", children: [{ id: "help", path: "help", loader: loader("help") }] },
          { id: "staff.claims", path: "staff/claims", loader: loader("staff.claims") },
          { id: "staff.claim", path: "staff/claims/:id", loader: loader("staff.claim") },
          { id: "splat", path: "*", loader: loader("splat") },
        ],
      },
    ];
    const whole = createStaticHandler(routes);
    let handlersMade = 0;
    const counting = ((...args: Parameters<typeof createStaticHandler>) => {
      handlersMade++;
      return createStaticHandler(...args);
    }) as never;
    const branching = branchingStaticHandlers(counting, remembering(matchRoutes) as never)(routes);
    const summary = (answer: unknown) => {
      if (answer instanceof Response) return { status: answer.status, location: answer.headers.get("location") };
      const context = answer as { matches: Array<{ route: { id: string }; params: unknown; pathname: string }>; loaderData: unknown; actionData: unknown; errors: Record<string, unknown> | null; statusCode: number };
      return {
        matches: context.matches.map((match) => [match.route.id, match.params, match.pathname]),
        loaderData: context.loaderData,
        actionData: context.actionData,
        errors: context.errors && Object.fromEntries(Object.entries(context.errors).map(([id, error]) => [id, String(error)])),
        statusCode: context.statusCode,
      };
    };
    const requests = [
      ...["/", "/account", "/account/", "/account/keys", "/account/keys/k_1", "/account/broken", "/account/moved", "/help", "/staff/claims", "/staff/claims/c%201", "/nowhere/at/all", "/ACCOUNT"].map((path) => () => new Request(`http://localhost${path}`)),
      () => new Request("http://localhost/account?index", { method: "POST", body: new URLSearchParams({ a: "1" }) }),
      () => new Request("http://localhost/account", { method: "POST", body: new URLSearchParams({ a: "1" }) }),
      () => new Request("http://localhost/help", { method: "POST", body: new URLSearchParams({ a: "1" }) }),
    ];
    for (const request of requests) {
      for (let again = 0; again < 2; again++) {
        const [expected, actual] = await Promise.all([whole.query(request()), branching.query(request())]);
        expect(summary(actual), request().url).toEqual(summary(expected));
      }
    }
    expect(handlersMade).toBeGreaterThan(8); // the whole tree's, and one per branch asked for
  });
});
