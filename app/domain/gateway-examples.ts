// Example calls for the gateway docs page. Pure, so a test can check that each one is valid code.
export interface GatewayExample {
  id: "authorizeCurl" | "authorizeResponse" | "usageCurl" | "usageResponse" | "middleware";
  language: "bash" | "json" | "javascript";
  fileName: string;
  code: string;
}

export function gatewayExamples(input: { ferryUrl: string; keyPrefix: string; exampleModel: string; providerModel: string }): GatewayExample[] {
  const base = input.ferryUrl.replace(/\/+$/, "");
  const key = `${input.keyPrefix}_…`;
  const authorizeCurl = [
    `curl -X POST ${base}/api/gateway/authorize \\`,
    '  -H "Authorization: Bearer $FERRY_GATEWAY_TOKEN" \\',
    '  -H "Content-Type: application/json" \\',
    `  -d '{"api_key": "${key}", "model": "${input.exampleModel}"}'`,
  ].join("\n");
  const authorizeResponse = JSON.stringify(
    { account_id: "usr_…", key_id: "key_…", remaining_tokens: 4_999_200, key_expires_at: null, provider_model: input.providerModel },
    null,
    2,
  );
  const usageCurl = [
    `curl -X POST ${base}/api/gateway/usage \\`,
    '  -H "Authorization: Bearer $FERRY_GATEWAY_TOKEN" \\',
    '  -H "Content-Type: application/json" \\',
    "  -d '{",
    '    "request_id": "chatcmpl-123",',
    '    "key_id": "key_…",',
    `    "model": "${input.providerModel}",`,
    '    "input_tokens": 512,',
    '    "output_tokens": 288',
    "  }'",
  ].join("\n");
  const usageResponse = JSON.stringify(
    { request_id: "chatcmpl-123", account_id: "usr_…", key_id: "key_…", model: input.providerModel, tokens: 800, debited_tokens: 800, shortfall_tokens: 0, remaining_tokens: 4_998_400, duplicate: false },
    null,
    2,
  );
  const middleware = [
    "// A gateway in front of the model servers (Node 18+, no dependencies).",
    `const FERRY_URL = process.env.FERRY_URL ?? ${JSON.stringify(base)};`,
    "const ferryHeaders = {",
    "  Authorization: `Bearer ${process.env.FERRY_GATEWAY_TOKEN}`,",
    '  "Content-Type": "application/json",',
    "};",
    "",
    "async function ferry(path, body) {",
    "  const response = await fetch(`${FERRY_URL}/api/gateway/${path}`, { method: \"POST\", headers: ferryHeaders, body: JSON.stringify(body) });",
    "  return { status: response.status, body: await response.json() };",
    "}",
    "",
    "// `request` is the developer's OpenAI-style request; `callModel` forwards it to the provider.",
    "export async function handleChatCompletion(request, callModel) {",
    '  const apiKey = (request.headers.authorization ?? "").replace(/^Bearer /, "");',
    '  const auth = await ferry("authorize", { api_key: apiKey, model: request.body.model });',
    "  if (auth.status !== 200) {",
    "    // 401 bad key, 402 no credit, 403 disabled account: pass the code on to the developer.",
    "    return { status: auth.status, body: { error: { code: auth.body.error.code, message: auth.body.error.message } } };",
    "  }",
    "  const completion = await callModel({ ...request.body, model: auth.body.provider_model ?? request.body.model });",
    "  // Report once per request; retrying with the same request_id never double-charges.",
    '  await ferry("usage", {',
    "    request_id: completion.id,",
    "    key_id: auth.body.key_id,",
    "    model: completion.model,",
    "    input_tokens: completion.usage.prompt_tokens,",
    "    output_tokens: completion.usage.completion_tokens,",
    "  });",
    "  return { status: 200, body: completion };",
    "}",
  ].join("\n");
  return [
    { id: "authorizeCurl", language: "bash", fileName: "authorize.sh", code: authorizeCurl },
    { id: "authorizeResponse", language: "json", fileName: "authorize.json", code: authorizeResponse },
    { id: "usageCurl", language: "bash", fileName: "usage.sh", code: usageCurl },
    { id: "usageResponse", language: "json", fileName: "usage.json", code: usageResponse },
    { id: "middleware", language: "javascript", fileName: "gateway.mjs", code: middleware },
  ];
}
