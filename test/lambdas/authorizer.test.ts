/**
 * The Lambda handler end to end: the real API Gateway events (only token and route changed, every
 * route field in agreement), keys served by a real JWKS server on 127.0.0.1, every row of the
 * CONTRACT.md §2 decision table for the four answer kinds (REST TOKEN, REST REQUEST 1.0, HTTP API
 * 2.0 with simple and with IAM responses) with the exact answer each kind owes, the answer's
 * principal and context, and the options AUTHORIZER_CACHE=per-request, CONTEXT_CLAIMS and
 * `$default` route ARNs on a named stage.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLambdaHandler, type AuthorizerEvent, type AuthorizerResult } from "../../lambdas/authorizer.js";
import type { LogEntry } from "../../shared/index.js";
import { startJwksServer, type JwksServer } from "../support/jwks-server.js";
import { generateTestKey, jwksOf, mintToken, TEST_ISSUER, type TestKey } from "../support/keys.js";
import { FIXTURES_MISSING, reportMissingFixtures, requestV1Event, requestV2Event, resourceOf, stageArnOf, tokenEvent } from "./fixtures.js";
import { evaluatePolicy, type Policy } from "./policy-evaluator.js";

type Kind = "REST TOKEN" | "REST REQUEST 1.0" | "HTTP API 2.0 simple" | "HTTP API 2.0 iam";
const KINDS: Kind[] = ["REST TOKEN", "REST REQUEST 1.0", "HTTP API 2.0 simple", "HTTP API 2.0 iam"];
const IAM_KINDS: Kind[] = ["REST TOKEN", "REST REQUEST 1.0", "HTTP API 2.0 iam"];
type Handler = (e: AuthorizerEvent) => Promise<AuthorizerResult>;

const ROUTES = [
  { route: "GET /health", public: true },
  { route: "GET /orders/{id}", audience: "orders-api", scopes: ["orders:read"] },
  { route: "POST /orders", audience: "orders-api", scopes: ["orders:write"] },
  { route: "GET /me", audience: "orders-api", claims: { tenant_id: "acme" } },
];

/**
 * The route API Gateway matched for each request used below: the HTTP API route key, and for REST
 * the resource template. Anything else reaches the API's catch-all (`$default` route, `/{proxy+}`
 * resource), which the configuration does not list (the "no route" row).
 */
const API_ROUTES: Record<string, string> = {
  "GET /health": "GET /health",
  "GET /orders/42": "GET /orders/{id}",
  "GET /orders/43": "GET /orders/{id}",
  "POST /orders": "POST /orders",
  "GET /me": "GET /me",
};
const routeKeyOf = (method: string, path: string): string => API_ROUTES[`${method} ${path}`] ?? "$default";

function event(kind: Kind, token: string | undefined, method: string, path: string): Record<string, any> {
  const routeKey = routeKeyOf(method, path);
  if (kind === "REST TOKEN") return tokenEvent(token, method, path);
  if (kind === "REST REQUEST 1.0") return requestV1Event(token, method, path, resourceOf(routeKey, path));
  return requestV2Event(token, method, path, routeKey);
}

/** The raw Authorization value, where each kind carries it. */
function withAuthorization(kind: Kind, e: Record<string, any>, value: string): Record<string, any> {
  if (kind === "REST TOKEN") e.authorizationToken = value;
  else if (kind === "REST REQUEST 1.0") {
    e.headers.Authorization = value;
    e.multiValueHeaders.Authorization = [value];
  } else {
    e.headers.authorization = value;
    e.identitySource = [value];
  }
  return e;
}

const arnOf = (e: Record<string, any>): string => (e.methodArn ?? e.routeArn) as string;
const envFor = (kind: Kind, config: string, extra: Record<string, string> = {}): Record<string, string> => ({
  AUTHORIZER_CONFIG: config,
  HTTP_API_RESPONSE: kind === "HTTP API 2.0 iam" ? "iam" : "simple",
  ...extra,
});

type Answer = "allow" | "deny" | "unauthorized" | "error";

/**
 * The exact answer CONTRACT.md §2 gives each kind for a row: allow -> an Allow for this ARN (REST,
 * IAM) or `isAuthorized: true`; 403 -> a policy that denies this ARN, or `isAuthorized: false`;
 * 400/401 -> `Error("Unauthorized")`, or `isAuthorized: false`; 5xx and bad configuration -> an
 * error that is not "Unauthorized" (API Gateway answers 500) for every kind.
 */
async function expectAnswer(kind: Kind, handler: Handler, e: Record<string, any>, answer: Answer, secret?: string): Promise<void> {
  const simple = kind === "HTTP API 2.0 simple";
  const settled = await handler(e as AuthorizerEvent).then(
    (result) => ({ result, error: undefined }),
    (error: unknown) => ({ result: undefined, error }),
  );
  if (answer === "error" || (answer === "unauthorized" && !simple)) {
    expect(settled.error, "the handler must throw").toBeInstanceOf(Error);
    const message = (settled.error as Error).message;
    if (answer === "unauthorized") expect(message).toBe("Unauthorized");
    else expect(message).not.toBe("Unauthorized");
    if (secret) expect(message).not.toContain(secret);
    return;
  }
  expect(settled.error, "the handler must answer, not throw").toBeUndefined();
  const result = settled.result as any;
  if (simple) {
    expect(result.isAuthorized).toBe(answer === "allow");
    if (answer !== "allow") expect(result.context ?? {}).toEqual({});
    return;
  }
  expect(result.policyDocument.Version).toBe("2012-10-17");
  expect(evaluatePolicy(result.policyDocument as Policy, arnOf(e))).toBe(answer === "allow" ? "allow" : "deny");
  expect(typeof result.principalId).toBe("string");
  expect(result.principalId).not.toBe("");
}

const b64 = (value: unknown): string => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

reportMissingFixtures("Lambda handler over the real API Gateway events");

describe.skipIf(FIXTURES_MISSING !== undefined)("Lambda handler over the real API Gateway events", () => {
  let server: JwksServer;
  let downServer: JwksServer;
  let key: TestKey;
  let otherKey: TestKey;
  let rsaKey: TestKey;
  let strangerKey: TestKey;
  let config: string;
  const logs: LogEntry[] = [];
  const log = (_level: string, entry: LogEntry): void => void logs.push(entry);
  const quiet = { log: () => {}, writeMetric: () => {} };
  const handlers = new Map<Kind, Handler>();
  const issuer = (jwksUri: string) => ({ issuer: TEST_ISSUER, jwksUri, algorithms: ["ES256"], tokenTypes: ["at+jwt"] });

  beforeAll(async () => {
    key = await generateTestKey("ES256");
    otherKey = await generateTestKey("ES256", key.kid);
    rsaKey = await generateTestKey("RS256", key.kid);
    strangerKey = await generateTestKey("ES256", "kid-nobody-published");
    server = await startJwksServer({ jwks: jwksOf(key) });
    downServer = await startJwksServer({ jwks: jwksOf(key) });
    downServer.behave({ kind: "status", status: 503 });
    config = JSON.stringify({ issuers: [issuer(server.url)], routes: ROUTES });
    for (const kind of KINDS) handlers.set(kind, createLambdaHandler({ env: envFor(kind, config), log, writeMetric: () => {} }));
  });
  afterAll(async () => {
    await server?.close();
    await downServer?.close();
  });

  type Auth = { bearer: () => Promise<string> } | { raw: string } | { absent: true };
  const rows: { name: string; answer: Exclude<Answer, "error">; method: string; path: string; auth: Auth }[] = [
    { name: "public route", answer: "allow", method: "GET", path: "/health", auth: { bearer: async () => "not-a-jwt" } },
    { name: "valid token, route satisfied", answer: "allow", method: "GET", path: "/orders/42", auth: { bearer: () => mintToken(key) } },
    { name: "valid token, claim met", answer: "allow", method: "GET", path: "/me", auth: { bearer: () => mintToken(key, { claims: { tenant_id: "acme" } }) } },
    // A TOKEN authorizer cannot express it: API Gateway answers 401 itself when the identity
    // source header is absent, without calling the Lambda.
    { name: "no token (Authorization header absent)", answer: "unauthorized", method: "GET", path: "/orders/42", auth: { absent: true } },
    { name: "no token (another scheme: Basic)", answer: "unauthorized", method: "GET", path: "/orders/42", auth: { raw: "Basic dXNlcjpwYXNz" } },
    { name: "malformed request (Bearer with no token)", answer: "unauthorized", method: "GET", path: "/orders/42", auth: { raw: "Bearer " } },
    { name: "invalid token: signature", answer: "unauthorized", method: "GET", path: "/orders/42", auth: { bearer: () => mintToken(otherKey) } },
    { name: "invalid token: alg not allowed (RS256 under the ES256 kid)", answer: "unauthorized", method: "GET", path: "/orders/42", auth: { bearer: () => mintToken(rsaKey) } },
    {
      name: "invalid token: alg none",
      answer: "unauthorized",
      method: "GET",
      path: "/orders/42",
      auth: { bearer: async () => { const t = (await mintToken(key)).split("."); return `${b64({ alg: "none", typ: "at+jwt" })}.${t[1]}.`; } },
    },
    { name: "invalid token: unknown kid", answer: "unauthorized", method: "GET", path: "/orders/42", auth: { bearer: () => mintToken(strangerKey) } },
    { name: "invalid token: wrong iss", answer: "unauthorized", method: "GET", path: "/orders/42", auth: { bearer: () => mintToken(key, { claims: { iss: "https://other-issuer.test/" } }) } },
    { name: "invalid token: wrong aud", answer: "unauthorized", method: "GET", path: "/orders/42", auth: { bearer: () => mintToken(key, { claims: { aud: "billing-api" } }) } },
    { name: "invalid token: exp passed", answer: "unauthorized", method: "GET", path: "/orders/42", auth: { bearer: () => mintToken(key, { nowSeconds: Date.now() / 1000 - 7200 }) } },
    {
      name: "invalid token: nbf in the future",
      answer: "unauthorized",
      method: "GET",
      path: "/orders/42",
      auth: { bearer: () => mintToken(key, { claims: { nbf: Math.floor(Date.now() / 1000) + 3600 }, lifetimeSeconds: 7200 }) },
    },
    { name: "invalid token: typ not accepted (JWT, not at+jwt)", answer: "unauthorized", method: "GET", path: "/orders/42", auth: { bearer: () => mintToken(key, { header: { typ: "JWT" } }) } },
    { name: "invalid token: format (not three parts)", answer: "unauthorized", method: "GET", path: "/orders/42", auth: { bearer: async () => "not-a-jwt" } },
    {
      name: "invalid token: format (header not JSON)",
      answer: "unauthorized",
      method: "GET",
      path: "/orders/42",
      auth: { bearer: async () => { const t = (await mintToken(key)).split("."); return `${b64("{not json")}.${t[1]}.${t[2]}`; } },
    },
    { name: "valid token, scope not met", answer: "deny", method: "POST", path: "/orders", auth: { bearer: () => mintToken(key) } },
    { name: "valid token, claim not met", answer: "deny", method: "GET", path: "/me", auth: { bearer: () => mintToken(key, { claims: { tenant_id: "globex" } }) } },
    { name: "valid token, no route (the API's catch-all)", answer: "deny", method: "DELETE", path: "/orders/42", auth: { bearer: () => mintToken(key) } },
  ];

  const expectedOf = (kind: Kind, answer: Answer): string =>
    answer === "unauthorized" ? (kind === "HTTP API 2.0 simple" ? "isAuthorized false" : 'Error("Unauthorized")') :
    answer === "error" ? "a non-Unauthorized error" :
    kind === "HTTP API 2.0 simple" ? `isAuthorized ${answer === "allow"}` : `${answer === "allow" ? "Allow" : "Deny"} for this route`;

  for (const kind of KINDS) {
    for (const r of rows) {
      if (kind === "REST TOKEN" && "absent" in r.auth) continue;
      it(`${kind}: ${r.name} -> ${expectedOf(kind, r.answer)}`, async () => {
        const token = "bearer" in r.auth ? await r.auth.bearer() : undefined;
        let e = event(kind, token, r.method, r.path);
        if ("raw" in r.auth) e = withAuthorization(kind, e, r.auth.raw);
        // The routing fields agree with each other (fixtures.ts refuses events API Gateway never sends).
        if (kind.startsWith("HTTP API")) expect(e.routeKey).toBe(routeKeyOf(r.method, r.path));
        await expectAnswer(kind, handlers.get(kind)!, e, r.answer, token);
      });
    }

    it(`${kind}: configuration invalid -> ${expectedOf(kind, "error")}, on every invocation`, async () => {
      const invalid = JSON.stringify({ issuers: [issuer(server.url)], routes: [{ route: "GET /orders/{id}", scopes: ["orders:read"] }] });
      const startLogs: LogEntry[] = [];
      const handler = createLambdaHandler({ env: envFor(kind, invalid), log: (_l, entry) => void startLogs.push(entry), writeMetric: () => {} });
      const token = await mintToken(key);
      for (let i = 0; i < 2; i++) await expectAnswer(kind, handler, event(kind, token, "GET", "/orders/42"), "error", token);
      const failures = startLogs.filter((l) => l.event === "startup-failed");
      expect(failures).toHaveLength(2);
      expect(String(failures[0]?.error)).toContain("routes[0].audience");
    });

    it(`${kind}: keys unavailable (JWKS down, nothing cached) -> ${expectedOf(kind, "error")}`, async () => {
      const down = JSON.stringify({ issuers: [issuer(downServer.url)], routes: ROUTES, jwks: { timeoutMs: 500 } });
      const handler = createLambdaHandler({ env: envFor(kind, down), ...quiet });
      const token = await mintToken(key);
      await expectAnswer(kind, handler, event(kind, token, "GET", "/orders/42"), "error", token);
      // A public route needs no keys: still allowed.
      await expectAnswer(kind, handler, event(kind, undefined, "GET", "/health"), "allow");
    });
  }

  it("REST REQUEST 1.0: two Authorization headers (multiValueHeaders) are refused as Unauthorized", async () => {
    const e = requestV1Event(await mintToken(key), "GET", "/orders/42", "/orders/{id}");
    e.multiValueHeaders.Authorization = [e.headers.Authorization, `Bearer ${await mintToken(key)}`];
    await expectAnswer("REST REQUEST 1.0", handlers.get("REST REQUEST 1.0")!, e, "unauthorized");
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
    await expectAnswer("HTTP API 2.0 simple", handlers.get("HTTP API 2.0 simple")!, e, "deny");
    expect(logs.some((l) => l.event === "route-key-mismatch")).toBe(true);
  });

  it("test events are internally consistent: a route key or resource that cannot match the request is refused", () => {
    expect(() => requestV2Event("t", "DELETE", "/orders/42", "GET /orders/{id}")).toThrow(/inconsistent/);
    expect(() => requestV2Event("t", "GET", "/orders/42/items", "GET /orders/{id}")).toThrow(/inconsistent/);
    expect(() => requestV1Event("t", "GET", "/orders", "/orders/{id}")).toThrow(/inconsistent/);
    const v1 = requestV1Event("t", "GET", "/orders/42", "/orders/{id}");
    expect([v1.resource, v1.requestContext.resourcePath, v1.pathParameters, v1.path, v1.requestContext.path]).toEqual([
      "/orders/{id}", "/orders/{id}", { id: "42" }, "/orders/42", "/prod/orders/42",
    ]);
    expect(v1.methodArn.endsWith("/prod/GET/orders/42")).toBe(true);
    const v2 = requestV2Event("t", "PUT", "/admin/a/b", "ANY /admin/{proxy+}", { stage: "prod" });
    expect([v2.routeArn.split("/").slice(1).join("/"), v2.rawPath, v2.requestContext.http.path, v2.requestContext.stage]).toEqual([
      "prod/PUT/admin/a/b", "/prod/admin/a/b", "/prod/admin/a/b", "prod",
    ]);
  });

  describe("AUTHORIZER_CACHE=per-request (answers exact for one request)", () => {
    for (const kind of IAM_KINDS) {
      it(`${kind}: an allow names exactly this request's ARN; a per-token answer spans the table`, async () => {
        const token = await mintToken(key);
        const e = event(kind, token, "GET", "/orders/42");
        const exact = (await createLambdaHandler({ env: envFor(kind, config, { AUTHORIZER_CACHE: "per-request" }), ...quiet })(e as AuthorizerEvent)) as any;
        expect(exact.policyDocument.Statement).toEqual([{ Action: "execute-api:Invoke", Effect: "Allow", Resource: [arnOf(e)] }]);
        expect(exact.principalId).toBe("user-1");
        const sibling = arnOf(event(kind, token, "GET", "/orders/43"));
        expect(evaluatePolicy(exact.policyDocument, sibling)).toBe("deny");
        const wide = (await handlers.get(kind)!(e as AuthorizerEvent)) as any;
        expect(evaluatePolicy(wide.policyDocument, sibling)).toBe("allow");
      });

      it(`${kind}: a 403 is one Deny of the whole stage; a 401 still throws Unauthorized`, async () => {
        const handler = createLambdaHandler({ env: envFor(kind, config, { AUTHORIZER_CACHE: "per-request" }), ...quiet });
        const token = await mintToken(key);
        const e = event(kind, token, "POST", "/orders");
        const answer = (await handler(e as AuthorizerEvent)) as any;
        expect(answer.policyDocument.Statement).toEqual([{ Action: "execute-api:Invoke", Effect: "Deny", Resource: [`${stageArnOf(arnOf(e))}/*`] }]);
        await expectAnswer(kind, handler, event(kind, await mintToken(otherKey), "GET", "/orders/42"), "unauthorized");
      });

      it(`${kind}: a claim bound to a path parameter is enforced for this request's value only`, async () => {
        const templated = JSON.stringify({
          issuers: [issuer(server.url)],
          routes: [{ route: "GET /tenants/{tenant}/orders", audience: "orders-api", claims: { tenant_id: "{tenant}" } }],
        });
        const handler = createLambdaHandler({ env: { AUTHORIZER_CONFIG: templated, HTTP_API_RESPONSE: "iam", AUTHORIZER_CACHE: "per-request" }, ...quiet });
        const token = await mintToken(key, { claims: { tenant_id: "acme" } });
        const build = (tenant: string) =>
          kind === "REST TOKEN" ? tokenEvent(token, "GET", `/tenants/${tenant}/orders`)
          : kind === "REST REQUEST 1.0" ? requestV1Event(token, "GET", `/tenants/${tenant}/orders`, "/tenants/{tenant}/orders")
          : requestV2Event(token, "GET", `/tenants/${tenant}/orders`, "GET /tenants/{tenant}/orders");
        const acme = build("acme");
        const globex = build("globex");
        const allowed = (await handler(acme as AuthorizerEvent)) as any;
        expect(allowed.policyDocument.Statement).toEqual([{ Action: "execute-api:Invoke", Effect: "Allow", Resource: [arnOf(acme)] }]);
        expect(evaluatePolicy(allowed.policyDocument, arnOf(globex))).toBe("deny");
        await expectAnswer(kind, handler, globex, "deny");
      });
    }

    it("HTTP API simple: nothing is cached, so a route key other than the configured route is answered for this request", async () => {
      const handler = createLambdaHandler({ env: envFor("HTTP API 2.0 simple", config, { AUTHORIZER_CACHE: "per-request" }), ...quiet });
      const token = await mintToken(key);
      const e = requestV2Event(token, "GET", "/orders/42", "$default");
      expect(await handler(e as AuthorizerEvent)).toMatchObject({ isAuthorized: true, context: { sub: "user-1" } });
      await expectAnswer("HTTP API 2.0 simple", handler, requestV2Event(token, "POST", "/orders", "$default"), "deny");
    });
  });

  describe("CONTEXT_CLAIMS (extra claims in the context: scalars only)", () => {
    const STANDARD = { sub: "user-1", iss: TEST_ISSUER, scope: "orders:read", client_id: "test-client", aud: "orders-api" };
    const contextOf = async (kind: Kind, names: string, claims: Record<string, unknown>): Promise<Record<string, unknown>> => {
      const handler = createLambdaHandler({ env: envFor(kind, config, { CONTEXT_CLAIMS: names }), ...quiet });
      const answer = (await handler(event(kind, await mintToken(key, { claims }), "GET", "/orders/42") as AuthorizerEvent)) as any;
      if (kind === "HTTP API 2.0 simple") expect(answer.isAuthorized).toBe(true);
      else expect(evaluatePolicy(answer.policyDocument, arnOf(event(kind, "x", "GET", "/orders/42")))).toBe("allow");
      return answer.context;
    };

    for (const kind of KINDS) {
      it(`${kind}: adds string, number and boolean claims; leaves out objects, nested arrays, null and absent claims`, async () => {
        const context = await contextOf(kind, " tenant_id, level ,email_verified,profile,matrix,nothing,absent_claim", {
          tenant_id: "acme", level: 3, email_verified: false, profile: { name: "Alice" }, matrix: [["a"]], nothing: null,
        });
        expect(context).toEqual({ ...STANDARD, tenant_id: "acme", level: 3, email_verified: false });
      });

      it(`${kind}: leaves out an array claim (groups), which is not a scalar`, async () => {
        const context = await contextOf(kind, "groups", { groups: ["admin", "read only"] });
        expect(context).toEqual(STANDARD);
      });

      it(`${kind}: a CONTEXT_CLAIMS name that is reserved or malformed stops the start (error, not Unauthorized)`, async () => {
        for (const names of ["principalId", "bad name", "x".repeat(65)]) {
          const handler = createLambdaHandler({ env: envFor(kind, config, { CONTEXT_CLAIMS: names }), ...quiet });
          await expectAnswer(kind, handler, event(kind, await mintToken(key), "GET", "/orders/42"), "error");
        }
      });
    }
  });

  describe("HTTP API on a named stage, and the `$default` route ARN", () => {
    it("a named stage: the route is read from routeArn, whose path has no stage (rawPath has)", async () => {
      const token = await mintToken(key);
      for (const kind of ["HTTP API 2.0 simple", "HTTP API 2.0 iam"] as const) {
        const e = requestV2Event(token, "GET", "/orders/42", "GET /orders/{id}", { stage: "prod" });
        expect(e.rawPath).toBe("/prod/orders/42");
        await expectAnswer(kind, handlers.get(kind)!, e, "allow");
        await expectAnswer(kind, handlers.get(kind)!, requestV2Event(token, "POST", "/orders", "POST /orders", { stage: "prod" }), "deny");
      }
    });

    it("IAM: a `.../prod/$default` routeArn takes the method from the request and the path from rawPath without /prod", async () => {
      // Exact answers (result TTL 0): with per-token caching one answer would stand for every
      // `$default` request, which the next test covers.
      const handler = createLambdaHandler({ env: envFor("HTTP API 2.0 iam", config, { AUTHORIZER_CACHE: "per-request" }), ...quiet });
      const reader = await mintToken(key);
      const e = requestV2Event(reader, "GET", "/orders/42", "$default", { stage: "prod", defaultRouteArn: true });
      expect([e.routeArn.split("/").slice(1).join("/"), e.rawPath]).toEqual(["prod/$default", "/prod/orders/42"]);
      // /orders/42 is GET /orders/{id}: allowed only if the stage was stripped (/prod/orders/42 has no route).
      await expectAnswer("HTTP API 2.0 iam", handler, e, "allow");
      // The method is the request's: POST /orders needs orders:write, which this token lacks.
      await expectAnswer("HTTP API 2.0 iam", handler, requestV2Event(reader, "POST", "/orders", "$default", { stage: "prod", defaultRouteArn: true }), "deny");
      await expectAnswer("HTTP API 2.0 iam", handler, requestV2Event(await mintToken(otherKey), "GET", "/orders/42", "$default", { stage: "prod", defaultRouteArn: true }), "unauthorized");
    });

    it("IAM: the policy cached for one `.../prod/$default` request never allows a later one the token cannot make", async () => {
      // Every request through the `$default` route has the same ARN, so API Gateway applies the
      // policy cached for this token to all of them: an Allow of that ARN must hold for each.
      const handler = handlers.get("HTTP API 2.0 iam")!;
      const reader = await mintToken(key);
      const options = { stage: "prod", defaultRouteArn: true };
      const first = requestV2Event(reader, "GET", "/orders/42", "$default", options);
      const later = requestV2Event(reader, "POST", "/orders", "$default", options);
      await expectAnswer("HTTP API 2.0 iam", handler, later, "deny"); // its direct decision
      const cached = (await handler(first as AuthorizerEvent)) as any;
      expect(evaluatePolicy(cached.policyDocument, later.routeArn), "cached policy applied to the later $default request").toBe("deny");
    });

    it("IAM, per-token cache: a `$default` request the configuration routes elsewhere is refused and logged, never allowed for all `$default` traffic", async () => {
      const warnings: LogEntry[] = [];
      const handler = createLambdaHandler({ env: envFor("HTTP API 2.0 iam", config), log: (level, entry) => void (level === "warn" && warnings.push(entry)), writeMetric: () => {} });
      const e = requestV2Event(await mintToken(key), "GET", "/orders/42", "$default", { stage: "prod", defaultRouteArn: true });
      await expectAnswer("HTTP API 2.0 iam", handler, e, "deny");
      expect(warnings).toContainEqual(expect.objectContaining({ event: "default-route-answer-refused", route: "GET /orders/{id}" }));
    });

    it("simple: a `$default` request is answered against the configured `$default` route (exact answers), and refused when another route matched", async () => {
      const withDefault = JSON.stringify({ issuers: [issuer(server.url)], routes: [...ROUTES, { route: "$default", audience: "orders-api", scopes: ["reports:read"] }] });
      const handler = createLambdaHandler({ env: envFor("HTTP API 2.0 simple", withDefault, { AUTHORIZER_CACHE: "per-request" }), ...quiet });
      const options = { stage: "prod", defaultRouteArn: true };
      const reporter = await mintToken(key, { claims: { scope: "reports:read" } });
      await expectAnswer("HTTP API 2.0 simple", handler, requestV2Event(reporter, "GET", "/reports/7", "$default", options), "allow");
      await expectAnswer("HTTP API 2.0 simple", handler, requestV2Event(await mintToken(key), "GET", "/reports/7", "$default", options), "deny");
      // /prod/orders/42 strips to GET /orders/{id}, not the `$default` route API Gateway reported.
      const perToken = createLambdaHandler({ env: envFor("HTTP API 2.0 simple", withDefault), ...quiet });
      const reader = await mintToken(key, { claims: { scope: "orders:read reports:read" } });
      await expectAnswer("HTTP API 2.0 simple", perToken, requestV2Event(reader, "GET", "/orders/42", "$default", options), "deny");
    });

    it("per-token cache: one answer stands for all `$default` traffic, so it allows only a token that passes every protected route", async () => {
      // The configuration's `$default` (audience only) and a route the reader fails (POST /orders
      // needs orders:write): a cached yes for GET /anything would be replayed for POST /orders.
      const withDefault = JSON.stringify({ issuers: [issuer(server.url)], routes: [...ROUTES, { route: "$default", audience: "orders-api" }] });
      const options = { stage: "prod", defaultRouteArn: true };
      const reader = await mintToken(key);
      const everything = await mintToken(key, { claims: { scope: "orders:read orders:write", tenant_id: "acme" } });
      for (const kind of ["HTTP API 2.0 simple", "HTTP API 2.0 iam"] as const) {
        const warnings: LogEntry[] = [];
        const handler = createLambdaHandler({ env: envFor(kind, withDefault), log: (level, entry) => void (level === "warn" && warnings.push(entry)), writeMetric: () => {} });
        const first = requestV2Event(reader, "GET", "/anything", "$default", options);
        await expectAnswer(kind, handler, first, "deny");
        expect(warnings).toContainEqual(expect.objectContaining({ event: "default-route-answer-refused", route: "$default" }));
        await expectAnswer(kind, handler, requestV2Event(everything, "GET", "/anything", "$default", options), "allow");
        // The same token's direct answer for the request a cached yes would have opened.
        await expectAnswer(kind, handler, requestV2Event(reader, "POST", "/orders", "$default", options), "deny");
        // Exact answers (TTL 0) need none of this.
        const exact = createLambdaHandler({ env: envFor(kind, withDefault, { AUTHORIZER_CACHE: "per-request" }), ...quiet });
        await expectAnswer(kind, exact, first, "allow");
      }
    });
  });
});
