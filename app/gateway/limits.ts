// Field limits of the gateway API, shared by the server's zod schemas and the OpenAPI document so
// that the two cannot disagree.
export const GATEWAY_LIMITS = { modelLength: 100, keyIdLength: 100, requestIdLength: 150, apiKeyLength: 200, maxTokens: 100_000_000 } as const;
