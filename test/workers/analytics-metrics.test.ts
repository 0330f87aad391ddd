// The Worker's Analytics Engine writer, driven by a real authorizer's decision stream, writing to
// a test double of the `METRICS` binding that records every data point.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuthorizer, parseConfig, type LogEntry } from "../../shared/index.js";
import { createAnalyticsMetrics, type AnalyticsDataset } from "../../workers/analytics-metrics.js";
import { startJwksServer, type JwksServer } from "../support/jwks-server.js";
import { generateTestKey, jwksOf, mintToken, TEST_ISSUER, type TestKey } from "../support/keys.js";

type Point = Parameters<AnalyticsDataset["writeDataPoint"]>[0];

let key: TestKey;
let server: JwksServer;
const NOW = 1_800_000_000_000;

beforeAll(async () => {
  key = await generateTestKey("ES256", "k1");
  server = await startJwksServer({ jwks: jwksOf(key) });
});
afterAll(() => server.close());

function setup(dataset: AnalyticsDataset | undefined) {
  const logs: LogEntry[] = [];
  const log = (_level: string, entry: LogEntry) => void logs.push(entry);
  const authorizer = createAuthorizer(
    parseConfig({
      issuers: [{ issuer: TEST_ISSUER, jwksUri: server.url, algorithms: ["ES256"] }],
      routes: [{ route: "GET /orders/{id}", audience: "orders-api", scopes: ["orders:read"] }],
    }),
    { now: () => NOW, log, ...createAnalyticsMetrics(dataset, log) },
  );
  return { authorizer, logs };
}

const request = (token: string) => ({ method: "GET", path: "/orders/7", headers: { authorization: `Bearer ${token}` } });

describe("Workers Analytics Engine metrics", () => {
  it("writes one data point per decision and per JWKS fetch to the METRICS binding", async () => {
    const points: Point[] = [];
    const { authorizer } = setup({ writeDataPoint: (point) => void points.push(point) });
    const good = await mintToken(key, { nowSeconds: NOW / 1000 });
    const longLived = await mintToken(key, { nowSeconds: NOW / 1000, lifetimeSeconds: 86_400, claims: { jti: undefined } });
    const wrongAud = await mintToken(key, { nowSeconds: NOW / 1000, claims: { aud: "billing-api" } });
    await authorizer.authorize(request(good));
    await authorizer.authorize(request(longLived));
    await authorizer.authorize(request(wrongAud));

    expect(points).toHaveLength(4);
    const [fetch, allow, hygiene, deny] = points;
    const host = new URL(server.url).host;
    expect(fetch).toMatchObject({ indexes: [host], blobs: ["jwks_fetch", host, "ok", ""] });
    expect(fetch?.doubles?.[0]).toBe(1);
    expect(fetch?.doubles?.[3]).toBe(200);
    expect(allow).toMatchObject({
      indexes: ["GET /orders/{id}"],
      blobs: ["decision", "allow", "OK", "GET /orders/{id}", "GET", TEST_ISSUER, ""],
    });
    expect(allow?.doubles).toHaveLength(9);
    expect(allow?.doubles?.slice(0, 1)).toEqual([1]);
    expect(allow?.doubles?.[2]).toBe(200);
    expect(hygiene?.blobs?.[6]).toBe("long_lived,no_jti");
    expect(hygiene?.doubles?.slice(3)).toEqual([1, 0, 0, 0, 1, 0]);
    expect(deny).toMatchObject({ blobs: ["decision", "deny", "ERR_JWT_AUDIENCE_MISMATCH", "GET /orders/{id}", "GET", TEST_ISSUER, ""] });
    expect(deny?.doubles?.[2]).toBe(401);

    const written = JSON.stringify(points);
    for (const token of [good, longLived, wrongAud]) expect(written).not.toContain(token.split(".")[2]);
    expect(written).not.toContain("user-1");
    expect(written).not.toContain('"k1"');
  });

  it("without the binding, writes nothing and says once that the decision log is the record", async () => {
    const { authorizer, logs } = setup(undefined);
    const token = await mintToken(key, { nowSeconds: NOW / 1000 });
    await authorizer.authorize(request(token));
    await authorizer.authorize(request(token));
    const notices = logs.filter((entry) => entry.event === "metrics_binding_absent");
    expect(notices).toEqual([{ event: "metrics_binding_absent", binding: "METRICS", fallback: "decision log lines" }]);
    expect(logs.filter((entry) => entry.event === "decision")).toHaveLength(2);
    expect(JSON.stringify(logs)).not.toContain(token.split(".")[2]);
  });

  it("a failing binding never fails the request", async () => {
    const { authorizer, logs } = setup({ writeDataPoint: () => { throw new Error("dataset unavailable"); } });
    const decision = await authorizer.authorize(request(await mintToken(key, { nowSeconds: NOW / 1000 })));
    expect(decision.allow).toBe(true);
    expect(logs.some((entry) => entry.event === "metrics_write_failed")).toBe(true);
  });
});
