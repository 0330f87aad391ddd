import { beforeAll, describe, expect, it } from "vitest";
import { buildCli, runCli, writeJsonFiles } from "./support/cli.js";

const ISSUER = { issuer: "https://auth.example.com/", jwksUri: "https://auth.example.com/.well-known/jwks.json", algorithms: ["ES256"] };
const GOOD = {
  issuers: [ISSUER],
  routes: [
    { route: "GET /health", public: true },
    { route: "GET /orders/{id}", audience: "orders-api", scopes: ["orders:read"] },
  ],
};
const BAD = {
  issuers: [{ ...ISSUER, algorithms: ["none"], jwksUri: "http://auth.example.com/jwks.json" }],
  routes: [
    { route: "GET /orders/{id}", scopes: ["orders:read"] },
    { route: "FETCH /orders", audience: "orders-api" },
    { route: "GET /tenants/{tenant}", audience: "orders-api", claims: { tenant_id: "{tenant_slug}" } },
  ],
  jwks: { cacheMaxAgeSecond: 600 },
};
const WARNY = {
  issuers: [{ ...ISSUER, clockToleranceSeconds: 300 }],
  routes: GOOD.routes,
  jwks: { cacheMaxAgeSeconds: 600, maxStaleSeconds: 60 },
};

/** GET /orders/export sits beside GET /orders/{id}; the tenant route binds a claim to its parameter. */
const OVERLAPPING = {
  issuers: [ISSUER],
  routes: [
    { route: "GET /orders/{id}", audience: "orders-api", scopes: ["orders:read"] },
    { route: "GET /orders/export", audience: "orders-api", scopes: ["orders:export"] },
    { route: "GET /tenants/{tenant}/orders", audience: "orders-api", claims: { tenant_id: "{tenant}" } },
  ],
};

let bin: string;
let files: Record<string, string>;
beforeAll(async () => {
  bin = await buildCli();
  files = await writeJsonFiles({ "good.json": GOOD, "bad.json": BAD, "warny.json": WARNY, "broken.json": '{"issuers": [', "overlapping.json": OVERLAPPING });
});

describe("edge-authorizer check-config", () => {
  it("accepts a valid configuration with exit code 0", async () => {
    const result = await runCli(bin, ["check-config", files["good.json"] as string]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("valid: both runtimes would start");
    expect(result.stdout).not.toContain("error");
  });

  it("prints every error by its JSON path and exits 1", async () => {
    const result = await runCli(bin, ["check-config", files["bad.json"] as string]);
    expect(result.code).toBe(1);
    for (const path of [
      "issuers[0].algorithms[0]:",
      "issuers[0].jwksUri:",
      "routes[0].audience:",
      "routes[1].route:",
      "routes[2].claims.tenant_id:",
      "jwks.cacheMaxAgeSecond:",
    ]) {
      expect(result.stdout).toContain(`error    ${path}`);
    }
  });

  it("gives the same problems as JSON with --json", async () => {
    const result = await runCli(bin, ["check-config", "--json", files["bad.json"] as string]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ command: "check-config", ok: false, exitCode: 1 });
    expect(report.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(["issuers[0].algorithms[0]", "routes[0].audience", "routes[1].route", "jwks.cacheMaxAgeSecond"]),
    );
  });

  it("reports a JSON syntax error at $", async () => {
    const result = await runCli(bin, ["check-config", "--json", files["broken.json"] as string]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).errors[0].path).toBe("$");
  });

  it("prints warnings; exit 0, or 2 with --strict", async () => {
    const relaxed = await runCli(bin, ["check-config", files["warny.json"] as string]);
    expect(relaxed.code).toBe(0);
    expect(relaxed.stdout).toContain("warning  issuers[0].clockToleranceSeconds:");
    expect(relaxed.stdout).toContain("warning  jwks.maxStaleSeconds:");
    const strict = await runCli(bin, ["check-config", "--strict", "--json", files["warny.json"] as string]);
    expect(strict.code).toBe(2);
    const report = JSON.parse(strict.stdout);
    expect(report.warnings.map((w: { path: string; kind: string }) => `${w.kind} ${w.path}`)).toEqual([
      "config issuers[0].clockToleranceSeconds",
      "config jwks.maxStaleSeconds",
    ]);
    const clean = await runCli(bin, ["check-config", "--strict", files["good.json"] as string]);
    expect(clean.code).toBe(0);
  });

  it("warns about HMAC serving several audiences and a plain-http loopback jwksUri", async () => {
    const { path } = { path: (await writeJsonFiles({ "c.json": {
      issuers: [
        { issuer: "https://hs.example.com/", jwks: { keys: [{ kty: "oct", k: "a".repeat(64), kid: "s1" }] }, algorithms: ["HS256"] },
        { issuer: "http://127.0.0.1:8788/", jwksUri: "http://127.0.0.1:8788/.well-known/jwks.json", algorithms: ["ES256"] },
      ],
      routes: [
        { route: "GET /a", audience: "a-api" },
        { route: "GET /b", audience: "b-api" },
      ],
    } }))["c.json"] as string };
    const result = await runCli(bin, ["check-config", "--json", path]);
    const report = JSON.parse(result.stdout);
    expect(result.code).toBe(0);
    expect(report.warnings.map((w: { path: string }) => w.path)).toEqual(["issuers[0].algorithms", "issuers[1].jwksUri"]);
  });

  it("gives the Lambda's IAM-wildcard and claim-template warnings, with both routes and the remedy", async () => {
    const relaxed = await runCli(bin, ["check-config", files["overlapping.json"] as string]);
    expect(relaxed.code).toBe(0);
    expect(relaxed.stdout).not.toContain("not part of this build");
    expect(relaxed.stdout).toMatch(
      /warning {2}routes\[1\]\.route: IAM wildcards cannot tell "GET \/orders\/export" from "GET \/orders\/\{id\}".*set the authorizer result TTL to 0.*AUTHORIZER_CACHE=per-request.* {2}\[Lambda\]$/m,
    );
    expect(relaxed.stdout).toMatch(/warning {2}routes\[2\]\.claims: HTTP API simple responses .*HTTP_API_RESPONSE=iam.* {2}\[Lambda\]$/m);

    const strict = await runCli(bin, ["check-config", "--strict", "--json", files["overlapping.json"] as string]);
    expect(strict.code).toBe(2);
    const report = JSON.parse(strict.stdout);
    expect(report).toMatchObject({ ok: true, errors: [], notes: [], exitCode: 2 });
    expect(report.warnings).toEqual([
      { path: "routes[1].route", kind: "iam", runtime: "lambda", message: expect.stringMatching(/"GET \/orders\/export" from "GET \/orders\/\{id\}".*TTL to 0/) },
      { path: "routes[2].claims", kind: "iam", runtime: "lambda", message: expect.stringContaining("HTTP_API_RESPONSE=iam") },
    ]);
  });

  it("judges the Lambda's variables from the environment as readSettings does", async () => {
    const file = files["overlapping.json"] as string;
    const bad = await runCli(bin, ["check-config", file], {
      env: { HTTP_API_RESPONSE: "boolean", AUTHORIZER_CACHE: "sometimes", CONTEXT_CLAIMS: "tenant_id,principalId" },
    });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain("3 errors: the Lambda would refuse to start");
    expect(bad.stdout).toMatch(/^ {2}Worker {3}starts /m);
    expect(bad.stdout).toMatch(/^ {2}Lambda {3}refuses .*HTTP_API_RESPONSE, AUTHORIZER_CACHE, CONTEXT_CLAIMS from the environment/m);
    for (const path of ["HTTP_API_RESPONSE:", "AUTHORIZER_CACHE:", "CONTEXT_CLAIMS[1]:"]) {
      expect(bad.stdout).toMatch(new RegExp(`error {4}${path.replace(/[[\]]/g, "\\$&")} .* {2}\\[Lambda\\]$`, "m"));
    }

    // Simple answers said explicitly, cached per token (the default): a claim template refuses to start.
    const simple = JSON.parse((await runCli(bin, ["check-config", "--json", file], { env: { HTTP_API_RESPONSE: "simple" } })).stdout);
    expect(simple).toMatchObject({ ok: false, exitCode: 1, runtimes: { worker: { starts: true }, lambda: { starts: false, fromEnvironment: ["HTTP_API_RESPONSE"] } } });
    expect(simple.errors).toEqual([{ path: "routes[2].claims", runtime: "lambda", message: expect.stringContaining("GET /tenants/{tenant}/orders") }]);
    expect(simple.warnings.map((w: { path: string }) => w.path)).toEqual(["routes[1].route"]);

    // IAM answers: the claim-template warning is moot; per-request answers: every Lambda warning is.
    const iam = JSON.parse((await runCli(bin, ["check-config", "--json", file], { env: { HTTP_API_RESPONSE: "iam" } })).stdout);
    expect(iam).toMatchObject({ ok: true, exitCode: 0, errors: [] });
    expect(iam.warnings.map((w: { path: string }) => w.path)).toEqual(["routes[1].route"]);
    const exact = await runCli(bin, ["check-config", "--strict", file], { env: { AUTHORIZER_CACHE: "per-request", CONTEXT_CLAIMS: "tenant_id" } });
    expect(exact.code).toBe(0);
    expect(exact.stdout).not.toContain("  warning  ");
    expect(exact.stdout).toContain("note     AUTHORIZER_CACHE=per-request");
  });

  it("judges the Worker's UPSTREAM_URL when set, and says what each runtime was judged with", async () => {
    const good = files["good.json"] as string;
    const plain = await runCli(bin, ["check-config", good]);
    expect(plain.stdout).toMatch(/^ {2}Worker {3}starts {3}\(judged with AUTHORIZER_CONFIG; UPSTREAM_URL not set\)$/m);
    expect(plain.stdout).toMatch(/^ {2}Lambda {3}starts {3}\(judged with AUTHORIZER_CONFIG; HTTP_API_RESPONSE, AUTHORIZER_CACHE, CONTEXT_CLAIMS.* not set\)$/m);
    const ok = await runCli(bin, ["check-config", good], { env: { UPSTREAM_URL: "https://origin.example.com/api" } });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("UPSTREAM_URL from the environment");
    for (const [value, message] of [["ftp://origin.example.com", "must be an http(s) URL"], ["https://origin.example.com/?a=1", "must not have a query or fragment"], ["origin", "not a valid URL"]] as const) {
      const bad = await runCli(bin, ["check-config", "--json", good], { env: { UPSTREAM_URL: value } });
      expect(bad.code).toBe(1);
      const report = JSON.parse(bad.stdout);
      expect(report.errors).toEqual([{ path: "UPSTREAM_URL", message, runtime: "worker" }]);
      expect(report.runtimes).toMatchObject({ worker: { starts: false }, lambda: { starts: true } });
    }
    const text = await runCli(bin, ["check-config", good], { env: { UPSTREAM_URL: "origin" } });
    expect(text.stdout).toContain("1 error: the Worker would refuse to start");
    expect(text.stdout).toContain("error    UPSTREAM_URL: not a valid URL  [Worker]");
  });

  it("names the runtimes a shared configuration error concerns", async () => {
    const result = await runCli(bin, ["check-config", files["bad.json"] as string], { env: { HTTP_API_RESPONSE: "iam" } });
    expect(result.stdout).toContain("errors: both runtimes would refuse to start");
    expect(result.stdout).toMatch(/error {4}routes\[0\]\.audience: .* {2}\[both runtimes\]$/m);
    // Lambda problems with the configuration are the configuration's, reported once.
    expect(result.stdout).not.toContain("AUTHORIZER_CONFIG routes");
  });

  it("reads AUTHORIZER_CONFIG from the environment when no FILE is given", async () => {
    const ok = await runCli(bin, ["check-config"], { env: { AUTHORIZER_CONFIG: JSON.stringify(GOOD) } });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("check-config AUTHORIZER_CONFIG");
    const bad = await runCli(bin, ["check-config"], { env: { AUTHORIZER_CONFIG: JSON.stringify(BAD) } });
    expect(bad.code).toBe(1);
    const none = await runCli(bin, ["check-config"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("no configuration");
  });

  it("refuses a missing file and a malformed command line", async () => {
    const missing = await runCli(bin, ["check-config", "/nonexistent/config.json"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no such file");
    expect((await runCli(bin, ["check-config", "--nope"])).code).toBe(64);
    expect((await runCli(bin, ["frobnicate"])).code).toBe(64);
  });

  it("points token minting at the repository's development issuer", async () => {
    const result = await runCli(bin, ["token", "--aud", "orders-api"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("npm run --silent token -- --aud orders-api");
  });
});
