// Which translation namespaces a route's code names: string literals that are keys of the dictionary
// ("auth.logIn.title", or a branch such as "auth.logIn") or start a template (`errors.${code}`), in
// the route file and the shared modules it imports from app/. `*.server.ts` modules are skipped:
// their strings are SQL ("sessions.user_id") and e-mails; keys they hand to pages are checked by
// the pages' tests (a missing namespace shows the raw key).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

const APP = resolve(process.cwd(), "app");

function resolveImport(from: string, specifier: string): string | null {
  const base = specifier.startsWith("~/") ? join(APP, specifier.slice(2)) : specifier.startsWith(".") ? resolve(dirname(from), specifier) : null;
  if (!base) return null;
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, "index.ts"), join(base, "index.tsx")]) {
    if (existsSync(candidate) && !candidate.endsWith("/") && /\.(ts|tsx)$/.test(candidate)) return candidate;
  }
  return null;
}

/** The shared app/ files `file` reaches through static imports (not through `*.server.ts` modules, nor locales). */
export function importClosure(file: string): string[] {
  const seen = new Set<string>();
  const queue = [resolve(file)];
  while (queue.length > 0) {
    const current = queue.pop()!;
    if (seen.has(current) || current.includes(`${APP}/locales/`)) continue;
    if (seen.size > 0 && current.endsWith(".server.ts")) continue;
    seen.add(current);
    const source = readFileSync(current, "utf8");
    for (const match of source.matchAll(/(?:import|export)\s[^;]*?from\s+"([^"]+)"/g)) {
      const target = resolveImport(current, match[1]!);
      if (target) queue.push(target);
    }
  }
  return [...seen];
}

/** Namespaces named in `file`'s import closure; `isKey` says whether a dotted path is a key or branch. */
export function namespacesUsedBy(file: string, namespaces: readonly string[], isKey: (path: string) => boolean): Set<string> {
  const literal = new RegExp(`"((?:${namespaces.join("|")})\\.[a-zA-Z0-9_.]+)"`, "g");
  const template = new RegExp(`\`(${namespaces.join("|")})\\.[a-zA-Z0-9_.]*\\$\\{`, "g");
  const used = new Set<string>();
  for (const path of importClosure(file)) {
    const source = readFileSync(path, "utf8");
    for (const match of source.matchAll(literal)) if (isKey(match[1]!)) used.add(match[1]!.split(".")[0]!);
    for (const match of source.matchAll(template)) used.add(match[1]!);
  }
  return used;
}
