// The Worker inside workerd with a `METRICS` binding: a test double of the Analytics Engine
// dataset (a Miniflare wrapped binding whose writeDataPoint prints the point), so the data points
// the deployed Worker writes can be read from workerd's output. Without the binding, the Worker
// notes once that the decision log lines are the record.
import { dirname } from "node:path";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateTestKey, jwksOf, mintToken, TEST_ISSUER, type TestKey } from "../support/keys.js";
import { bundleWorker, deployedWorkerSettings, startWorker } from "./support/worker-harness.js";

const DOUBLE = `export default function () {
  return { writeDataPoint(point) { console.log("METRICS_POINT " + JSON.stringify(point)); } };
}`;

let key: TestKey;
let config: Record<string, unknown>;
beforeAll(async () => {
  key = await generateTestKey("ES256", "k1");
  config = {
    issuers: [{ issuer: TEST_ISSUER, jwks: jwksOf(key), algorithms: ["ES256"] }],
    routes: [{ route: "GET /orders/{id}", audience: "orders-api", scopes: ["orders:read"] }],
  };
});

async function startWithMetrics() {
  const scriptPath = await bundleWorker();
  const lines: string[] = [];
  const mf = new Miniflare({
    workers: [
      {
        name: "authorizer",
        modules: true,
        scriptPath,
        modulesRoot: dirname(scriptPath),
        compatibilityDate: deployedWorkerSettings().compatibilityDate,
        compatibilityFlags: deployedWorkerSettings().compatibilityFlags,
        bindings: { AUTHORIZER_CONFIG: JSON.stringify(config) },
        wrappedBindings: { METRICS: { scriptName: "metrics-double" } },
      },
      { name: "metrics-double", modules: true, script: DOUBLE },
    ],
    handleRuntimeStdio(stdout, stderr) {
      for (const stream of [stdout, stderr]) stream.on("data", (chunk: Buffer) => lines.push(...chunk.toString("utf8").split("\n")));
    },
  });
  await mf.ready;
  return { mf, lines };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

describe("the Worker writes metrics in workerd", () => {
  let instance: Awaited<ReturnType<typeof startWithMetrics>> | undefined;
  afterAll(() => instance?.mf.dispose());

  it("writes a data point per decision to the METRICS binding, with no token in it", async () => {
    instance = await startWithMetrics();
    const expired = await mintToken(key, { nowSeconds: Date.now() / 1000 - 7200 });
    const noToken = await instance.mf.dispatchFetch("http://worker.test/orders/1");
    const stale = await instance.mf.dispatchFetch("http://worker.test/orders/1", { headers: { authorization: `Bearer ${expired}` } });
    expect([noToken.status, stale.status]).toEqual([401, 401]);
    await noToken.text();
    await stale.text();
    await settle(); // workerd's stdout reaches us asynchronously
    const points = instance.lines
      .filter((line) => line.includes("METRICS_POINT "))
      .map((line) => JSON.parse(line.slice(line.indexOf("METRICS_POINT ") + "METRICS_POINT ".length)));
    expect(points.map((p) => p.blobs.slice(0, 3))).toEqual([
      ["decision", "deny", "ERR_TOKEN_MISSING"],
      ["decision", "deny", "ERR_JWT_EXPIRED"],
    ]);
    // The route is known as soon as the request matched one, before any token work: 401s carry it.
    expect(points.map((p) => p.indexes)).toEqual([["GET /orders/{id}"], ["GET /orders/{id}"]]);
    expect(points[1].doubles[2]).toBe(401);
    expect(instance.lines.join("\n")).not.toContain(expired.split(".")[2]);
    expect(instance.lines.join("\n")).not.toContain("metrics_binding_absent");
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
