// Both languages carry the same keys, and every key the code names exists.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { en, zh } from "~/locales";

function leaves(value: unknown, prefix = ""): Map<string, string> {
  const found = new Map<string, string>();
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof child === "string") found.set(path, child);
    else for (const [p, v] of leaves(child, path)) found.set(p, v);
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "locales" ? [] : sourceFiles(path);
    return /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}

const english = leaves(en);
const chinese = leaves(zh);

describe("translations", () => {
  it("have the same keys in English and Chinese, none empty", () => {
    expect([...chinese.keys()].sort()).toEqual([...english.keys()].sort());
    for (const [key, text] of [...english, ...chinese]) expect(text.trim(), key).not.toBe("");
  });

  it("use the same {{placeholders}} in both languages", () => {
    for (const [key, text] of english) {
      const names = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
      expect(names(chinese.get(key) ?? ""), key).toEqual(names(text));
    }
  });

  it("define every literal key used in the code", () => {
    const missing: string[] = [];
    for (const file of sourceFiles(join(process.cwd(), "app"))) {
      const source = readFileSync(file, "utf8");
      for (const match of source.matchAll(/\bt\(\s*"([a-zA-Z0-9_.]+)"/g)) {
        const key = match[1]!;
        const isBranch = [...english.keys()].some((k) => k.startsWith(`${key}.`));
        if (!english.has(key) && !isBranch) missing.push(`${file}: ${key}`);
      }
      for (const match of source.matchAll(/"(errors\.[a-zA-Z0-9_]+)"/g)) {
        if (!english.has(match[1]!)) missing.push(`${file}: ${match[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
