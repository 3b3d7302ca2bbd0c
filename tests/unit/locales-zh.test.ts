// Chinese that reads native: the glossary's words, the polite register and full-width punctuation
// in every Chinese string, outside code (`backticks`, {{placeholders}}, URLs, <tags>).
import { describe, expect, it } from "vitest";
import { zh } from "~/locales";
import { zhGlossary } from "~/locales/glossary";
import { buildSnippets } from "~/domain/snippets";
import { providerProfiles } from "~/providers";

function leaves(value: unknown, prefix = ""): Array<[string, string]> {
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return typeof child === "string" ? [[path, child] as [string, string]] : leaves(child, path);
  });
}

const CJK = /[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]/;

/** The prose of a string: code spans, placeholders, URLs, tags and e-mail addresses removed. */
export function prose(text: string): string {
  return text
    .replace(/`[^`]*`/g, " ")
    .replace(/\]\([^)\s]*\)/g, "]")
    .replace(/\{\{[^}]*\}\}/g, " ")
    .replace(/\$t\([^)]*\)/g, " ")
    .replace(/https?:\/\/\S+/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/\S+@\S+\.\S+/g, " ")
    .replace(/“[^”\u3400-\u9fff]*”/g, " ");
}

/** ASCII ( ) ; , in Chinese prose; a comma between digits (1,000) is a number, not punctuation. */
export function asciiPunctuation(text: string): string[] {
  if (!CJK.test(text)) return [];
  const found: string[] = [];
  const body = prose(text);
  for (const match of body.matchAll(/[(),;]/g)) {
    const index = match.index ?? 0;
    if (match[0] === "," && /\d/.test(body[index - 1] ?? "") && /\d/.test(body[index + 1] ?? "")) continue;
    found.push(`${match[0]} in “…${body.slice(Math.max(0, index - 12), index + 12)}…”`);
  }
  return found;
}

const chinese = leaves(zh);

describe("Chinese strings", () => {
  it("write Chinese punctuation in Chinese sentences", () => {
    const problems = chinese.flatMap(([key, text]) => asciiPunctuation(text).map((p) => `${key}: ${p}`));
    expect(problems).toEqual([]);
  });

  it("use the glossary's words and never an avoided form", () => {
    const problems: string[] = [];
    for (const [key, text] of chinese) {
      if (!CJK.test(text)) continue;
      const body = prose(text);
      for (const entry of zhGlossary) {
        for (const avoided of entry.avoid) {
          const hit = typeof avoided === "string" ? body.includes(avoided) : avoided.test(body);
          if (hit) problems.push(`${key}: “${String(avoided)}” — write “${entry.zh}” (${entry.en})`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("the checker itself flags ASCII punctuation and spares code and numbers", () => {
    expect(asciiPunctuation("请先确认邮箱(必填)")).toHaveLength(2);
    expect(asciiPunctuation("余额;稍后")).toHaveLength(1);
    expect(asciiPunctuation("余额为 1,000,000 Tokens")).toEqual([]);
    expect(asciiPunctuation("运行 `f(a, b);` 即可")).toEqual([]);
    expect(asciiPunctuation("Only English (here), fine")).toEqual([]);
    expect(asciiPunctuation("例如“Jun 1 – Jun 30, 2024”。")).toEqual([]);
    expect(asciiPunctuation("请阅读[隐私声明](/privacy)。")).toEqual([]);
  });

  it("snippets carry Chinese comments for Chinese readers and keep the code itself", () => {
    for (const provider of Object.values(providerProfiles)) {
      const english = buildSnippets({ provider, apiKey: null, locale: "en" });
      const chineseSnippets = buildSnippets({ provider, apiKey: null, locale: "zh" });
      const comments = (code: string) => code.split("\n").filter((line) => /^\s*(#|\/\/)|\s(#|\/\/) /.test(line));
      for (const [index, snippet] of chineseSnippets.entries()) {
        const commentLines = comments(snippet.code).filter((line) => !/(pip|npm) install/.test(line));
        for (const line of commentLines) expect(line, `${provider.id} ${snippet.id}`).toMatch(CJK);
        const strip = (code: string) => code.split("\n").map((line) => line.replace(/\s*(#|\/\/) .*$/, "")).join("\n");
        expect(strip(snippet.code)).toBe(strip(english[index]!.code));
      }
    }
  });
});
