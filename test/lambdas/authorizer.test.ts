/**
 * The Lambda handler end to end: the real API Gateway events (only token and route changed), keys
 * served by a real JWKS server on 127.0.0.1, every row of the CONTRACT.md decision table for the
 * three event kinds, JWKS outages, the answer's principal and context, and malformed events.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createLambdaHandler, type AuthorizerEvent, type AuthorizerResult } from "../../lambdas/authorizer.js";
import type { LogEntry } from "../../shared/index.js";
import { startJwksServer, type JwksServer } from "../support/jwks-server.js";
import { generateTestKey, jwksOf, mintToken, TEST_ISSUER, type TestKey } from "../support/keys.js";
import { FIXTURES_MISSING, requestV1Event, requestV2Event, tokenEvent } from "./fixtures.js";
import { evaluatePolicy, type Policy } from "./policy-evaluator.js";

type Kind = "REST TOKEN" | "REST REQUEST 1.0" | "HTTP API 2.0 simple" | "HTTP API 2.0 iam";
const KINDS: Kind[] = ["REST TOKEN", "REST REQUEST 1.0", "HTTP API 2.0 simple", "HTTP API 2.0 iam"];

const ROUTES = [
  { route: "GET /health", public: true },
  { route: "GET /orders/{id}", audience: "orders-api", scopes: ["orders:read"] },
  { route: "POST /orders", audience: "orders-api", scopes: ["orders:write"] },
];

/** Route key API Gateway would report for each request used below. */
const ROUTE_KEYS: Record<string, string> = { "/health": "GET /health", "/orders/42": "GET /orders/{id}", "/orders": "POST /orders" };

function event(kind: Kind, token: string | undefined, method: string, path: string): Record<string, any> {
  if (kind === "REST TOKEN") return tokenEvent(token, method, path);
  if (kind === "REST REQUEST 1.0") return requestV1Event(token, method, path);
  return requestV2Event(token, method, path, ROUTE_KEYS[path] ?? "$default");
}

type Outcome = "allow" | "deny" | "Unauthorized" | "error";

/** What API Gateway makes of the answer for the request itself. */
async function outcome(handler: (e: AuthorizerEvent) => Promise<AuthorizerResult>, e: Record<string, any>): Promise<Outcome> {
  let result: AuthorizerResult;
  try {
    result = await handler(e as AuthorizerEvent);
  } catch (error) {
    return (error as Error).message === "Unauthorized" ? "Unauthorized" : "error";
  }
  if ("isAuthorized" in result) return result.isAuthorized ? "allow" : "deny";
  return evaluatePolicy(result.policyDocument as Policy, (e.methodArn ?? e.routeArn) as string);
}

/** The contract's answer per kind: REST and IAM throw Unauthorized for 400/401, simple says false. */
function expected(kind: Kind, row: "allow" | "deny" | "unauthorized"): Outcome {
  if (row === "unauthorized") return kind === "HTTP API 2.0 simple" ? "deny" : "Unauthorized";
  return row;
}

describe.skipIf(FIXTURES_MISSING !== undefined)("Lambda handler over the real API Gateway events", () => {
  let server: JwksServer;
  let key: TestKey;
  let otherKey: TestKey;
  let config: string;
  const logs: LogEntry[] = [];
  const log = (_level: string, entry: LogEntry): void => void logs.push(entry);
  const handlers = new Map<Kind, (e: AuthorizerEvent) => Promise<AuthorizerResult>>();

  beforeAll(async () => {
    key = await generateTestKey("ES256");
    otherKey = await generateTestKey("ES256", key.kid);
    server = await startJwksServer({ jwks: jwksOf(key) });
    config = JSON.stringify({ issuers: [{ issuer: TEST_ISSUER, jwksUri: server.url, algorithms: ["ES256"] }], routes: ROUTES });
    for (const kind of KINDS) {
      handlers.set(kind, createLambdaHandler({ env: { AUTHORIZER_CONFIG: config, HTTP_API_RESPONSE: kind === "HTTP API 2.0 iam" ? "iam" : "simple" }, log }));
    }
  });
  afterAll(async () => server?.close());

  const rows: { name: string; row: "allow" | "deny" | "unauthorized"; method: string; path: string; token: () => Promise<string | undefined> }[] = [
    { name: "public route", row: "allow", method: "GET", path: "/health", token: async () => "not-a-jwt" },
    { name: "valid token, route satisfied", row: "allow", method: "GET", path: "/orders/42", token: () => mintToken(key) },
    { name: "another scheme (no Bearer token)", row: "unauthorized", method: "GET", path: "/orders/42", token: async () => undefined },
    { name: "Bearer with no token", row: "unauthorized", method: "GET", path: "/orders/42", token: async () => "" },
    { name: "invalid signature", row: "unauthorized", method: "GET", path: "/orders/42", token: () => mintToken(otherKey) },
    { name: "expired token", row: "unauthorized", method: "GET", path: "/orders/42", token: () => mintToken(key, { nowSeconds: Date.now() / 1000 - 7200 }) },
    { name: "wrong audience", row: "unauthorized", method: "GET", path: "/orders/42", token: () => mintToken(key, { claims: { aud: "billing-api" } }) },
    { name: "scope not met", row: "deny", method: "POST", path: "/orders", token: () => mintToken(key) },
    { name: "valid token, no route", row: "deny", method: "DELETE", path: "/orders/42", token: () => mintToken(key) },
  ];

  for (const kind of KINDS) {
    for (const r of rows) {
      it(`${kind}: ${r.name} -> ${expected(kind, r.row)}`, async () => {
        const token = await r.token();
        let e = event(kind, token, r.method, r.path);
        if (token === undefined) {
          // A client sending Basic credentials: the header is there, the scheme is not Bearer.
          if (kind === "REST TOKEN") e.authorizationToken = "Basic dXNlcjpwYXNz";
          else if (kind === "REST REQUEST 1.0") e = { ...e, headers: { ...e.headers, Authorization: "Basic dXNlcjpwYXNz" }, multiValueHeaders: { ...e.multiValueHeaders, Authorization: ["Basic dXNlcjpwYXNz"] } };
          else e.headers.authorization = "Basic dXNlcjpwYXNz";
        } else if (token === "") {
          if (kind === "REST TOKEN") e.authorizationToken = "Bearer ";
          else if (kind === "REST REQUEST 1.0") { e.headers.Authorization = "Bearer "; e.multiValueHeaders.Authorization = ["Bearer "]; }
          else e.headers.authorization = "Bearer ";
        }
        expect(await outcome(handlers.get(kind)!, e)).toBe(expected(kind, r.row));
      });
    }
  }

  it("REST REQUEST 1.0: two Authorization headers (multiValueHeaders) are refused as Unauthorized", async () => {
    const e = requestV1Event(await mintToken(key), "GET", "/orders/42");
    e.multiValueHeaders.Authorization = [e.headers.Authorization, `Bearer ${await mintToken(key)}`];
    expect(await outcome(handlers.get("REST REQUEST 1.0")!, e)).toBe("Unauthorized");
  });

  it("answers with principalId = sub and a context of scalars only (aud joined by spaces)", async () => {
    const token = await mintToken(key, { claims: { sub: "alice", aud: ["orders-api", "other"], nested: { a: 1 } } });
    const rest = (await handlers.get("REST TOKEN")!(tokenEvent(token, "GET", "/orders/42") as AuthorizerEvent)) as any;
    expect(rest.principalId).toBe("alice");
    expect(rest.context).toEqual({ sub: "alice", iss: TEST_ISSUER, scope: "orders:read", client_id: "test-client", aud: "orders-api other" });
    const simple = (await handlers.get("HTTP API 2.0 simple")!(requestV2Event(token, "GET", "/orders/42", "GET /orders/{id}") as AuthorizerEvent)) as any;
    expect(simple).toEqual({ isAuthorized: true, context: rest.context });
    for (const value of Object.values(rest.context)) expect(["string", "number", "boolean"]).toContain(typeof value);
  });

  it("a cached policy from a public route still lists what a valid token may call", async () => {
    const token = await mintToken(key);
    const answer = (await handlers.get("REST TOKEN")!(tokenEvent(token, "GET", "/health") as AuthorizerEvent)) as any;
    const arnFor = (m: string, p: string): string => tokenEvent(token, m, p).methodArn;
    expect(evaluatePolicy(answer.policyDocument, arnFor("GET", "/orders/7"))).toBe("allow");
    expect(evaluatePolicy(answer.policyDocument, arnFor("POST", "/orders"))).toBe("deny");
  });

  it("HTTP API simple: refuses when API Gateway's route key disagrees with the configured route", async () => {
    const e = requestV2Event(await mintToken(key), "GET", "/orders/42", "$default");
    expect(await outcome(handlers.get("HTTP API 2.0 simple")!, e)).toBe("deny");
    expect(logs.some((l) => l.event === "route-key-mismatch")).toBe(true);
  });
});
