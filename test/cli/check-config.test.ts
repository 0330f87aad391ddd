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

let bin: string;
let files: Record<string, string>;
beforeAll(async () => {
  bin = await buildCli();
  files = await writeJsonFiles({ "good.json": GOOD, "bad.json": BAD, "warny.json": WARNY, "broken.json": '{"issuers": [' });
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
