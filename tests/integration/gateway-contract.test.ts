// The gateway's OpenAPI document and its server agree: requests generated from the document's
// schemas (every boundary it allows, and one step past each) get an answer the document lists,
// and no request it allows is refused as invalid. Every status the shell can answer is listed.
import type { AddressInfo } from "node:net";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "~/domain/api-keys.server";
import { creditAccount } from "~/domain/ledger.server";
import { createGatewayHandler } from "~/gateway/router.server";
import { getDb, type DbExecutor } from "~/lib/db.server";
import { providerProfiles } from "~/providers";
import { createUser } from "./helpers";

const TOKEN = "contract-test-token-0123456789abcdef";
const provider = providerProfiles.glm;
let server: Server;
let baseUrl: string;
let spec: any;
let validKey: string;

function listen(db: DbExecutor): Promise<{ server: Server; url: string }> {
  const listening = createServer(createGatewayHandler({ db, provider, tokens: [TOKEN] }));
  return new Promise((resolve) => listening.listen(0, "127.0.0.1", () => resolve({ server: listening, url: `http://127.0.0.1:${(listening.address() as AddressInfo).port}` })));
}

beforeAll(async () => {
  ({ server, url: baseUrl } = await listen(getDb()));
  spec = await (await fetch(`${baseUrl}/api/gateway/openapi.json`)).json();
  const user = await createUser();
  const created = await createApiKey(getDb(), { accountId: user.id, name: "contract", prefix: provider.keyPrefix });
  if (!created.ok) throw new Error(created.reason);
  validKey = created.key;
  await creditAccount(getDb(), { accountId: user.id, kind: "purchase", bucket: "paid", tokens: 1_000_000_000, idempotencyKey: `contract:${user.id}`, referenceType: "test", referenceId: user.id });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

type Schema = { type?: string | string[]; format?: string; minLength?: number; maxLength?: number; minimum?: number; maximum?: number; pattern?: string; properties?: Record<string, Schema>; required?: string[]; anyOf?: Array<{ required: string[] }>; additionalProperties?: boolean };

let counter = 0;
/** A string of `length` characters, different on every call (request ids must not collide). */
function text(length: number): string {
  const stamp = `${(counter += 1).toString(36)}-`;
  return (stamp + "x".repeat(Math.max(0, length))).slice(0, length).padEnd(length, "x");
}

/** Values the schema allows at its edges; where it sets no limit, extreme ones (what it promises). */
function allowedValues(schema: Schema): unknown[] {
  if (schema.pattern) return [validKey];
  if (schema.format === "ip") return ["203.0.113.9", "2001:db8::1"];
  if (schema.type === "string") {
    const min = schema.minLength ?? 0;
    const max = schema.maxLength ?? 1_000;
    return [...new Set([min, Math.max(min, 1), max])].map(text);
  }
  if (schema.type === "integer") return [schema.minimum ?? Number.MIN_SAFE_INTEGER, schema.maximum ?? Number.MAX_SAFE_INTEGER];
  throw new Error(`no generator for ${JSON.stringify(schema)}`);
}

/** Values one step outside the schema. */
function refusedValues(schema: Schema): unknown[] {
  if (schema.format === "ip") return [42, "", "not-an-address", "203.0.113.999"];
  if (schema.type === "string") {
    return [42, ...(schema.minLength ? [text(schema.minLength - 1)] : []), ...(schema.maxLength !== undefined ? [text(schema.maxLength + 1)] : [])];
  }
  if (schema.type === "integer") return ["7", 1.5, ...(schema.minimum !== undefined ? [schema.minimum - 1] : []), ...(schema.maximum !== undefined ? [schema.maximum + 1] : [])];
  return [];
}

function baseBodies(schema: Schema): Array<Record<string, unknown>> {
  const alternatives = schema.anyOf?.map((branch) => branch.required) ?? [[]];
  return alternatives.map((extra) => {
    const body: Record<string, unknown> = {};
    for (const name of [...(schema.required ?? []), ...extra]) body[name] = allowedValues(schema.properties![name]!)[0];
    return body;
  });
}

function allowedBodies(schema: Schema): Array<Record<string, unknown>> {
  const bodies = baseBodies(schema);
  for (const base of baseBodies(schema)) {
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      for (const value of allowedValues(property)) bodies.push({ ...base, [name]: value });
    }
  }
  return bodies;
}

function refusedBodies(schema: Schema): Array<Record<string, unknown>> {
  const [base] = baseBodies(schema);
  const bodies: Array<Record<string, unknown>> = [{ ...base, unexpected_field: 1 }];
  for (const name of schema.required ?? []) {
    const { [name]: _missing, ...rest } = base!;
    bodies.push(rest);
  }
  if (schema.anyOf) {
    const { key_id: _k, api_key: _a, ...neither } = base!;
    bodies.push(neither);
  }
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (property.pattern) continue; // a key of the wrong shape is a documented 401, tested elsewhere
    for (const value of refusedValues(property)) bodies.push({ ...base, [name]: value });
  }
  return bodies;
}

async function post(path: string, body: unknown, contentType = "application/json") {
  const response = await fetch(`${baseUrl}${path}`, { method: "POST", headers: { "Content-Type": contentType, Authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as any };
}

function resolve(ref: string): any {
  return ref.replace(/^#\//, "").split("/").reduce((node: any, part) => node[part], spec);
}

/** The answer is one the document lists for this operation, with a body of the listed shape. */
function expectDocumented(operation: any, outcome: { status: number; body: any }, label: string) {
  const listed = operation.responses[String(outcome.status)];
  expect(listed, `${label}: status ${outcome.status} (${JSON.stringify(outcome.body).slice(0, 200)}) is not in the document`).toBeDefined();
  const schema = resolve(listed.content["application/json"].schema.$ref);
  for (const field of schema.required ?? []) expect(outcome.body, `${label}: ${field}`).toHaveProperty(field);
  if (outcome.status >= 400) expect(schema.properties.error.properties.code.enum, label).toContain(outcome.body.error.code);
}

describe("requests generated from the OpenAPI document", () => {
  for (const path of ["/api/gateway/authorize", "/api/gateway/usage"]) {
    it(`${path}: every request the schema allows is answered, never refused as invalid`, async () => {
      const operation = spec.paths[path].post;
      const schema: Schema = operation.requestBody.content["application/json"].schema;
      const bodies = allowedBodies(schema);
      expect(bodies.length).toBeGreaterThan(3);
      for (const body of bodies) {
        const outcome = await post(path, body);
        const label = `${path} ${JSON.stringify(body).slice(0, 300)}`;
        expect(outcome.status, `${label} → ${JSON.stringify(outcome.body)}`).not.toBe(400);
        expectDocumented(operation, outcome, label);
      }
    });

    it(`${path}: a step outside the schema is a documented 400`, async () => {
      const operation = spec.paths[path].post;
      const schema: Schema = operation.requestBody.content["application/json"].schema;
      for (const body of refusedBodies(schema)) {
        const outcome = await post(path, body);
        const label = `${path} ${JSON.stringify(body).slice(0, 300)}`;
        expect(outcome.status, label).toBe(400);
        expectDocumented(operation, outcome, label);
      }
    });
  }

  it("media types are compared without regard to case or parameters", async () => {
    for (const type of ["application/json; charset=utf-8", "Application/JSON", "application/json;charset=UTF-8"]) {
      expect((await post("/api/gateway/authorize", { api_key: validKey }, type)).status, type).toBe(200);
    }
    const outcome = await post("/api/gateway/authorize", { api_key: validKey }, "text/plain");
    expect(outcome.status).toBe(415);
  });
});

describe("statuses the HTTP shell answers are in the document", () => {
  it("404, 405, 413, 415 and 500 internal_error", async () => {
    const errorCodes = spec.components.schemas.Error.properties.error.properties.code.enum;
    for (const path of ["/api/gateway/authorize", "/api/gateway/usage"]) {
      const responses = spec.paths[path].post.responses;
      for (const status of ["400", "401", "405", "413", "415", "500", "503"]) expect(responses[status], `${path} ${status}`).toBeDefined();
    }
    expect(spec.paths["/api/gateway/authorize"].post.responses["404"].description).toContain("model_not_found");
    expect(spec.paths["/api/gateway/usage"].post.responses["409"].description).toContain("request_id_taken");

    const notFound = await fetch(`${baseUrl}/api/gateway/nothing`, { method: "POST" });
    expect(errorCodes).toContain(((await notFound.json()) as any).error.code);
    const wrongMethod = await fetch(`${baseUrl}/api/gateway/usage`, { method: "GET" });
    expect(wrongMethod.status).toBe(405);
    expect(errorCodes).toContain(((await wrongMethod.json()) as any).error.code);
    const tooLarge = await post("/api/gateway/usage", { request_id: "x".repeat(9_000) });
    expect(tooLarge.status).toBe(413);

    // A database layer that fails with a bug (not a lock or an outage): 500 internal_error.
    const broken = new Proxy({}, { get: () => { throw new TypeError("broken on purpose"); } }) as unknown as DbExecutor;
    const failing = await listen(broken);
    try {
      const response = await fetch(`${failing.url}/api/gateway/authorize`, { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ api_key: validKey }) });
      expect(response.status).toBe(500);
      const body = (await response.json()) as any;
      expect(body.error.code).toBe("internal_error");
      expect(errorCodes).toContain("internal_error");
    } finally {
      failing.server.close();
    }
  });
});
