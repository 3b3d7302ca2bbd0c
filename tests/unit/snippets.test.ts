// Every snippet is real code: compiled with python3, node and bash -n (one process per language
// for the whole file, see syntax-check.ts), so the suite does not depend on an idle machine.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateApiKey } from "~/domain/api-keys.server";
import { gatewayExamples } from "~/domain/gateway-examples";
import { API_KEY_PLACEHOLDER, buildSnippets, type Snippet } from "~/domain/snippets";
import { providerProfiles } from "~/providers";
import { checkSyntax, type CheckedLanguage, type SyntaxFailure } from "./syntax-check";

const dir = mkdtempSync(join(tmpdir(), "ferry-snippets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type WrittenSnippet = { label: string; language: CheckedLanguage; path: string; code: string };
const written: WrittenSnippet[] = [];
const builtSnippets = new Map<string, { key: string | null; snippets: Snippet[] }>();

function write(label: string, language: CheckedLanguage, fileName: string, code: string) {
  const path = join(dir, `${written.length}-${fileName}`);
  writeFileSync(path, code);
  written.push({ label, language, path, code });
}

for (const profile of Object.values(providerProfiles)) {
  for (const withKey of [true, false]) {
    const key = withKey ? generateApiKey(profile.keyPrefix) : null;
    const snippets = buildSnippets({ provider: profile, apiKey: key });
    builtSnippets.set(`${profile.id}-${withKey}`, { key, snippets });
    for (const snippet of snippets) write(`${profile.id}-${withKey}:${snippet.id}`, snippet.language, snippet.fileName, snippet.code);
  }
}
const PROXY_URL = "https://api.ferry.example/v1";
for (const profile of Object.values(providerProfiles)) {
  const through = buildSnippets({ provider: profile, apiKey: generateApiKey(profile.keyPrefix), proxyBaseUrl: PROXY_URL }).filter((snippet) => snippet.id.endsWith("ThroughFerry"));
  for (const snippet of through) write(`${profile.id}-proxy:${snippet.id}`, snippet.language, snippet.fileName, snippet.code);
}
const examples = gatewayExamples({ ferryUrl: "https://ferry.example/", keyPrefix: "glmsk", exampleModel: "gpt-4o-mini", providerModel: "glm-4-air" });
for (const example of examples) {
  if (example.language !== "json") write(`gateway:${example.id}`, example.language, example.fileName, example.code);
}

let failures: SyntaxFailure[] = [];
beforeAll(() => {
  failures = checkSyntax(written);
}, 120_000);

function failuresOf(labelPrefix: string) {
  return written
    .filter((entry) => entry.label.startsWith(labelPrefix))
    .flatMap((entry) => failures.filter((failure) => failure.file === entry.path).map((failure) => `${entry.label}: ${failure.message}\n${entry.code}`));
}

describe("the syntax checker", () => {
  it("catches a broken file in each language", () => {
    const broken: Array<{ language: CheckedLanguage; path: string }> = [
      { language: "python", path: join(dir, "broken.py") },
      { language: "javascript", path: join(dir, "broken.mjs") },
      { language: "bash", path: join(dir, "broken.sh") },
    ];
    writeFileSync(broken[0]!.path, "def f(:\n  pass\n");
    writeFileSync(broken[1]!.path, 'import x from "y";\nconst a = ;\n');
    writeFileSync(broken[2]!.path, "if true; then\n  echo missing fi\n");
    expect(checkSyntax(broken).map((failure) => failure.file).sort()).toEqual(broken.map((file) => file.path).sort());
  }, 60_000);
});

describe("config snippets", () => {
  for (const profile of Object.values(providerProfiles)) {
    for (const withKey of [true, false]) {
      it(`compile for ${profile.id} ${withKey ? "with a real key" : "with the placeholder"}`, () => {
        const { key, snippets } = builtSnippets.get(`${profile.id}-${withKey}`)!;
        expect(snippets.map((snippet) => snippet.id)).toEqual(["python", "node", "curl", "langchain", "langchainJs", "env", "modelMapPython", "modelMapNode"]);
        expect(failuresOf(`${profile.id}-${withKey}:`)).toEqual([]);
        for (const snippet of snippets) {
          if (!snippet.id.startsWith("modelMap")) expect(snippet.code, snippet.id).toContain(key ?? API_KEY_PLACEHOLDER);
        }
      });
    }
  }

  it("points each SDK at the provider with the option it understands", () => {
    const profile = providerProfiles.qwen;
    const byId = Object.fromEntries(buildSnippets({ provider: profile, apiKey: null }).map((snippet) => [snippet.id, snippet.code]));
    const base = profile.apiBaseUrl.replace(/\/+$/, "");
    expect(byId.python).toContain(`base_url="${base}"`);
    expect(byId.node).toContain(`baseURL: "${base}"`);
    expect(byId.langchain).toContain("ChatOpenAI(");
    expect(byId.langchain).toContain(`base_url="${base}"`);
    expect(byId.curl).toContain(`${base}/chat/completions`);
    expect(byId.env).toContain(`export OPENAI_BASE_URL="${base}"`);
    expect(byId.env).toContain(`export OPENAI_API_KEY="${API_KEY_PLACEHOLDER}"`);
    expect(byId.python).toContain('model="qwen-plus"');
    for (const pair of profile.modelMap) expect(byId.modelMapPython).toContain(`"${pair.openai}": "${pair.provider}"`);
  });

  it("adds the through-Ferry variants with the proxy's URL and OpenAI's model names when the proxy runs", () => {
    const profile = providerProfiles.glm;
    const snippets = buildSnippets({ provider: profile, apiKey: null, proxyBaseUrl: `${PROXY_URL}/` });
    expect(snippets.map((snippet) => snippet.id)).toEqual(["python", "node", "curl", "langchain", "langchainJs", "env", "pythonThroughFerry", "nodeThroughFerry", "langchainJsThroughFerry", "modelMapPython", "modelMapNode"]);
    const byId = Object.fromEntries(snippets.map((snippet) => [snippet.id, snippet.code]));
    expect(byId.nodeThroughFerry).toContain(`baseURL: "${PROXY_URL}"`);
    expect(byId.nodeThroughFerry).toContain('model: "gpt-4o-mini"');
    expect(byId.pythonThroughFerry).toContain(`base_url="${PROXY_URL}"`);
    expect(byId.langchainJs).toContain(`configuration: { baseURL: "${profile.apiBaseUrl.replace(/\/+$/, "")}" }`);
    expect(byId.langchainJsThroughFerry).toContain(`configuration: { baseURL: "${PROXY_URL}" }`);
    expect(byId.langchainJsThroughFerry).toContain('model: "gpt-4o-mini"');
    expect(failuresOf("glm-proxy:")).toEqual([]);
    expect(failuresOf("qwen-proxy:")).toEqual([]);
  });

  it("runs the env snippet in bash and exports both variables", () => {
    const snippet = buildSnippets({ provider: providerProfiles.glm, apiKey: "glmsk_example" }).find((entry) => entry.id === "env")!;
    const out = execFileSync("bash", ["-c", `${snippet.code}\nprintf '%s|%s' "$OPENAI_BASE_URL" "$OPENAI_API_KEY"`]).toString();
    expect(out).toBe("https://open.bigmodel.cn/api/paas/v4|glmsk_example");
  });
});

describe("gateway docs examples", () => {
  it("are valid bash, JSON and JavaScript", () => {
    expect(examples.map((example) => example.language).sort()).toEqual(["bash", "bash", "javascript", "json", "json"]);
    for (const example of examples) if (example.language === "json") expect(() => JSON.parse(example.code), example.code).not.toThrow();
    expect(failuresOf("gateway:")).toEqual([]);
  });
});
