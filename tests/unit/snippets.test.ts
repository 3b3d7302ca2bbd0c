// Every snippet is real code: compiled with python3, node --check and bash -n.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateApiKey } from "~/domain/api-keys.server";
import { API_KEY_PLACEHOLDER, buildSnippets } from "~/domain/snippets";
import { providerProfiles } from "~/providers";

const dir = mkdtempSync(join(tmpdir(), "ferry-snippets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function check(language: string, file: string) {
  if (language === "python") execFileSync("python3", ["-m", "py_compile", file], { stdio: "pipe" });
  else if (language === "javascript") execFileSync(process.execPath, ["--check", file], { stdio: "pipe" });
  else execFileSync("bash", ["-n", file], { stdio: "pipe" });
}

describe("config snippets", () => {
  for (const profile of Object.values(providerProfiles)) {
    for (const withKey of [true, false]) {
      it(`compile for ${profile.id} ${withKey ? "with a real key" : "with the placeholder"}`, () => {
        const key = withKey ? generateApiKey(profile.keyPrefix) : null;
        const snippets = buildSnippets({ provider: profile, apiKey: key });
        expect(snippets.map((snippet) => snippet.id)).toEqual(["python", "node", "curl", "langchain", "env", "modelMapPython", "modelMapNode"]);
        for (const snippet of snippets) {
          const file = join(dir, `${profile.id}-${withKey}-${snippet.fileName}`);
          writeFileSync(file, snippet.code);
          expect(() => check(snippet.language, file), `${snippet.id}:\n${snippet.code}`).not.toThrow();
          if (!snippet.id.startsWith("modelMap")) expect(snippet.code).toContain(key ?? API_KEY_PLACEHOLDER);
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

  it("runs the env snippet in bash and exports both variables", () => {
    const snippet = buildSnippets({ provider: providerProfiles.glm, apiKey: "glmsk_example" }).find((entry) => entry.id === "env")!;
    const out = execFileSync("bash", ["-c", `${snippet.code}\nprintf '%s|%s' "$OPENAI_BASE_URL" "$OPENAI_API_KEY"`]).toString();
    expect(out).toBe("https://open.bigmodel.cn/api/paas/v4|glmsk_example");
  });
});

describe("gateway docs examples", () => {
  it("are valid bash, JSON and JavaScript", async () => {
    const { gatewayExamples } = await import("~/domain/gateway-examples");
    for (const example of gatewayExamples({ ferryUrl: "https://ferry.example/", keyPrefix: "glmsk", exampleModel: "gpt-4o-mini", providerModel: "glm-4-air" })) {
      const file = join(dir, example.fileName);
      writeFileSync(file, example.code);
      if (example.language === "json") expect(() => JSON.parse(example.code)).not.toThrow();
      else expect(() => check(example.language, file), example.code).not.toThrow();
    }
  });
});
