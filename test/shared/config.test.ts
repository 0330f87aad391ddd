import { describe, expect, it } from "vitest";
import { configWarnings, parseConfig } from "../../shared/config.js";
import { ConfigError, type ConfigProblem } from "../../shared/errors.js";
import { STATIC_EC_JWK, STATIC_RSA_JWK } from "../support/static-keys.js";

const ISSUER = "https://auth.example.com/";

function valid(): Record<string, any> {
  return {
    issuers: [{ issuer: ISSUER, jwksUri: "https://auth.example.com/.well-known/jwks.json", algorithms: ["RS256"] }],
    routes: [
      { route: "GET /health", public: true },
      { route: "GET /orders/{id}", audience: "orders-api", scopes: ["orders:read"] },
    ],
  };
}

/** Applies `edit` to a valid document and returns the problems parseConfig reports. */
function problemsOf(edit: (doc: Record<string, any>) => void): ConfigProblem[] {
  const doc = valid();
  edit(doc);
  try {
    parseConfig(doc);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe("ERR_CONFIG_INVALID");
    return [...(error as ConfigError).problems];
  }
  throw new Error("expected a ConfigError");
}

function expectProblem(edit: (doc: Record<string, any>) => void, path: string, message?: RegExp): void {
  const problems = problemsOf(edit);
  const at = problems.filter((p) => p.path === path);
  expect(at, `no problem at ${path}; got ${JSON.stringify(problems)}`).not.toHaveLength(0);
  if (message !== undefined) expect(at.map((p) => p.message).join("\n")).toMatch(message);
}

const hsJwks = { keys: [{ kty: "oct", k: "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA" }] };
const rsaJwks = { keys: [{ ...STATIC_RSA_JWK }] };

describe("parseConfig accepts and applies defaults", () => {
  it("fills every default", () => {
    const config = parseConfig(valid());
    expect(config.issuers[0]).toEqual({
      issuer: ISSUER,
      jwksUri: "https://auth.example.com/.well-known/jwks.json",
      algorithms: ["RS256"],
      clockToleranceSeconds: 30,
      requiredClaims: [],
    });
    expect(config.routes[0]).toEqual({ route: "GET /health", public: true, audience: [], scopes: [], anyScopes: [], claims: {} });
    expect(config.routes[1]).toEqual({
      route: "GET /orders/{id}", public: false, audience: ["orders-api"], scopes: ["orders:read"], anyScopes: [], claims: {},
    });
    expect(config.jwks).toEqual({ cacheMaxAgeSeconds: 600, cooldownSeconds: 30, timeoutMs: 1500, maxStaleSeconds: 86400, maxBytes: 150000 });
    expect(config.tokenSources).toEqual([{ kind: "header", name: "authorization" }]);
    expect(config.forward).toEqual({ headerPrefix: "x-auth-", claimHeaders: {}, keepAuthorization: false });
    expect(config.realm).toBe("edge-authorizer");
    expect(config.verifiedTokenCacheSize).toBe(10000);
  });

  it("reads a JSON string as well as an object, and the contract's example", () => {
    expect(parseConfig(JSON.stringify(valid()))).toEqual(parseConfig(valid()));
    const config = parseConfig({
      issuers: [{
        issuer: ISSUER, jwksUri: "https://auth.example.com/.well-known/jwks.json", algorithms: ["RS256"],
        tokenTypes: ["at+jwt", "application/AT+JWT", "JWT"], clockToleranceSeconds: 0, maxTokenAgeSeconds: 3600, requiredClaims: ["sub"],
      }],
      routes: [
        { route: "GET /health", public: true },
        { route: "GET /orders/{id}", audience: "orders-api", scopes: ["orders:read"] },
        { route: "POST /orders", audience: ["orders-api"], scopes: ["orders:write"] },
        { route: "ANY /admin/{proxy+}", audience: "admin-api", anyScopes: ["admin", "ops"], issuers: [ISSUER] },
        { route: "GET /tenants/{tenant}/orders", audience: "orders-api", claims: { tenant_id: "{tenant}" } },
        { route: "$default", public: false, audience: "x" },
      ],
      jwks: { cacheMaxAgeSeconds: 300, cooldownSeconds: 10, timeoutMs: 1000, maxStaleSeconds: 0, maxBytes: 50000 },
      tokenSources: ["header:Authorization", "cookie:AT", "query:access_token", "header:X-Token"],
      forward: { headerPrefix: "x-user-", claimHeaders: { sub: "X-User-Sub", scope: "x-user-scope" }, keepAuthorization: true },
      realm: "orders",
      verifiedTokenCacheSize: 0,
    });
    expect(config.issuers[0]?.tokenTypes).toEqual(["at+jwt", "jwt"]);
    expect(config.issuers[0]?.maxTokenAgeSeconds).toBe(3600);
    expect(config.routes[3]?.issuers).toEqual([ISSUER]);
    expect(config.routes[4]?.claims).toEqual({ tenant_id: "{tenant}" });
    expect(config.tokenSources).toEqual([
      { kind: "header", name: "authorization" }, { kind: "cookie", name: "AT" },
      { kind: "query", name: "access_token" }, { kind: "header", name: "x-token" },
    ]);
    expect(config.forward.claimHeaders).toEqual({ sub: "x-user-sub", scope: "x-user-scope" });
    expect(config.verifiedTokenCacheSize).toBe(0);
  });

  it("accepts http only on loopback hosts, and inline keys", () => {
    for (const uri of ["http://localhost:8787/jwks", "http://127.0.0.1/jwks", "http://127.9.8.7:1/jwks", "http://[::1]:9/jwks"]) {
      expect(() => parseConfig({ ...valid(), issuers: [{ issuer: ISSUER, jwksUri: uri, algorithms: ["ES256"] }] })).not.toThrow();
    }
    expect(() => parseConfig({ ...valid(), issuers: [{ issuer: ISSUER, jwks: rsaJwks, algorithms: ["RS256", "PS256"] }] })).not.toThrow();
    expect(() => parseConfig({ ...valid(), issuers: [{ issuer: ISSUER, jwks: hsJwks, algorithms: ["HS256", "HS512"] }] })).not.toThrow();
  });
});

describe("parseConfig rejects, naming the JSON path", () => {
  it.each([
    ["not JSON", "{ issuers: ", /not valid JSON/],
    ["a JSON array", "[]", /must be a JSON object/],
    ["a number", 42, /must be a JSON object/],
    ["null", null, /must be a JSON object/],
    ["duplicate member names", '{"issuers": [], "issuers": []}', /duplicate member/],
  ])("%s", (_, raw, message) => {
    try {
      parseConfig(raw);
      throw new Error("accepted");
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems[0]).toEqual({ path: "$", message: expect.stringMatching(message) });
    }
  });

  it.each<[string, (d: Record<string, any>) => void, string, RegExp?]>([
    ["no issuers", (d) => delete d.issuers, "issuers", /required/],
    ["empty issuers", (d) => (d.issuers = []), "issuers"],
    ["issuer missing", (d) => delete d.issuers[0].issuer, "issuers[0].issuer", /required/],
    ["issuer empty", (d) => (d.issuers[0].issuer = ""), "issuers[0].issuer"],
    ["issuer not a string", (d) => (d.issuers[0].issuer = 1), "issuers[0].issuer"],
    ["issuer not an object", (d) => (d.issuers[0] = "x"), "issuers[0]", /object/],
    ["duplicate issuers", (d) => d.issuers.push({ ...d.issuers[0] }), "issuers[1].issuer", /duplicate of issuers\[0\]/],
    ["neither jwksUri nor jwks", (d) => delete d.issuers[0].jwksUri, "issuers[0]", /one of jwksUri or jwks/],
    ["both jwksUri and jwks", (d) => (d.issuers[0].jwks = rsaJwks), "issuers[0]", /not both/],
    ["algorithms missing", (d) => delete d.issuers[0].algorithms, "issuers[0].algorithms", /required/],
    ["algorithms empty", (d) => (d.issuers[0].algorithms = []), "issuers[0].algorithms"],
    ["algorithms not a list", (d) => (d.issuers[0].algorithms = "RS256"), "issuers[0].algorithms"],
    ["unknown algorithm", (d) => (d.issuers[0].algorithms = ["RS256", "RS257"]), "issuers[0].algorithms[1]", /unknown algorithm "RS257"/],
    ["wrong-case algorithm", (d) => (d.issuers[0].algorithms = ["rs256"]), "issuers[0].algorithms[0]", /did you mean "RS256"/],
    ["none", (d) => (d.issuers[0].algorithms = ["none"]), "issuers[0].algorithms[0]", /never/],
    ["NoNe", (d) => (d.issuers[0].algorithms = ["RS256", "NoNe"]), "issuers[0].algorithms[1]", /never/],
    ["duplicate algorithm", (d) => (d.issuers[0].algorithms = ["RS256", "RS256"]), "issuers[0].algorithms[1]", /duplicate/],
    ["HS with jwksUri", (d) => (d.issuers[0].algorithms = ["HS256"]), "issuers[0].jwksUri", /HMAC/],
    ["HS beside public keys", (d) => Object.assign(d.issuers[0], { jwksUri: undefined, jwks: rsaJwks, algorithms: ["HS256"] }), "issuers[0].jwks.keys[0]", /beside public keys/],
    ["HS mixed with RS", (d) => Object.assign(d.issuers[0], { jwksUri: undefined, jwks: hsJwks, algorithms: ["HS256", "RS256"] }), "issuers[0].algorithms", /mixed/],
    ["RS with an oct key", (d) => Object.assign(d.issuers[0], { jwksUri: undefined, jwks: hsJwks }), "issuers[0].jwks.keys[0]", /oct/],
    ["jwks without keys", (d) => Object.assign(d.issuers[0], { jwksUri: undefined, jwks: [rsaJwks.keys[0]] }), "issuers[0].jwks", /keys/],
    ["jwks keys empty", (d) => Object.assign(d.issuers[0], { jwksUri: undefined, jwks: { keys: [] } }), "issuers[0].jwks.keys"],
    ["jwks extra member", (d) => Object.assign(d.issuers[0], { jwksUri: undefined, jwks: { ...rsaJwks, extra: 1 } }), "issuers[0].jwks.extra", /unknown/],
    ["a key without kty", (d) => Object.assign(d.issuers[0], { jwksUri: undefined, jwks: { keys: [{ n: "x" }] } }), "issuers[0].jwks.keys[0]", /kty/],
    ["a private key", (d) => Object.assign(d.issuers[0], { jwksUri: undefined, jwks: { keys: [{ ...rsaJwks.keys[0], d: "x" }] } }), "issuers[0].jwks.keys[0].d", /private/],
    ["jwksUri not a URL", (d) => (d.issuers[0].jwksUri = "auth.example.com/jwks"), "issuers[0].jwksUri", /absolute URL/],
    ["jwksUri http", (d) => (d.issuers[0].jwksUri = "http://auth.example.com/jwks"), "issuers[0].jwksUri", /https/],
    ["jwksUri http on a look-alike host", (d) => (d.issuers[0].jwksUri = "http://localhost.evil.com/jwks"), "issuers[0].jwksUri", /https/],
    ["jwksUri http on 10/8", (d) => (d.issuers[0].jwksUri = "http://10.0.0.1/jwks"), "issuers[0].jwksUri", /https/],
    ["jwksUri ftp", (d) => (d.issuers[0].jwksUri = "ftp://auth.example.com/jwks"), "issuers[0].jwksUri", /https/],
    ["jwksUri credentials", (d) => (d.issuers[0].jwksUri = "https://u:p@auth.example.com/jwks"), "issuers[0].jwksUri", /credentials/],
    ["jwksUri fragment", (d) => (d.issuers[0].jwksUri = "https://auth.example.com/jwks#x"), "issuers[0].jwksUri", /fragment/],
    ["jwksUri empty fragment", (d) => (d.issuers[0].jwksUri = "https://auth.example.com/jwks#"), "issuers[0].jwksUri", /fragment/],
    ["tokenTypes empty", (d) => (d.issuers[0].tokenTypes = []), "issuers[0].tokenTypes", /empty/],
    ["tokenTypes not strings", (d) => (d.issuers[0].tokenTypes = ["at+jwt", 5]), "issuers[0].tokenTypes[1]"],
    ["tolerance negative", (d) => (d.issuers[0].clockToleranceSeconds = -1), "issuers[0].clockToleranceSeconds", /0 to 300/],
    ["tolerance too large", (d) => (d.issuers[0].clockToleranceSeconds = 301), "issuers[0].clockToleranceSeconds"],
    ["tolerance fractional", (d) => (d.issuers[0].clockToleranceSeconds = 1.5), "issuers[0].clockToleranceSeconds"],
    ["tolerance a string", (d) => (d.issuers[0].clockToleranceSeconds = "30"), "issuers[0].clockToleranceSeconds"],
    ["maxTokenAge zero", (d) => (d.issuers[0].maxTokenAgeSeconds = 0), "issuers[0].maxTokenAgeSeconds"],
    ["requiredClaims not a list", (d) => (d.issuers[0].requiredClaims = "sub"), "issuers[0].requiredClaims"],
    ["requiredClaims with a number", (d) => (d.issuers[0].requiredClaims = ["sub", 1]), "issuers[0].requiredClaims[1]"],
    ["unknown issuer field", (d) => (d.issuers[0].audience = "x"), "issuers[0].audience", /unknown field/],
    ["no routes", (d) => delete d.routes, "routes", /required/],
    ["empty routes", (d) => (d.routes = []), "routes"],
    ["route key missing", (d) => delete d.routes[1].route, "routes[1].route", /required/],
    ["route key malformed", (d) => (d.routes[1].route = "GET orders"), "routes[1].route", /must start with/],
    ["route method lower-case", (d) => (d.routes[1].route = "get /orders/{id}"), "routes[1].route", /unknown method/],
    ["duplicate route", (d) => d.routes.push({ route: "GET /health", public: true }), "routes[2].route", /duplicate of routes\[0\]/],
    ["duplicate route by shape", (d) => d.routes.push({ route: "GET /orders/{orderId}", audience: "a" }), "routes[2].route", /duplicate of routes\[1\]/],
    ["duplicate $default", (d) => d.routes.push({ route: "$default", public: true }, { route: "$default", public: true }), "routes[3].route", /duplicate/],
    ["protected without audience", (d) => delete d.routes[1].audience, "routes[1].audience", /required for a protected route/],
    ["public: false without audience", (d) => d.routes.push({ route: "GET /x", public: false }), "routes[2].audience", /required/],
    ["audience empty string", (d) => (d.routes[1].audience = ""), "routes[1].audience"],
    ["audience empty list", (d) => (d.routes[1].audience = []), "routes[1].audience"],
    ["audience a number", (d) => (d.routes[1].audience = 1), "routes[1].audience"],
    ["public not a boolean", (d) => (d.routes[0].public = "true"), "routes[0].public"],
    ["public with audience", (d) => (d.routes[0].audience = "x"), "routes[0].audience", /public route/],
    ["public with scopes", (d) => (d.routes[0].scopes = ["a"]), "routes[0].scopes", /public route/],
    ["public with anyScopes", (d) => (d.routes[0].anyScopes = ["a"]), "routes[0].anyScopes", /public route/],
    ["public with claims", (d) => (d.routes[0].claims = { a: "b" }), "routes[0].claims", /public route/],
    ["public with issuers", (d) => (d.routes[0].issuers = [ISSUER]), "routes[0].issuers", /public route/],
    ["scopes not a list", (d) => (d.routes[1].scopes = "orders:read"), "routes[1].scopes"],
    ["scope with a space", (d) => (d.routes[1].scopes = ["orders:read orders:write"]), "routes[1].scopes[0]", /whitespace/],
    ["anyScopes with a number", (d) => (d.routes[1].anyScopes = [1]), "routes[1].anyScopes[0]"],
    ["claims not an object", (d) => (d.routes[1].claims = ["a"]), "routes[1].claims"],
    ["claim value not a string", (d) => (d.routes[1].claims = { tenant: 1 }), "routes[1].claims.tenant"],
    ["claim template of a missing param", (d) => (d.routes[1].claims = { tenant: "{tenant}" }), "routes[1].claims.tenant", /\{tenant\}.*it has \{id\}/],
    ["claim template inside text", (d) => (d.routes[1].claims = { tenant: "t-{id}" }), "routes[1].claims.tenant", /whole value/],
    ["claim template on $default", (d) => d.routes.push({ route: "$default", audience: "a", claims: { t: "{id}" } }), "routes[2].claims.t"],
    ["route issuer not configured", (d) => (d.routes[1].issuers = ["https://other/"]), "routes[1].issuers[0]", /not configured/],
    ["route issuers empty", (d) => (d.routes[1].issuers = []), "routes[1].issuers"],
    ["unknown route field", (d) => (d.routes[1].audiance = "x"), "routes[1].audiance", /unknown field/],
    ["jwks not an object", (d) => (d.jwks = 5), "jwks"],
    ["jwks cacheMaxAge zero", (d) => (d.jwks = { cacheMaxAgeSeconds: 0 }), "jwks.cacheMaxAgeSeconds"],
    ["jwks cooldown fractional", (d) => (d.jwks = { cooldownSeconds: 0.5 }), "jwks.cooldownSeconds"],
    ["jwks timeout too long", (d) => (d.jwks = { timeoutMs: 15_000_000 }), "jwks.timeoutMs"],
    ["jwks maxStale negative", (d) => (d.jwks = { maxStaleSeconds: -1 }), "jwks.maxStaleSeconds"],
    ["jwks maxBytes a string", (d) => (d.jwks = { maxBytes: "150000" }), "jwks.maxBytes"],
    ["jwks unknown field", (d) => (d.jwks = { timeout: 5 }), "jwks.timeout", /unknown field/],
    ["tokenSources empty", (d) => (d.tokenSources = []), "tokenSources"],
    ["tokenSources bad kind", (d) => (d.tokenSources = ["body:token"]), "tokenSources[0]"],
    ["tokenSources no name", (d) => (d.tokenSources = ["header:"]), "tokenSources[0]"],
    ["tokenSources bad name", (d) => (d.tokenSources = ["header:x token"]), "tokenSources[0]"],
    ["tokenSources duplicate", (d) => (d.tokenSources = ["header:Authorization", "header:authorization"]), "tokenSources[1]", /duplicate/],
    ["tokenSources cookie header", (d) => (d.tokenSources = ["header:cookie"]), "tokenSources[0]", /cookie:NAME/],
    ["forward not an object", (d) => (d.forward = true), "forward"],
    ["headerPrefix empty", (d) => (d.forward = { headerPrefix: "" }), "forward.headerPrefix"],
    ["headerPrefix upper-case", (d) => (d.forward = { headerPrefix: "X-Auth-" }), "forward.headerPrefix"],
    ["headerPrefix with a space", (d) => (d.forward = { headerPrefix: "x auth-" }), "forward.headerPrefix"],
    ["claim header outside the prefix", (d) => (d.forward = { claimHeaders: { sub: "x-user" } }), "forward.claimHeaders.sub", /headerPrefix/],
    ["claim header equal to the prefix", (d) => (d.forward = { claimHeaders: { sub: "x-auth-" } }), "forward.claimHeaders.sub"],
    ["claim header invalid", (d) => (d.forward = { claimHeaders: { sub: "x-auth-su b" } }), "forward.claimHeaders.sub", /valid header/],
    ["claim header twice", (d) => (d.forward = { claimHeaders: { sub: "x-auth-id", oid: "X-Auth-Id" } }), "forward.claimHeaders.oid", /two claims/],
    ["keepAuthorization a string", (d) => (d.forward = { keepAuthorization: "no" }), "forward.keepAuthorization"],
    ["forward unknown field", (d) => (d.forward = { prefix: "x-" }), "forward.prefix", /unknown field/],
    ["realm with a quote", (d) => (d.realm = 'a"b'), "realm", /quotes/],
    ["realm with a backslash", (d) => (d.realm = "a\\b"), "realm"],
    ["realm with a newline", (d) => (d.realm = "a\nb"), "realm"],
    ["realm empty", (d) => (d.realm = ""), "realm"],
    ["cache size negative", (d) => (d.verifiedTokenCacheSize = -1), "verifiedTokenCacheSize"],
    ["cache size too large", (d) => (d.verifiedTokenCacheSize = 1_000_001), "verifiedTokenCacheSize"],
    ["unknown top-level field", (d) => (d.route = []), "route", /unknown field/],
    ["unknown odd field name", (d) => (d["my field"] = 1), '$["my field"]', /unknown field/],
  ])("%s", (_, edit, path, message) => {
    expectProblem(edit, path, message);
  });

  it("reports every problem of the document in one error", () => {
    const problems = problemsOf((d) => {
      d.issuers[0].algorithms = ["RS257", "none"];
      d.issuers[0].jwksUri = "http://auth.example.com/jwks";
      delete d.routes[1].audience;
      d.routes[0].scopes = ["x"];
      d.jwks = { timeoutMs: 0 };
      d.extra = true;
    });
    expect(problems.map((p) => p.path)).toEqual(
      expect.arrayContaining([
        "issuers[0].algorithms[0]", "issuers[0].algorithms[1]", "issuers[0].jwksUri",
        "routes[1].audience", "routes[0].scopes", "jwks.timeoutMs", "extra",
      ]),
    );
    expect(() => parseConfig(JSON.stringify({ ...valid(), realm: 'a"', routes: [] }))).toThrow(
      /2 problems[\s\S]*routes: [\s\S]*realm: /,
    );
  });

  it("does not report a route's issuer as unknown when that issuer itself has a problem", () => {
    const problems = problemsOf((d) => {
      d.issuers[0].algorithms = ["RS257"];
      d.routes[1].issuers = [ISSUER];
    });
    expect(problems.map((p) => p.path)).toEqual(["issuers[0].algorithms[0]"]);
  });
});

describe("parseConfig checks inline keys at start, with the policy fetched keys meet", () => {
  const inline = (keys: unknown[], algorithms = ["RS256"]) => (d: Record<string, any>) =>
    Object.assign(d.issuers[0], { jwksUri: undefined, jwks: { keys }, algorithms });
  const short = "c2hvcnQtc2VjcmV0LTE2Yg"; // 16 bytes

  it.each<[string, unknown[], string[], string, RegExp]>([
    ["an RSA modulus of 16 bits", [{ kty: "RSA", n: "AQAB", e: "AQAB" }], ["RS256"], "issuers[0].jwks.keys[0]", /modulus shorter than 2048/],
    ["RSA exponent 1", [{ ...STATIC_RSA_JWK, e: "AQ" }], ["RS256"], "issuers[0].jwks.keys[0]", /exponent/],
    ["an HMAC secret shorter than its hash", [{ kty: "oct", k: short }], ["HS256"], "issuers[0].jwks.keys[0]", /shorter than the hash/],
    ["a key for encryption", [{ ...STATIC_RSA_JWK, use: "enc" }], ["RS256"], "issuers[0].jwks.keys[0]", /use is not "sig"/],
    ["a key pinned to another algorithm", [{ ...STATIC_RSA_JWK, alg: "RS512" }], ["RS256"], "issuers[0].jwks.keys[0]", /no algorithm allowed/],
    ["a key no allowed algorithm fits", [STATIC_EC_JWK], ["RS256"], "issuers[0].jwks.keys[0]", /no algorithm allowed/],
    ["a non-canonical coordinate", [{ ...STATIC_EC_JWK, x: `${STATIC_EC_JWK.x}=` }], ["ES256"], "issuers[0].jwks.keys[0]", /canonical base64url/],
    ["a bad key after a good one", [STATIC_RSA_JWK, { kty: "RSA", n: "AQAB", e: "AQAB" }], ["RS256"], "issuers[0].jwks.keys[1]", /modulus/],
    ["two keys under one kid", [STATIC_RSA_JWK, { ...STATIC_RSA_JWK }], ["RS256"], "issuers[0].jwks.keys[1].kid", /same type has this kid/],
  ])("refuses %s", (_name, keys, algorithms, path, message) => {
    expectProblem(inline(keys, algorithms), path, message);
  });

  it("names the key in the error users see, and accepts real keys", () => {
    const doc = valid();
    inline([STATIC_RSA_JWK, { kty: "RSA", kid: "fake", n: "AQAB", e: "AQAB" }])(doc);
    expect(() => parseConfig(doc)).toThrow(/issuers\[0\]\.jwks\.keys\[1\]: RSA modulus shorter than 2048 bits/);
    const ok = valid();
    inline([STATIC_EC_JWK], ["ES256"])(ok);
    expect(parseConfig(ok).issuers[0]?.jwks?.keys).toHaveLength(1);
  });

  it("reports a key once, not again for the policy, when it already broke a configuration rule", () => {
    const problems = problemsOf(inline([{ ...STATIC_RSA_JWK, d: "AQAB" }]));
    expect(problems).toEqual([{ path: "issuers[0].jwks.keys[0].d", message: expect.stringMatching(/private/) }]);
  });
});

describe("configWarnings", () => {
  const paths = (doc: Record<string, any>) => configWarnings(parseConfig(doc)).map((w) => w.path);

  it("is silent for a sound configuration", () => {
    expect(paths(valid())).toEqual([]);
  });

  it("warns about HS* shared by several routes or audiences", () => {
    const doc = valid();
    doc.issuers[0] = { issuer: ISSUER, jwks: hsJwks, algorithms: ["HS256"] };
    expect(paths(doc)).toEqual([]);
    doc.routes.push({ route: "POST /orders", audience: "billing-api" });
    expect(paths(doc)).toEqual(["issuers[0].algorithms"]);
  });

  it("warns about a long clock tolerance, a short stale window and http loopback", () => {
    const doc = valid();
    doc.issuers[0].clockToleranceSeconds = 121;
    doc.issuers[0].jwksUri = "http://localhost:8787/jwks";
    doc.jwks = { cacheMaxAgeSeconds: 600, maxStaleSeconds: 599 };
    expect(paths(doc)).toEqual(["issuers[0].clockToleranceSeconds", "issuers[0].jwksUri", "jwks.maxStaleSeconds"]);
    doc.issuers[0].clockToleranceSeconds = 120;
    doc.jwks = { cacheMaxAgeSeconds: 600, maxStaleSeconds: 600 };
    expect(paths(doc)).toEqual(["issuers[0].jwksUri"]);
  });
});

describe("odd member names", () => {
  it("keeps a claim named __proto__ as an own member, not a prototype", () => {
    const doc = valid();
    doc.routes[1].claims = JSON.parse('{"__proto__": "x"}');
    doc.forward = { claimHeaders: JSON.parse('{"__proto__": "x-auth-p"}') };
    const config = parseConfig(doc);
    expect(Object.getOwnPropertyDescriptor(config.routes[1]?.claims, "__proto__")?.value).toBe("x");
    expect(Object.getOwnPropertyDescriptor(config.forward.claimHeaders, "__proto__")?.value).toBe("x-auth-p");
  });
});
