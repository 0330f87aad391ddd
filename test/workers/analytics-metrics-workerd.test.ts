// The Worker inside workerd with a `METRICS` binding: the harness's test double of the Analytics
// Engine dataset prints each point, so the data points the deployed Worker writes can be read from
// workerd's output. Without the binding, the Worker
// notes once that the decision log lines are the record.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateTestKey, jwksOf, mintToken, TEST_ISSUER, type TestKey } from "../support/keys.js";
import { metricsPoints, startWorker, type TestWorker } from "./support/worker-harness.js";

let key: TestKey;
let config: Record<string, unknown>;
beforeAll(async () => {
  key = await generateTestKey("ES256", "k1");
  config = {
    issuers: [{ issuer: TEST_ISSUER, jwks: jwksOf(key), algorithms: ["ES256"] }],
    routes: [{ route: "GET /orders/{id}", audience: "orders-api", scopes: ["orders:read"] }],
  };
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

describe("the Worker writes metrics in workerd", () => {
  let instance: TestWorker | undefined;
  afterAll(() => instance?.dispose());

  it("writes a data point per decision to the METRICS binding, with no token in it", async () => {
    instance = await startWorker({ config, withoutKv: true, metricsDouble: true });
    const expired = await mintToken(key, { nowSeconds: Date.now() / 1000 - 7200 });
    const noToken = await instance.fetch("/orders/1");
    const stale = await instance.fetch("/orders/1", { headers: { authorization: `Bearer ${expired}` } });
    expect([noToken.status, stale.status]).toEqual([401, 401]);
    await noToken.text();
    await stale.text();
    await settle(); // workerd's stdout reaches us asynchronously
    const points = metricsPoints(instance.logLines);
    expect(points.map((p) => p.blobs.slice(0, 3))).toEqual([
      ["decision", "deny", "ERR_TOKEN_MISSING"],
      ["decision", "deny", "ERR_JWT_EXPIRED"],
    ]);
    // The route is known as soon as the request matched one, before any token work: 401s carry it.
    expect(points.map((p) => p.indexes)).toEqual([["GET /orders/{id}"], ["GET /orders/{id}"]]);
    expect(points[1]?.doubles[2]).toBe(401);
    expect(instance.logLines.join("\n")).not.toContain(expired.split(".")[2]);
    expect(instance.logLines.join("\n")).not.toContain("metrics_binding_absent");
  });

  it("without METRICS, logs once that the decision log lines are the record", async () => {
    const worker = await startWorker({ config, withoutKv: true });
    try {
      for (let i = 0; i < 2; i++) await (await worker.fetch("/orders/1")).text();
      await settle();
      const entries = worker.logEntries();
      expect(entries.filter((e) => e.event === "metrics_binding_absent")).toHaveLength(1);
      expect(entries.filter((e) => e.event === "decision")).toHaveLength(2);
    } finally {
      await worker.dispose();
    }
  });
});
