/**
 * Cold start and size: 1,000 concurrent requests on a cold authorizer against the local JWKS
 * server (one fetch expected, and the time to the first decision), the import time of the Lambda
 * bundle in a fresh `node` process against importing jose alone, and the bundle sizes.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { transform } from "esbuild";
import { createAuthorizer, parseConfig } from "../../shared/index.js";
import { ensureBuilt, ensureLambdaBundle, run, WORKER_DIR, WORKER_ENTRY, type BuildState } from "./builds.js";
import { Failures } from "./core-rows.js";
import { ALGORITHMS, configDocument, fixtureOf, requestFor, type Fixtures } from "./fixtures.js";
import { summaryOf, type BatchResult, type Measurement } from "./harness.js";
import { ratioTarget, type Results, type TargetVerdict } from "./report.js";

export const COLD_GROUP = "cold start: 1,000 concurrent on a cold authorizer";
export const IMPORT_GROUP = "import in a fresh node process";
export const SIZE_GROUP = "bundle size";
export const STARTUP_GROUPS = [COLD_GROUP, IMPORT_GROUP, SIZE_GROUP];
export const STARTUP_FIGURES = [
  { name: "fetches", label: "JWKS fetches" },
  { name: "firstDecisionMs", label: "ms to first decision" },
  { name: "allDecisionsMs", label: "ms to all 1,000 decisions" },
  { name: "importMs", label: "ms to import (in process)" },
  { name: "processMs", label: "ms for the whole process (spawn to exit)" },
  { name: "rawBytes", label: "bytes as built" },
  { name: "minifiedBytes", label: "bytes minified" },
  { name: "gzipBytes", label: "bytes minified + gzip (zlib level 9)" },
];

interface StartupSizes {
  coldRequests: number;
  importSpawns: number;
}

function coldMeasurement(fixtures: Fixtures, alg: (typeof ALGORITHMS)[number], count: number, failures: Failures): Measurement {
  const fixture = fixtureOf(fixtures, alg);
  const requests = Array.from({ length: count }, (_, i) => requestFor(fixture.tokens[i % (fixture.tokens.length - 1)] as string));
  const document = configDocument(fixture);
  const id = `cold/${alg}`;
  return {
    id,
    group: COLD_GROUP,
    impl: "edge-authorizer authorize() (config parse included)",
    alg,
    async run(): Promise<BatchResult> {
      const fetchesBefore = fixture.server.requests;
      const started = performance.now();
      let first: number | undefined;
      const authorizer = createAuthorizer(parseConfig(document), { log: () => undefined });
      const decisions = await Promise.all(requests.map(async (request) => {
        const decision = await authorizer.authorize(request);
        first ??= performance.now();
        return decision;
      }));
      const all = performance.now();
      for (const decision of decisions) if (!decision.allow) failures.record(id, `${decision.status} ${decision.code}`);
      const fetches = fixture.server.requests - fetchesBefore;
      if (fetches !== 1) failures.record(id, `${fetches} JWKS fetches for ${count} cold requests (expected exactly 1)`);
      return { ops: count, extra: { fetches, firstDecisionMs: (first ?? all) - started, allDecisionsMs: all - started } };
    },
  };
}

/** Spawns `node` to import `specifier`, timing the import inside the child. */
function importMeasurement(id: string, impl: string, specifier: () => string, spawns: number, env: NodeJS.ProcessEnv): Measurement {
  return {
    id,
    group: IMPORT_GROUP,
    impl,
    async run(): Promise<BatchResult> {
      const importMs: number[] = [];
      const processMs: number[] = [];
      const script = `const t = performance.now(); await import(${JSON.stringify(specifier())}); ` +
        "process.stdout.write(JSON.stringify({ ms: performance.now() - t }));";
      for (let i = 0; i < spawns; i++) {
        const started = performance.now();
        const { code, stdout, stderr } = await run(process.execPath, ["--input-type=module", "-e", script], env);
        processMs.push(performance.now() - started);
        if (code !== 0) throw new Error(`importing ${impl} failed: ${stderr.trim().split("\n").slice(0, 3).join(" ")}`);
        importMs.push((JSON.parse(stdout) as { ms: number }).ms);
      }
      return { ops: spawns, extra: { importMs: summaryOf(importMs).median, processMs: summaryOf(processMs).median } };
    },
  };
}

export async function buildStartupMeasurements(
  fixtures: Fixtures,
  sizes: StartupSizes,
  failures: Failures,
  results: Results,
): Promise<Measurement[]> {
  const measurements = ALGORITHMS.map((alg) => coldMeasurement(fixtures, alg, sizes.coldRequests, failures));
  const lambda = await ensureLambdaBundle();
  if (!lambda.ok) {
    results.notMeasured.push({ group: IMPORT_GROUP, reason: lambda.reason });
  } else {
    // The bundle reads its configuration at cold start, as in Lambda: give it a valid one.
    const env = { ...process.env, AUTHORIZER_CONFIG: JSON.stringify(configDocument(fixtureOf(fixtures, "ES256"))) };
    measurements.push(
      importMeasurement("import/lambda", `${lambda.path} (whole authorizer, bundled)${lambda.note === undefined ? "" : ` [${lambda.note}]`}`, () => pathToFileURL(resolve(lambda.path)).href, sizes.importSpawns, env),
      importMeasurement("import/jose", "jose alone (node_modules/jose)", () => "jose", sizes.importSpawns, env),
    );
  }
  await addBundleSizes(results, lambda);
  return measurements;
}

async function sizeRow(id: string, impl: string, source: string, minifyIt: boolean): Promise<Results["list"][number]> {
  const minified = minifyIt ? (await transform(source, { minify: true, format: "esm", target: "es2022" })).code : source;
  const one = (value: number) => ({ median: value, min: value, max: value });
  return {
    id, group: SIZE_GROUP, impl, ops: 1, rounds: 1,
    figures: {
      rawBytes: one(Buffer.byteLength(source)),
      minifiedBytes: one(Buffer.byteLength(minified)),
      gzipBytes: one(gzipSync(minified, { level: 9 }).length),
    },
  };
}

async function addBundleSizes(results: Results, lambda: BuildState): Promise<void> {
  const worker = await ensureBuilt("build:worker", WORKER_ENTRY);
  if (worker.ok) {
    // Every script the Worker uploads (source maps are not uploaded).
    const files = readdirSync(WORKER_DIR).filter((f) => /\.(m?js|wasm)$/.test(f) && statSync(join(WORKER_DIR, f)).isFile());
    const source = files.map((f) => readFileSync(join(WORKER_DIR, f), "utf8")).join("\n");
    results.add([await sizeRow("size/worker", `${WORKER_DIR} (${files.join(", ")}; wrangler minify)`, source, true)]);
  } else {
    results.notMeasured.push({ group: SIZE_GROUP, reason: `Worker: ${worker.reason}` });
  }
  if (lambda.ok) {
    const label = lambda.note === undefined ? lambda.path : `${lambda.path} [${lambda.note}]`;
    results.add([await sizeRow("size/lambda", label, readFileSync(lambda.path, "utf8"), true)]);
  } else {
    results.notMeasured.push({ group: SIZE_GROUP, reason: `Lambda: ${lambda.reason}` });
  }
}

export function startupTargets(results: Results, failures: Failures): TargetVerdict[] {
  const verdicts: TargetVerdict[] = [];
  for (const alg of ALGORITHMS) {
    const cold = results.get(`cold/${alg}`)?.figures.fetches;
    const wrong = failures.byId.get(`cold/${alg}`);
    verdicts.push(cold === undefined
      ? { target: `1,000 cold requests ${alg}: exactly one JWKS fetch`, status: "not measured", measured: {}, detail: "" }
      : {
        target: `1,000 cold requests ${alg}: exactly one JWKS fetch`,
        status: cold.min === 1 && cold.max === 1 && wrong === undefined ? "met" : "MISSED",
        measured: { "fetches min": cold.min, "fetches max": cold.max },
        detail: "fetch count in every round",
      });
  }
  verdicts.push(ratioTarget(
    "Lambda bundle import <= 1.3x jose import", "bundle import ms / jose import ms (in a fresh process), <= 1.3",
    ["importMs"], (figure) => {
      const a = results.median("import/lambda", figure);
      const b = results.median("import/jose", figure);
      return a === undefined || b === undefined ? undefined : a / b;
    }, (r) => r <= 1.3,
  ));
  return verdicts;
}
