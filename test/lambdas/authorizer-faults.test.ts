/**
 * Faults never turn into an allow: JWKS outages (warm: keys from memory keep working; cold: a
 * non-Unauthorized error, so API Gateway answers 500), a bad configuration or environment (throws
 * and logs on every invocation), and events with missing or mistyped fields.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createLambdaHandler, type AuthorizerEvent } from "../../lambdas/authorizer.js";
import type { LogEntry } from "../../shared/index.js";
import type { JwksServer } from "../support/jwks-server.js";
import { mintToken, type TestKey } from "../support/keys.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIXTURE_NAMES, FIXTURES_DIR, FIXTURES_MISSING, fixturesGate, isCi, reportMissingFixtures, requestV1Event, requestV2Event, tokenEvent } from "./fixtures.js";
import { evaluatePolicy } from "./policy-evaluator.js";
import { startTestIssuer } from "./support/test-issuer.js";

const ROUTES = [{ route: "GET /orders/{id}", audience: "orders-api", scopes: ["orders:read"] }, { route: "GET /health", public: true }];

describe("the fixture gate (missing handout folder)", () => {
  it("skips with a message naming the folder and the missing files, outside CI", () => {
    const dir = mkdtempSync(join(tmpdir(), "aws-events-"));
    try {
      writeFileSync(join(dir, "rest-token-authorizer.json"), "{}");
      const warnings: string[] = [];
      const message = fixturesGate(dir, {}, (m) => void warnings.push(m));
      expect(message).toContain(dir);
      expect(message).toContain("rest-request-authorizer.json");
      expect(message).toContain("http-api-v2-request-authorizer.json");
      expect(message).not.toContain("rest-token-authorizer.json");
      expect(warnings).toEqual([`skipped: ${message}`]);
      expect(fixturesGate(join(dir, "absent"), { CI: "false" }, () => {})).toContain(join(dir, "absent"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fails loudly when CI is set, naming the folder", () => {
    const dir = join(tmpdir(), "no-such-aws-events-folder");
    for (const CI of ["true", "1", "yes"]) {
      let thrown: unknown;
      try {
        fixturesGate(dir, { CI }, () => {});
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(Error);
      expect((thrown as Error).message).toContain(dir);
      expect((thrown as Error).message).toContain("CI is set");
    }
    expect([isCi({}), isCi({ CI: "" }), isCi({ CI: "0" }), isCi({ CI: "false" }), isCi({ CI: "true" })]).toEqual([false, false, false, false, true]);
  });

  it("passes with every fixture present, CI or not", () => {
    const dir = mkdtempSync(join(tmpdir(), "aws-events-"));
    try {
      for (const name of FIXTURE_NAMES) writeFileSync(join(dir, `${name}.json`), "{}");
      expect(fixturesGate(dir, { CI: "true" }, () => {})).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // Under CI the handout must be there (fixtures.ts throws on import otherwise, failing this file).
  it.runIf(isCi())("CI: the real handout folder is present", () => {
    expect(FIXTURES_MISSING, FIXTURES_DIR).toBeUndefined();
  });
});

reportMissingFixtures("Lambda handler faults");

describe.skipIf(FIXTURES_MISSING !== undefined)("Lambda handler faults", () => {
  let server: JwksServer;
  let key: TestKey;
  let config: string;

  beforeAll(async () => {
    const issuer = await startTestIssuer("RS256");
    ({ key, server } = issuer);
    config = issuer.config(ROUTES, { jwks: { cacheMaxAgeSeconds: 60, maxStaleSeconds: 86400, timeoutMs: 500 } });
  });
  afterAll(async () => server?.close());

  it("after warm-up, a JWKS outage keeps valid tokens working from memory", async () => {
    let clock = Date.now();
    const handler = createLambdaHandler({ env: { AUTHORIZER_CONFIG: config }, log: () => {}, now: () => clock, writeMetric: () => {} });
    const first = (await handler(tokenEvent(await mintToken(key), "GET", "/orders/1") as AuthorizerEvent)) as any;
    expect(evaluatePolicy(first.policyDocument, tokenEvent("x", "GET", "/orders/1").methodArn)).toBe("allow");
    const fetchesBefore = server.requests;
    server.behave({ kind: "status", status: 503 });
    try {
      clock += 10 * 60_000; // past cacheMaxAgeSeconds: a refresh is due and fails
      const token = await mintToken(key, { nowSeconds: clock / 1000, claims: { sub: "bob" } });
      const answer = (await handler(tokenEvent(token, "GET", "/orders/2") as AuthorizerEvent)) as any;
      expect(answer.principalId).toBe("bob");
      expect(evaluatePolicy(answer.policyDocument, tokenEvent("x", "GET", "/orders/2").methodArn)).toBe("allow");
      expect(server.requests).toBeGreaterThan(fetchesBefore);
    } finally {
      server.behave({ kind: "serve" });
    }
  });

  it("from cold, a JWKS outage throws an error that is not Unauthorized (API Gateway answers 500)", async () => {
    server.behave({ kind: "status", status: 500 });
    try {
      for (const [e, env] of [
        [tokenEvent(await mintToken(key), "GET", "/orders/1"), {}],
        [requestV1Event(await mintToken(key), "GET", "/orders/1", "/orders/{id}"), {}],
        [requestV2Event(await mintToken(key), "GET", "/orders/1", "GET /orders/{id}"), {}],
        [requestV2Event(await mintToken(key), "GET", "/orders/1", "GET /orders/{id}"), { HTTP_API_RESPONSE: "iam" }],
      ] as [Record<string, any>, Record<string, string>][]) {
        const handler = createLambdaHandler({ env: { AUTHORIZER_CONFIG: config, ...env }, log: () => {}, writeMetric: () => {} });
        const error = await handler(e as AuthorizerEvent).then(() => undefined, (err: Error) => err);
        expect(error).toBeInstanceOf(Error);
        expect(error?.message).not.toBe("Unauthorized");
        expect(error?.message).not.toContain(e.headers?.Authorization ?? e.authorizationToken ?? "x");
      }
    } finally {
      server.behave({ kind: "serve" });
    }
  });

  it.each([
    ["a missing AUTHORIZER_CONFIG", {}],
    ["an invalid configuration", { AUTHORIZER_CONFIG: JSON.stringify({ issuers: [], routes: [] }) }],
    ["HTTP_API_RESPONSE neither simple nor iam", { AUTHORIZER_CONFIG: "", HTTP_API_RESPONSE: "policy" }],
  ] as [string, Record<string, string | undefined>][])("%s throws on every invocation and logs why, never allows", async (_name, env) => {
    const logs: LogEntry[] = [];
    const handler = createLambdaHandler({ env: { ...env, ...(env.AUTHORIZER_CONFIG === "" ? { AUTHORIZER_CONFIG: config } : {}) }, log: (_l, e) => void logs.push(e), writeMetric: () => {} });
    for (let i = 0; i < 2; i++) {
      const error = await handler(tokenEvent(await mintToken(key), "GET", "/health") as AuthorizerEvent).then(() => undefined, (err: Error) => err);
      expect(error).toBeInstanceOf(Error);
      expect(error?.message).not.toBe("Unauthorized");
    }
    expect(logs.filter((l) => l.event === "startup-failed")).toHaveLength(2);
  });

  describe("events with missing or mistyped fields never allow", () => {
    const cases: [string, () => Promise<Record<string, any>>][] = [
      ["TOKEN without methodArn", async () => { const e = tokenEvent(await mintToken(key), "GET", "/health"); delete e.methodArn; return e; }],
      ["TOKEN with a methodArn that is not an execute-api ARN", async () => ({ ...tokenEvent(await mintToken(key), "GET", "/health"), methodArn: "arn:aws:s3:::bucket/GET/health" })],
      ["unknown type", async () => ({ ...tokenEvent(await mintToken(key), "GET", "/health"), type: "COGNITO" })],
      ["REQUEST 1.0 with headers null", async () => ({ ...requestV1Event(await mintToken(key), "GET", "/health", "/health"), headers: null })],
      ["REQUEST 1.0 with multiValueHeaders only", async () => { const e = requestV1Event(await mintToken(key), "GET", "/health", "/health"); delete e.headers; return e; }],
      ["REQUEST 2.0 without routeArn", async () => { const e = requestV2Event(await mintToken(key), "GET", "/health", "GET /health"); delete e.routeArn; return e; }],
      ["REQUEST 2.0 with a method that disagrees with routeArn", async () => { const e = requestV2Event(await mintToken(key), "GET", "/health", "GET /health"); e.requestContext.http.method = "POST"; return e; }],
      ["not an object", async () => null as unknown as Record<string, any>],
    ];
    it.each(cases)("%s", async (_name, make) => {
      const logs: LogEntry[] = [];
      const handler = createLambdaHandler({ env: { AUTHORIZER_CONFIG: config }, log: (_l, e) => void logs.push(e), writeMetric: () => {} });
      const error = await handler((await make()) as AuthorizerEvent).then(() => undefined, (err: Error) => err);
      expect(error).toBeInstanceOf(Error);
      expect(logs.some((l) => l.event === "malformed-event")).toBe(true);
    });
  });

  it("the exported handler builds its authorizer once per container, lazily, from process.env", async () => {
    vi.resetModules();
    vi.stubEnv("AUTHORIZER_CONFIG", config);
    try {
      const { handler } = await import("../../lambdas/authorizer.js");
      const quiet = vi.spyOn(console, "log").mockImplementation(() => {});
      const before = server.requests;
      for (let i = 0; i < 3; i++) {
        const answer = (await handler(tokenEvent(await mintToken(key), "GET", "/orders/1") as AuthorizerEvent)) as any;
        expect(evaluatePolicy(answer.policyDocument, tokenEvent("x", "GET", "/orders/1").methodArn)).toBe("allow");
      }
      quiet.mockRestore();
      expect(server.requests - before).toBe(1); // one JWKS fetch for three invocations
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
