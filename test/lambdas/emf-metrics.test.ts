import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmfMetrics, decisionDocument, decisionLine, jwksDocument } from "../../lambdas/emf-metrics.js";
import { createAuthorizer, parseConfig } from "../../shared/index.js";
import { startJwksServer, type JwksServer } from "../support/jwks-server.js";
import { generateTestKey, jwksOf, mintToken, TEST_ISSUER, type TestKey } from "../support/keys.js";
import { emfProblems } from "./support/emf.js";

let key: TestKey;
let server: JwksServer;
let clock = 1_800_000_000_000;

beforeAll(async () => {
  key = await generateTestKey("ES256", "k1");
  server = await startJwksServer({ jwks: jwksOf(key) });
});
afterAll(() => server.close());

function setup() {
  const lines: string[] = [];
  const metrics = createEmfMetrics({ write: (line) => lines.push(line), now: () => clock });
  const authorizer = createAuthorizer(
    parseConfig({
      issuers: [{ issuer: TEST_ISSUER, jwksUri: server.url, algorithms: ["ES256"] }],
      routes: [{ route: "GET /orders/{id}", audience: "orders-api", scopes: ["orders:read"] }],
      jwks: { cacheMaxAgeSeconds: 60, maxStaleSeconds: 3600, cooldownSeconds: 1 },
    }),
    { now: () => clock, log: () => {}, ...metrics },
  );
  const docs = () => lines.map((line) => JSON.parse(line));
  return { lines, docs, authorizer };
}

const request = (token: string) => ({ method: "GET", path: "/orders/1", headers: { authorization: `Bearer ${token}` } });

describe("EMF metrics from the authorizer's decision stream", () => {
  it("writes one valid EMF line per decision and per JWKS fetch, with values matching the definitions", async () => {
    const { lines, docs, authorizer } = setup();
    const good = await mintToken(key, { nowSeconds: clock / 1000 });
    const expired = await mintToken(key, { nowSeconds: clock / 1000 - 7200 });
    const longLived = await mintToken(key, { nowSeconds: clock / 1000, lifetimeSeconds: 7200, claims: { jti: undefined, email: "alice@example.com" } });
    await authorizer.authorize(request(good));
    await authorizer.authorize(request(expired));
    await authorizer.authorize(request(longLived));

    for (const line of lines) expect(emfProblems(line)).toEqual([]);
    const [fetch, allow, deny, hygiene] = docs();
    expect(fetch).toMatchObject({ Event: "jwks_fetch", JwksFetches: 1, JwksHost: new URL(server.url).host });
    expect(fetch).not.toHaveProperty("JwksFailures");
    expect(fetch._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: "EdgeAuthorizer", Dimensions: [["JwksHost"]] });

    expect(allow).toMatchObject({ Outcome: "allow", Code: "OK", Decisions: 1, Route: "GET /orders/{id}", Status: 200 });
    expect(typeof allow.Latency).toBe("number");
    expect(allow._aws.Timestamp).toBe(clock);
    expect(allow._aws.CloudWatchMetrics[0]).toEqual({
      Namespace: "EdgeAuthorizer",
      Dimensions: [["Outcome"], ["Outcome", "Code"]],
      Metrics: [{ Name: "Decisions", Unit: "Count" }, { Name: "Latency", Unit: "Milliseconds" }],
    });
    expect(deny).toMatchObject({ Outcome: "deny", Code: "ERR_JWT_EXPIRED", Status: 401 });
    expect(hygiene).toMatchObject({ Outcome: "allow", HygieneLongLived: 1, HygienePersonalData: 1, HygieneNoJti: 1 });
    expect(hygiene._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name)).toEqual([
      "Decisions", "Latency", "HygieneLongLived", "HygienePersonalData", "HygieneNoJti",
    ]);

    const all = lines.join("\n");
    for (const token of [good, expired, longLived]) {
      expect(all).not.toContain(token.split(".")[2]);
      expect(all).not.toContain(token.split(".")[1]);
    }
    expect(all).not.toContain("alice@example.com");
    expect(all).not.toContain("user-1"); // sub is never a dimension nor a property
    expect(all).not.toContain('"k1"'); // nor kid
  });

  it("counts JWKS failures, stale keys served and 5xx outcomes", async () => {
    const { lines, docs, authorizer } = setup();
    const token = () => mintToken(key, { nowSeconds: clock / 1000 });
    await authorizer.authorize(request(await token()));
    server.behave({ kind: "status", status: 503 });
    try {
      clock += 120_000; // past cacheMaxAgeSeconds: a refresh is due and fails, stale keys serve
      const stale = await authorizer.authorize(request(await token()));
      expect(stale.allow).toBe(true);
      clock += 4_000_000; // past maxStaleSeconds: nothing usable, 503
      const down = await authorizer.authorize(request(await token()));
      expect(down).toMatchObject({ allow: false, status: 503 });
    } finally {
      server.behave({ kind: "serve" });
    }
    for (const line of lines) expect(emfProblems(line)).toEqual([]);
    const events = docs().map((d) => d.Event ?? `${d.Outcome}:${d.Code}`);
    expect(events).toEqual(["jwks_fetch", "allow:OK", "jwks_fetch", "jwks_stale_served", "allow:OK", "jwks_fetch", "error:ERR_KEYS_UNAVAILABLE"]);
    const failure = docs()[2];
    expect(failure).toMatchObject({ JwksFetches: 1, JwksFailures: 1, HttpStatus: 503, Reason: "status" });
    expect(docs()[3]).toMatchObject({ JwksStaleServed: 1 });
  });

  it("ignores events that are not JWKS events and never throws from a failing writer", () => {
    expect(jwksDocument({ event: "claim_header_skipped" }, 1)).toBeUndefined();
    expect(jwksDocument({ event: "jwks_refetch_unknown_kid", jwksUri: "https://a.example/jwks" }, 1)).toMatchObject({ JwksUnknownKidRefetches: 1, JwksHost: "a.example" });
    expect(emfProblems(JSON.stringify(jwksDocument({ event: "jwks_store_error", jwksUri: "not a url" }, 1)))).toEqual([]);
    const metrics = createEmfMetrics({ write: () => { throw new Error("stdout closed"); } });
    expect(() => metrics.onDecision({ event: "decision", decision: "allow", status: 200 })).not.toThrow();
    expect(emfProblems(JSON.stringify(decisionDocument({ event: "decision", decision: "deny", status: 403, code: "ERR_SCOPE_INSUFFICIENT" }, 5)))).toEqual([]);
  });

  it("the fast decision line is the same document as the general one", () => {
    const entries = [
      { event: "decision", method: "GET", route: "GET /orders/{id}", decision: "allow", status: 200, latencyMs: 0.123 },
      { event: "decision", method: "GET", decision: "deny", status: 401, code: "ERR_JWT_EXPIRED", claim: "exp", latencyMs: 2 },
      { event: "decision", route: 'GET /a"b\\c', decision: "deny", status: 503, code: "ERR_KEYS_UNAVAILABLE", latencyMs: Number.NaN },
      { event: "decision", decision: "allow", status: 200, hygiene: "large,hmac", latencyMs: 1 },
      { event: "decision" },
    ];
    for (const entry of entries) {
      const line = decisionLine(entry, 1234);
      expect(JSON.parse(line)).toEqual(decisionDocument(entry, 1234));
      expect(emfProblems(line)).toEqual([]);
    }
  });

  it("the checker itself refuses documents that break the EMF rules", () => {
    expect(emfProblems("{")).toEqual(["not JSON"]);
    const doc = decisionDocument({ event: "decision", decision: "allow", status: 200, latencyMs: 1 }, 5);
    delete (doc as Record<string, unknown>).Code;
    expect(emfProblems(JSON.stringify(doc))).toEqual(["dimension Code is not a string member of the root"]);
    const noValue = decisionDocument({ event: "decision", decision: "allow", status: 200 }, 5);
    delete (noValue as Record<string, unknown>).Decisions;
    expect(emfProblems(JSON.stringify(noValue))).toEqual(["metric Decisions has no numeric value at the root"]);
  });
});
