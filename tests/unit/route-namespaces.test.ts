// Every route declares the translation namespaces its screens use (app/locales/namespaces.ts): a
// page ships only those, so an undeclared one would show raw keys. This names what to add where.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { flatRoutes } from "@remix-run/dev/dist/config/flat-routes.js";
import { describe, expect, it } from "vitest";
import { en } from "~/locales";
import { ALWAYS_LOADED, pageNamespaces } from "~/locales/namespaces";
import { namespacesUsedBy } from "./namespace-usage";

const APP = resolve(process.cwd(), "app");

function keysAndBranches(value: unknown, prefix = ""): string[] {
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => {
    const path = `${prefix}${key}`;
    return typeof child === "string" ? [path] : [path, ...keysAndBranches(child, `${path}.`)];
  });
}
const known = new Set(keysAndBranches(en));
const namespaces = Object.keys(en);

/** The `i18n: [...]` a route file declares in its handle. */
function declared(file: string): string[] {
  const list = readFileSync(join(APP, file), "utf8").match(/export const handle[^=]*=\s*\{[^}]*\bi18n:\s*\[([^\]]*)\]/);
  return list ? [...list[1]!.matchAll(/"(\w+)"/g)].map((match) => match[1]!) : [];
}

/** Resource routes (no component) answer JSON or files; their text is not a page's. */
function rendersPage(route: { file: string }): boolean {
  return /^export default /m.test(readFileSync(join(APP, route.file), "utf8"));
}

const routes = Object.values(flatRoutes(APP, ["**/.*", "**/*.test.*"]) as Record<string, { id: string; file: string; parentId?: string }>);
const byId = new Map(routes.map((route) => [route.id, route]));

describe("route translation namespaces", () => {
  it("cover every namespace a route's code names (its own, its parents' or always loaded)", () => {
    const missing: string[] = [];
    for (const route of routes.filter(rendersPage)) {
      const available = new Set<string>(ALWAYS_LOADED);
      for (let current: typeof route | undefined = route; current; current = current.parentId ? byId.get(current.parentId) : undefined) {
        for (const namespace of declared(current.file)) available.add(namespace);
      }
      const used = namespacesUsedBy(join(APP, route.file), namespaces, (key) => known.has(key));
      const lacking = [...used].filter((namespace) => !available.has(namespace));
      if (lacking.length > 0) missing.push(`app/${route.file}: add ${lacking.map((n) => `"${n}"`).join(", ")} to its handle's i18n`);
    }
    expect(missing).toEqual([]);
  });

  it("name only namespaces that exist", () => {
    for (const route of routes) for (const namespace of declared(route.file)) expect(namespaces, route.file).toContain(namespace);
  });

  it("make a page's set from its matches: always-loaded ones first, no repeats, sorted", () => {
    expect(pageNamespaces([{ handle: { i18n: ["auth"] } }, { handle: undefined }, { handle: { i18n: ["auth", "keys"] } }])).toEqual(["auth", "common", "errors", "keys"]);
  });
});
