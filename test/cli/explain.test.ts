import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startJwksServer, type JwksServer } from "../support/jwks-server.js";
import { generateTestKey, jwksOf, mintToken, TEST_ISSUER, type TestKey } from "../support/keys.js";
import { buildCli, runCli, writeJsonFiles, type CliResult } from "./support/cli.js";

const NOW = 1_800_000_000;
const JWKS_URI = "https://issuer.test/.well-known/jwks.json";
const PARTNER_ISSUER = "https://partner.test/";
const ROUTES = [
  { route: "GET /health", public: true },
  { route: "GET /orders/{id}", audience: "orders-api", scopes: ["orders:read"] },
  { route: "POST /orders", audience: "orders-api", scopes: ["orders:write"] },
  { route: "GET /tenants/{tenant}/orders", audience: "orders-api", claims: { tenant_id: "{tenant}" } },
];

let bin: string;
let key: TestKey;
let otherKey: TestKey;
let files: Record<string, string>;
let server: JwksServer;
/** Every token minted here, to prove that no output ever contains one or its signature. */
const minted: string[] = [];

async function mint(claims: Record<string, unknown> = {}, options: { header?: Record<string, unknown>; key?: TestKey; lifetimeSeconds?: number } = {}) {
  const token = await mintToken(options.key ?? key, {
    nowSeconds: NOW,
    claims: { tenant_id: "acme", ...claims },
    ...(options.header ? { header: options.header } : {}),
    ...(options.lifetimeSeconds ? { lifetimeSeconds: options.lifetimeSeconds } : {}),
  });
  minted.push(token);
  return token;
}

function explain(route: string, token: string | undefined, extra: string[] = [], config = "config.json"): Promise<CliResult> {
  const args = ["explain", "--config", files[config] as string, "--route", route, "--now", String(NOW + 10), ...extra];
  if (!extra.includes("--fetch") && !extra.includes("--jwks")) args.push("--jwks", files["jwks.json"] as string);
  // The token goes in on stdin (as `-`), the way a careful user passes it (not in shell history).
  return runCli(bin, [...args, "--json", "-"], { stdin: token ?? "" });
}

function report(result: CliResult) {
  expectNoToken(result);
  return JSON.parse(result.stdout);
}

function expectNoToken(result: CliResult): void {
  for (const token of minted) {
    const signature = token.split(".")[2] as string;
    expect(result.stdout).not.toContain(signature);
    expect(result.stderr).not.toContain(signature);
  }
}

beforeAll(async () => {
  [bin, key, otherKey] = await Promise.all([buildCli(), generateTestKey("ES256", "k1"), generateTestKey("ES256", "k1")]);
  server = await startJwksServer({ jwks: jwksOf(key) });
  const issuer = { issuer: TEST_ISSUER, jwksUri: JWKS_URI, algorithms: ["ES256"], tokenTypes: ["at+jwt"] };
  files = await writeJsonFiles({
    "config.json": { issuers: [issuer], routes: ROUTES, forward: { claimHeaders: { sub: "x-auth-sub" } } },
    "served.json": { issuers: [{ ...issuer, jwksUri: server.url }], routes: ROUTES, jwks: { timeoutMs: 1000 } },
    "bad.json": { issuers: [issuer], routes: [{ route: "GET /x" }] },
    // The same issuer with an age limit and a required claim, beside a partner issuer that alone
    // may call /partners.
    "strict.json": {
      issuers: [
        { ...issuer, maxTokenAgeSeconds: 600, requiredClaims: ["client_id"] },
        { issuer: PARTNER_ISSUER, jwksUri: "https://partner.test/jwks.json", algorithms: ["ES256"] },
      ],
      routes: [...ROUTES, { route: "GET /partners/{id}", audience: "orders-api", issuers: [PARTNER_ISSUER] }],
    },
    "jwks.json": jwksOf(key),
    // Two keys under kid k1 (which one the token means is ambiguous, so neither is used) beside a
    // usable k2: the key set loads, the lookup of k1 fails.
    "duplicate-kid.json": jwksOf(key, otherKey, await generateTestKey("ES256", "k2")),
  });
});
afterAll(() => server?.close());

describe("edge-authorizer explain: every failure class names its step", () => {
  const cases: {
    name: string;
    route: string;
    token: () => Promise<string>;
    step: string;
    code: string;
    status: number;
    config?: string;
    extra?: string[];
  }[] = [
    { name: "expired", route: "GET /orders/1", token: () => mint({ iat: NOW - 7200, nbf: NOW - 7200, exp: NOW - 3600 }), step: "exp", code: "ERR_JWT_EXPIRED", status: 401 },
    { name: "not yet valid", route: "GET /orders/1", token: () => mint({ nbf: NOW + 3600 }), step: "nbf", code: "ERR_JWT_NOT_YET_VALID", status: 401 },
    { name: "wrong audience", route: "GET /orders/1", token: () => mint({ aud: "billing-api" }), step: "audience", code: "ERR_JWT_AUDIENCE_MISMATCH", status: 401 },
    { name: "bad signature (another key, same kid)", route: "GET /orders/1", token: () => mint({}, { key: otherKey }), step: "signature", code: "ERR_JWS_SIGNATURE_INVALID", status: 401 },
    { name: "unknown kid", route: "GET /orders/1", token: () => mint({}, { header: { kid: "rotated-away" } }), step: "key", code: "ERR_JWKS_NO_MATCHING_KEY", status: 401 },
    { name: "wrong issuer", route: "GET /orders/1", token: () => mint({ iss: "https://evil.example/" }), step: "issuer", code: "ERR_JWT_ISSUER_UNKNOWN", status: 401 },
    { name: "algorithm not allowed", route: "GET /orders/1", token: async () => mint({}, { key: await generateTestKey("ES384", "k1") }), step: "algorithm", code: "ERR_JWS_ALG_NOT_ALLOWED", status: 401 },
    { name: "wrong typ", route: "GET /orders/1", token: () => mint({}, { header: { typ: "JWT" } }), step: "token-type", code: "ERR_JWT_TYPE_MISMATCH", status: 401 },
    { name: "exp missing", route: "GET /orders/1", token: () => mint({ exp: undefined }), step: "claim-types", code: "ERR_JWT_CLAIM_MISSING", status: 401 },
    { name: "missing scope", route: "POST /orders", token: () => mint(), step: "scopes", code: "ERR_SCOPE_INSUFFICIENT", status: 403 },
    { name: "claim mismatch", route: "GET /tenants/globex/orders", token: () => mint(), step: "claim-bindings", code: "ERR_CLAIM_MISMATCH", status: 403 },
    { name: "no route", route: "DELETE /orders/1", token: () => mint(), step: "route-found", code: "ERR_ROUTE_NOT_FOUND", status: 403 },
    { name: "malformed", route: "GET /orders/1", token: async () => "eyJhbGciOiJFUzI1NiJ9.e30", step: "header", code: "ERR_JWS_INVALID", status: 401 },
    { name: "no token", route: "GET /orders/1", token: async () => "", step: "token", code: "ERR_TOKEN_MISSING", status: 401 },
    { name: "path the core refuses", route: "GET /orders/..%2Fadmin", token: () => mint(), step: "path", code: "ERR_PATH_INVALID", status: 400 },
    // Issued one hour after the clock (NOW + 10), beyond the default leeway; nbf and exp are fine.
    { name: "issued in the future", route: "GET /orders/1", token: () => mint({ iat: NOW + 3600 }), step: "iat", code: "ERR_JWT_ISSUED_IN_FUTURE", status: 401 },
    {
      name: "older than maxTokenAgeSeconds", route: "GET /orders/1", config: "strict.json",
      token: () => mint({ iat: NOW - 3600, nbf: NOW - 3600, exp: NOW + 300 }), step: "max-age", code: "ERR_JWT_TOO_OLD", status: 401,
    },
    {
      name: "required claim missing", route: "GET /orders/1", config: "strict.json",
      token: () => mint({ client_id: undefined }), step: "required-claims", code: "ERR_JWT_CLAIM_MISSING", status: 401,
    },
    {
      name: "issuer not allowed on the route", route: "GET /partners/7", config: "strict.json",
      token: () => mint(), step: "route-issuer", code: "ERR_JWT_ISSUER_NOT_ALLOWED", status: 401,
    },
    {
      name: "duplicate kid (ambiguous key)", route: "GET /orders/1", extra: ["--jwks", "duplicate-kid.json"],
      token: () => mint(), step: "key", code: "ERR_JWKS_MULTIPLE_MATCHING_KEYS", status: 401,
    },
  ];

  it.each(cases)("$name: fails at $step with $code, exit 1", async ({ route, token, step, code, status, config, extra }) => {
    const args = (extra ?? []).map((a) => files[a] ?? a);
    const result = await explain(route, await token(), args, config);
    expect(result.code).toBe(1);
    const r = report(result);
    expect(r.failedStep).toBe(step);
    expect(r.decision).toMatchObject({ allow: false, status, code });
    expect(r.disagreements).toEqual([]);
    const last = r.steps.at(-1);
    expect(last).toMatchObject({ id: step, outcome: "fail", code });
    expect(r.steps.slice(0, -1).every((s: { outcome: string }) => s.outcome !== "fail")).toBe(true);
    expect(r.worker).toMatchObject({ action: "answer", status });
    expect(r.decisionLog).toMatchObject({ event: "decision", decision: "deny", code });
  });

  it("text output marks the failing step and shows both runtimes' answers for a 401", async () => {
    const result = await runCli(bin, [
      "explain", "--config", files["config.json"] as string, "--route", "GET /orders/1", "--jwks", files["jwks.json"] as string,
      "--now", String(NOW + 10), await mint({ iat: NOW - 7200, nbf: NOW - 7200, exp: NOW - 3600 }),
    ]);
    expectNoToken(result);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL {2}not expired \(exp\) +the access token expired: exp 1799996400 .*expired 1h 0m ago/);
    expect(result.stdout).toContain("decision: DENY 401 ERR_JWT_EXPIRED");
    expect(result.stdout).toContain('www-authenticate: Bearer realm="edge-authorizer", error="invalid_token", error_description="the access token expired"');
    expect(result.stdout).toContain('throws Error("Unauthorized"): API Gateway answers 401 Unauthorized');
    expect(result.stdout).toContain('{"isAuthorized":false,"context":{}}');
  });

  it("a 403 shows the Lambda's cached policy: what this token may call later and what not", async () => {
    const r = report(await explain("POST /orders", await mint()));
    expect(r.worker.headers["www-authenticate"]).toContain('error="insufficient_scope"');
    expect(r.worker.headers["www-authenticate"]).toContain('scope="orders:write"');
    expect(r.lambda.iam.outcome).toBe("policy");
    expect(r.lambda.iam.result.principalId).toBe("user-1");
    const verdicts = Object.fromEntries(r.lambda.iam.routes.map((p: { request: string; allowed: boolean }) => [p.request, p.allowed]));
    expect(verdicts).toEqual({
      "GET /health": true,
      "GET /orders/sample": true,
      "POST /orders": false,
      "GET /tenants/acme/orders": true,
    });
    expect(r.lambda.simple).toEqual({ outcome: "result", result: { isAuthorized: false, context: {} } });
  });
});

describe("edge-authorizer explain: allowed requests", () => {
  it("walks every step to ALLOW, exit 0, with identity headers and an Allow policy", async () => {
    const result = await explain("GET /orders/42", await mint());
    expect(result.code).toBe(0);
    const r = report(result);
    expect(r.failedStep).toBeNull();
    expect(r.steps.map((s: { id: string }) => s.id)).toEqual([
      "path", "route", "token", "header", "payload", "issuer", "algorithm", "token-type", "keys", "key", "signature",
      "claim-types", "required-claims", "exp", "nbf", "iat", "max-age", "route-issuer", "audience", "scopes", "claim-bindings",
    ]);
    expect(r.steps.every((s: { outcome: string }) => s.outcome === "ok")).toBe(true);
    expect(r.decision).toEqual({ allow: true, status: 200, code: null, route: "GET /orders/{id}" });
    expect(r.worker).toMatchObject({ action: "forward", identityHeaders: { "x-auth-sub": "user-1" } });
    expect(r.lambda.simple.result.isAuthorized).toBe(true);
    expect(r.hygiene).toEqual([]);
  });

  it("prints only the report on stdout (no EMF metric lines) and shows the Lambda's default simple answer for a claim template", async () => {
    const result = await explain("GET /tenants/acme/orders", await mint());
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("CloudWatchMetrics");
    const r = report(result);
    expect(r.decision).toMatchObject({ allow: true, route: "GET /tenants/{tenant}/orders" });
    expect(r.lambda.iam.outcome).toBe("policy");
    // HTTP_API_RESPONSE unset (simple, cached per token): a claim bound to a path parameter cannot
    // be carried by one cached boolean, so the Lambda refuses that request (lambdas/answers.ts).
    expect(r.lambda.simple).toEqual({ outcome: "result", result: { isAuthorized: false, context: {} } });
  });

  it("a public route needs no token", async () => {
    const result = await explain("GET /health", undefined);
    expect(result.code).toBe(0);
    const r = report(result);
    expect(r.steps.map((s: { id: string }) => s.id)).toEqual(["path", "route"]);
    expect(r.decision.allow).toBe(true);
  });

  it("fetches the JWKS from the issuer with --fetch, once", async () => {
    const before = server.requests;
    const result = await explain("GET /orders/1", await mint(), ["--fetch"], "served.json");
    expect(result.code).toBe(0);
    expect(report(result).steps.find((s: { id: string }) => s.id === "keys").detail).toContain(server.url);
    expect(server.requests - before).toBe(1);
  });

  it("a JWKS that cannot be fetched is the 503 the runtimes would give", async () => {
    server.behave({ kind: "status", status: 500 });
    try {
      const r = report(await explain("GET /orders/1", await mint(), ["--fetch"], "served.json"));
      expect(r.failedStep).toBe("keys");
      expect(r.decision).toMatchObject({ status: 503, code: "ERR_KEYS_UNAVAILABLE" });
      expect(r.worker.headers["retry-after"]).toBeDefined();
      expect(r.lambda.iam).toMatchObject({ outcome: "error" });
      expect(r.lambda.iam.error).not.toBe("Unauthorized");
    } finally {
      server.behave({ kind: "serve" });
    }
  });
});

describe("edge-authorizer explain: token hygiene", () => {
  it("warns about a long-lived token with personal data and no jti, naming claims but not values", async () => {
    const result = await explain("GET /orders/1", await mint({ jti: undefined, email: "alice@example.com", db_password: "hunter2" }, { lifetimeSeconds: 86_400 }));
    expect(result.code).toBe(0);
    const r = report(result);
    expect(r.hygiene.map((h: { kind: string }) => h.kind)).toEqual(["long_lived", "personal_data", "secret_claim", "no_jti"]);
    expect(r.decisionLog.hygiene).toBe("long_lived,personal_data,secret_claim,no_jti");
    expect(JSON.stringify(r.hygiene)).not.toContain("hunter2");
    expect(JSON.stringify(r.decisionLog)).not.toContain("alice@example.com");
  });

  it("warns about a large token", async () => {
    const r = report(await explain("GET /orders/1", await mint({ roles: Array.from({ length: 60 }, (_, i) => `role-${i}`) })));
    expect(r.hygiene.map((h: { kind: string }) => h.kind)).toEqual(["large"]);
  });

  it("says nothing for a clean short-lived token", async () => {
    const result = await runCli(bin, [
      "explain", "--config", files["config.json"] as string, "--route", "GET /orders/1", "--jwks", files["jwks.json"] as string,
      "--now", String(NOW + 10), await mint(),
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("token hygiene");
  });
});

describe("edge-authorizer explain: bad input", () => {
  it("refuses an invalid configuration with exit 2 and its errors", async () => {
    const result = await explain("GET /x", await mint(), [], "bad.json");
    expect(result.code).toBe(2);
    const r = JSON.parse(result.stdout);
    expect(r.problems.map((p: { path: string }) => p.path)).toContain("routes[0].audience");
  });

  it("asks for --jwks or --fetch when the issuer's keys are remote", async () => {
    const result = await runCli(bin, ["explain", "--config", files["config.json"] as string, "--route", "GET /orders/1", await mint()]);
    expectNoToken(result);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`the issuer publishes its keys at ${JWKS_URI}: pass --jwks FILE`);
  });

  it("refuses a malformed command line with exit 64", async () => {
    expect((await runCli(bin, ["explain", "--route", "GET /x"])).code).toBe(64);
    expect((await runCli(bin, ["explain", "--config", files["config.json"] as string, "--route", "orders"])).code).toBe(2);
    expect((await runCli(bin, ["explain", "--config", "x", "--route", "GET /", "--fetch", "--jwks", "y"])).code).toBe(64);
  });
});
