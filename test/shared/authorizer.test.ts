import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createAuthorizer, parseConfig, type Authorizer, type Decision, type LogEntry } from "../../shared/index.js";
import { generateTestKey, jwksOf, mintToken, TEST_ISSUER, type TestKey } from "../support/keys.js";
import { startJwksServer, type JwksServer } from "../support/jwks-server.js";

const OTHER_ISSUER = "https://other-issuer.test/";
let server: JwksServer;
let key: TestKey;
let otherKey: TestKey;
let clock = Date.now();

function config(extra: Record<string, unknown> = {}) {
  return parseConfig({
    issuers: [
      { issuer: TEST_ISSUER, jwksUri: server.url, algorithms: ["ES256"], tokenTypes: ["at+jwt"] },
      { issuer: OTHER_ISSUER, jwks: jwksOf(otherKey), algorithms: ["RS256"] },
    ],
    routes: [
      { route: "GET /health", public: true },
      { route: "GET /orders/{id}", audience: "orders-api", scopes: ["orders:read"] },
      { route: "POST /orders", audience: ["orders-api"], scopes: ["orders:write"] },
      { route: "ANY /admin/{proxy+}", audience: "admin-api", anyScopes: ["admin", "ops"], issuers: [TEST_ISSUER] },
      { route: "GET /tenants/{tenant}/orders", audience: "orders-api", claims: { tenant_id: "{tenant}" } },
      { route: "GET /partners/{id}", audience: "orders-api", issuers: [OTHER_ISSUER] },
    ],
    ...extra,
  });
}

function make(extra: Record<string, unknown> = {}, logs: LogEntry[] = []): Authorizer {
  return createAuthorizer(config(extra), { now: () => clock, log: (_level, entry) => logs.push(entry) });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const mint = (claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}, k: TestKey = key) =>
  mintToken(k, { claims, header, nowSeconds: clock / 1000 });

function denied(decision: Decision) {
  if (decision.allow) throw new Error("expected a denial");
  return decision;
}

beforeAll(async () => {
  key = await generateTestKey("ES256", "k1");
  otherKey = await generateTestKey("RS256", "r1");
  server = await startJwksServer({ jwks: jwksOf(key) });
});
afterAll(() => server.close());

describe("authorize(): the decision table", () => {
  it("allows a public route without a token, and ignores a bad one there", async () => {
    const a = make();
    expect(await a.authorize({ method: "GET", path: "/health", headers: {} })).toMatchObject({ allow: true, public: true });
    expect((await a.authorize({ method: "GET", path: "/health", headers: bearer("junk") })).allow).toBe(true);
  });

  it("allows a valid token on a satisfied route, with claims and params", async () => {
    const a = make();
    const d = await a.authorize({ method: "GET", path: "/orders/42", headers: bearer(await mint()) });
    expect(d).toMatchObject({ allow: true, route: "GET /orders/{id}", issuer: TEST_ISSUER, params: { id: "42" } });
    if (d.allow) expect(d.claims.sub).toBe("user-1");
  });

  it("answers no token (and another scheme) with 401 and a bare challenge", async () => {
    const a = make();
    for (const headers of [{}, { authorization: "Basic dXNlcjpwYXNz" }]) {
      const d = denied(await a.authorize({ method: "GET", path: "/orders/1", headers }));
      expect(d).toMatchObject({ status: 401, code: "ERR_TOKEN_MISSING", wwwAuthenticate: 'Bearer realm="edge-authorizer"' });
    }
  });

  it("answers a malformed request with 400", async () => {
    const a = make();
    const token = await mint();
    expect(denied(await a.authorize({ method: "GET", path: "/orders/1", headers: { authorization: "Bearer " } })).status).toBe(400);
    const both = await a.authorize({ method: "GET", path: `/orders/1?access_token=${token}`, headers: bearer(token) });
    const twoSources = make({ tokenSources: ["header:authorization", "query:access_token"] });
    expect(denied(await twoSources.authorize({ method: "GET", path: `/orders/1?access_token=${token}`, headers: bearer(token) })).status).toBe(400);
    // With only the header configured, the query parameter is not a credential source at all.
    expect(both.allow).toBe(true);
    expect(denied(await a.authorize({ method: "GET", path: "/orders/..%2Fhealth", headers: bearer(token) }))).toMatchObject({ status: 400, code: "ERR_PATH_INVALID" });
  });

  it.each([
    ["expired", { exp: () => Math.floor(clock / 1000) - 60 }, {}, "ERR_JWT_EXPIRED"],
    ["not yet valid", { nbf: () => Math.floor(clock / 1000) + 600 }, {}, "ERR_JWT_NOT_YET_VALID"],
    ["wrong audience", { aud: () => "billing-api" }, {}, "ERR_JWT_AUDIENCE_MISMATCH"],
    ["unknown issuer", { iss: () => "https://evil.test/" }, {}, "ERR_JWT_ISSUER_UNKNOWN"],
    ["wrong typ", {}, { typ: "JWT" }, "ERR_JWT_TYPE_MISMATCH"],
    ["unknown kid", {}, { kid: "nope" }, "ERR_JWKS_NO_MATCHING_KEY"],
  ])("answers an invalid token (%s) with 401 invalid_token", async (_name, claimFns, header, code) => {
    const a = make();
    const claims = Object.fromEntries(Object.entries(claimFns).map(([k, f]) => [k, (f as () => unknown)()]));
    const d = denied(await a.authorize({ method: "GET", path: "/orders/1", headers: bearer(await mint(claims, header)) }));
    expect(d).toMatchObject({ status: 401, error: "invalid_token", code });
    expect(d.wwwAuthenticate).toContain('error="invalid_token"');
  });

  it("refuses a token signed by another key under the same kid", async () => {
    const impostor = await generateTestKey("ES256", "k1");
    const d = denied(await make().authorize({ method: "GET", path: "/orders/1", headers: bearer(await mint({}, {}, impostor)) }));
    expect(d).toMatchObject({ status: 401, code: "ERR_JWS_SIGNATURE_INVALID" });
  });

  it("refuses an algorithm the issuer does not allow, even one another issuer allows", async () => {
    const rsaUnderEcIssuer = await mintToken(otherKey, { claims: { iss: TEST_ISSUER }, nowSeconds: clock / 1000 });
    const d = denied(await make().authorize({ method: "GET", path: "/orders/1", headers: bearer(rsaUnderEcIssuer) }));
    expect(d).toMatchObject({ status: 401, code: "ERR_JWS_ALG_NOT_ALLOWED" });
  });

  it("keeps a route to its issuers", async () => {
    const a = make();
    const fromOther = await mintToken(otherKey, { claims: { iss: OTHER_ISSUER, scope: "admin" , aud: "admin-api" }, header: { typ: undefined }, nowSeconds: clock / 1000 });
    expect(denied(await a.authorize({ method: "GET", path: "/admin/x", headers: bearer(fromOther) })).code).toBe("ERR_JWT_ISSUER_NOT_ALLOWED");
    const partner = await mintToken(otherKey, { claims: { iss: OTHER_ISSUER }, nowSeconds: clock / 1000 });
    expect((await a.authorize({ method: "GET", path: "/partners/7", headers: bearer(partner) })).allow).toBe(true);
    expect(denied(await a.authorize({ method: "GET", path: "/partners/7", headers: bearer(await mint()) })).code).toBe("ERR_JWT_ISSUER_NOT_ALLOWED");
  });

  it("answers a missing scope with 403 naming the needed scope, and keeps the claims for IAM answers", async () => {
    const d = denied(await make().authorize({ method: "POST", path: "/orders", headers: bearer(await mint()) }));
    expect(d).toMatchObject({ status: 403, error: "insufficient_scope", code: "ERR_SCOPE_INSUFFICIENT", route: "POST /orders" });
    expect(d.wwwAuthenticate).toContain('scope="orders:write"');
    expect(d.claims?.sub).toBe("user-1");
  });

  it("binds tenant claims to path parameters", async () => {
    const a = make();
    const token = await mint({ tenant_id: "acme" });
    expect((await a.authorize({ method: "GET", path: "/tenants/acme/orders", headers: bearer(token) })).allow).toBe(true);
    expect(denied(await a.authorize({ method: "GET", path: "/tenants/globex/orders", headers: bearer(token) }))).toMatchObject({ status: 403, code: "ERR_CLAIM_MISMATCH" });
  });

  it("answers no route with 401 without a token and 403 with a valid one", async () => {
    const a = make();
    expect(denied(await a.authorize({ method: "GET", path: "/nowhere", headers: {} })).status).toBe(401);
    expect(denied(await a.authorize({ method: "GET", path: "/nowhere", headers: bearer(await mint()) }))).toMatchObject({ status: 403, code: "ERR_ROUTE_NOT_FOUND" });
  });

  it("answers 503 with Retry-After when no keys can be had", async () => {
    const down = await startJwksServer({ jwks: jwksOf(key) });
    down.behave({ kind: "status", status: 503 });
    const a = createAuthorizer(parseConfig({
      issuers: [{ issuer: TEST_ISSUER, jwksUri: down.url, algorithms: ["ES256"] }],
      routes: [{ route: "GET /orders/{id}", audience: "orders-api" }],
    }), { now: () => clock, log: () => {} });
    const d = denied(await a.authorize({ method: "GET", path: "/orders/1", headers: bearer(await mint()) }));
    expect(d).toMatchObject({ status: 503, code: "ERR_KEYS_UNAVAILABLE", wwwAuthenticate: undefined });
    expect(d.retryAfterSeconds).toBeGreaterThan(0);
    await down.close();
  });
});

describe("authorize(): the verified-token cache", () => {
  const verify = () => vi.spyOn(crypto.subtle, "verify");
  afterEach(() => vi.restoreAllMocks());

  it("serves a repeat token without new signature work, and still runs route checks", async () => {
    const a = make();
    const token = await mint();
    const calls = verify();
    expect((await a.authorize({ method: "GET", path: "/orders/1", headers: bearer(token) })).allow).toBe(true);
    expect(calls).toHaveBeenCalledTimes(1);
    expect((await a.authorize({ method: "GET", path: "/orders/1", headers: bearer(token) })).allow).toBe(true);
    // Same cached token, a route it does not satisfy: denied on the hit too.
    expect(denied(await a.authorize({ method: "POST", path: "/orders", headers: bearer(token) })).status).toBe(403);
    expect(denied(await a.authorize({ method: "GET", path: "/admin/x", headers: bearer(token) })).status).toBe(401);
    expect(calls).toHaveBeenCalledTimes(1);
  });

  it("verifies every time with verifiedTokenCacheSize 0", async () => {
    const a = make({ verifiedTokenCacheSize: 0 });
    const token = await mint();
    const calls = verify();
    for (let i = 0; i < 3; i++) expect((await a.authorize({ method: "GET", path: "/orders/1", headers: bearer(token) })).allow).toBe(true);
    expect(calls).toHaveBeenCalledTimes(3);
  });

  it("caches only successes: a bad signature or a failed claim check is verified again", async () => {
    const a = make();
    const impostor = await generateTestKey("ES256", "k1");
    const forged = await mint({}, {}, impostor);
    const expired = await mint({ exp: Math.floor(clock / 1000) - 60 });
    const calls = verify();
    for (let i = 0; i < 2; i++) {
      expect(denied(await a.authorize({ method: "GET", path: "/orders/1", headers: bearer(forged) })).code).toBe("ERR_JWS_SIGNATURE_INVALID");
      expect(denied(await a.authorize({ method: "GET", path: "/orders/1", headers: bearer(expired) })).code).toBe("ERR_JWT_EXPIRED");
    }
    expect(calls).toHaveBeenCalledTimes(4);
  });

  it("re-checks expiry on every hit", async () => {
    const a = make();
    const token = await mint({}, {});
    expect((await a.authorize({ method: "GET", path: "/orders/1", headers: bearer(token) })).allow).toBe(true);
    const saved = clock;
    clock += 400_000; // past exp (300 s) and the 30 s leeway
    try {
      expect(denied(await a.authorize({ method: "GET", path: "/orders/1", headers: bearer(token) })).code).toBe("ERR_JWT_EXPIRED");
    } finally {
      clock = saved;
    }
  });

  /** An authorizer on its own JWKS server whose copy is fresh for 60 s; `later` runs 61 s on. */
  async function rotating(initial: TestKey[]) {
    const upstream = await startJwksServer({ jwks: jwksOf(...initial) });
    const a = createAuthorizer(parseConfig({
      issuers: [{ issuer: TEST_ISSUER, jwksUri: upstream.url, algorithms: ["ES256"] }],
      routes: [{ route: "GET /orders/{id}", audience: "orders-api" }],
      jwks: { cacheMaxAgeSeconds: 60, cooldownSeconds: 1 },
    }), { now: () => clock, log: () => {} });
    const ask = (token: string, waitUntil?: (work: Promise<unknown>) => void) =>
      a.authorize({ method: "GET", path: "/orders/1", headers: bearer(token) }, { waitUntil });
    const saved = clock;
    async function later(run: () => Promise<void>): Promise<void> {
      clock += 61_000;
      try {
        await run();
      } finally {
        clock = saved;
        await upstream.close();
      }
    }
    return { upstream, ask, later };
  }

  it("refreshes a stale JWKS for cached tokens alone, inline, and drops the token whose key left", async () => {
    const { upstream, ask, later } = await rotating([key]);
    const token = await mint();
    expect((await ask(token)).allow).toBe(true);
    expect((await ask(token)).allow).toBe(true);
    expect(upstream.requests).toBe(1); // fresh: the hit does no I/O
    upstream.setJwks(jwksOf(await generateTestKey("ES256", "k2")));
    await later(async () => {
      expect(denied(await ask(token)).code).toBe("ERR_JWKS_NO_MATCHING_KEY");
      expect(upstream.requests).toBe(2);
    });
  });

  it("with waitUntil, serves the stale copy once, refreshes after the response, then refuses", async () => {
    const { upstream, ask, later } = await rotating([key]);
    const token = await mint();
    expect((await ask(token)).allow).toBe(true);
    upstream.setJwks(jwksOf(await generateTestKey("ES256", "k2")));
    await later(async () => {
      const background: Promise<unknown>[] = [];
      expect((await ask(token, (work) => background.push(work))).allow).toBe(true);
      expect(background).toHaveLength(1);
      await Promise.all(background);
      expect(upstream.requests).toBe(2);
      expect(denied(await ask(token)).code).toBe("ERR_JWKS_NO_MATCHING_KEY");
    });
  });

  it("drops a cached token when new key material is published under its kid", async () => {
    const { upstream, ask, later } = await rotating([key]);
    const token = await mint();
    expect((await ask(token)).allow).toBe(true);
    upstream.setJwks(jwksOf(await generateTestKey("ES256", "k1")));
    await later(async () => {
      expect(denied(await ask(token)).code).toBe("ERR_JWS_SIGNATURE_INVALID");
    });
  });

  it("drops a cached kid-less token when its key is replaced, or joined by a second one", async () => {
    const first = await generateTestKey("ES256", "only");
    const replaced = await rotating([first]);
    const token = await mint({}, { kid: undefined }, first);
    expect((await replaced.ask(token)).allow).toBe(true);
    replaced.upstream.setJwks(jwksOf(await generateTestKey("ES256", "only")));
    await replaced.later(async () => {
      expect(denied(await replaced.ask(token)).code).toBe("ERR_JWS_SIGNATURE_INVALID");
    });

    const joined = await rotating([first]);
    expect((await joined.ask(token)).allow).toBe(true);
    joined.upstream.setJwks(jwksOf(first, await generateTestKey("ES256", "second")));
    await joined.later(async () => {
      expect(denied(await joined.ask(token)).code).toBe("ERR_JWKS_MULTIPLE_MATCHING_KEYS");
    });
  });

  it("keeps a cached token without new signature work when a refresh brings the same key back", async () => {
    const { upstream, ask, later } = await rotating([key]);
    const token = await mint();
    expect((await ask(token)).allow).toBe(true);
    const calls = verify();
    await later(async () => {
      expect((await ask(token)).allow).toBe(true);
      expect(upstream.requests).toBe(2);
      expect(calls).not.toHaveBeenCalled();
    });
  });
});

describe("authorize(): logging", () => {
  it("logs one line per decision with route, code, issuer, kid and sub, never the token", async () => {
    const logs: LogEntry[] = [];
    const a = make({}, logs);
    const token = await mint({ email: "alice@example.com" });
    await a.authorize({ method: "GET", path: "/orders/1", headers: bearer(token) });
    await a.authorize({ method: "POST", path: "/orders", headers: bearer(token) });
    const decisions = logs.filter((l) => l.event === "decision");
    expect(decisions).toHaveLength(2);
    expect(decisions[0]).toMatchObject({ decision: "allow", route: "GET /orders/{id}", issuer: TEST_ISSUER, kid: "k1", sub: "user-1" });
    expect(decisions[1]).toMatchObject({ decision: "deny", status: 403, code: "ERR_SCOPE_INSUFFICIENT" });
    const text = JSON.stringify(logs);
    for (const part of token.split(".")) expect(text).not.toContain(part);
    expect(text).not.toContain("alice@example.com");
  });

  it("names the matched route on 400 and 401 denials, in the decision and the log line", async () => {
    const logs: LogEntry[] = [];
    const a = make({}, logs);
    const missing = denied(await a.authorize({ method: "GET", path: "/orders/1", headers: {} }));
    expect(missing).toMatchObject({ status: 401, code: "ERR_TOKEN_MISSING", route: "GET /orders/{id}" });
    const forged = denied(await a.authorize({ method: "GET", path: "/orders/1", headers: bearer(`${await mint()}x`) }));
    expect(forged).toMatchObject({ status: 401, route: "GET /orders/{id}" });
    const twice = denied(await a.authorize({ method: "GET", path: "/orders/1", headers: { authorization: ["Bearer a", "Bearer b"] } }));
    expect(twice).toMatchObject({ status: 400, route: "GET /orders/{id}" });
    const nowhere = denied(await a.authorize({ method: "GET", path: "/nowhere", headers: {} }));
    expect(nowhere.route).toBeUndefined();
    const lines = logs.filter((l) => l.event === "decision");
    expect(lines.map((l) => [l.status, l.route])).toEqual([
      [401, "GET /orders/{id}"], [401, "GET /orders/{id}"], [400, "GET /orders/{id}"], [401, undefined],
    ]);
  });

  it("never logs a query-string token", async () => {
    const logs: LogEntry[] = [];
    const a = make({ tokenSources: ["query:access_token"] }, logs);
    const token = await mint();
    expect((await a.authorize({ method: "GET", path: `/orders/1?access_token=${token}`, headers: {} })).allow).toBe(true);
    expect(JSON.stringify(logs)).not.toContain(token.split(".")[2]);
  });
});
