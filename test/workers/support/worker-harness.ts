/**
 * Runs the real Worker inside workerd through Miniflare's API: the Worker is bundled once with
 * esbuild (as wrangler would), bound to a real KV namespace (persisted in a folder, so a second
 * instance over the same folder is a fresh isolate with the same KV), and its console lines are
 * collected so tests can read the decision log.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Miniflare, type RequestInit as MiniflareRequestInit, type Response as MiniflareResponse } from "miniflare";
import { unstable_readConfig } from "wrangler";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const WRANGLER_TOML = join(ROOT, "wrangler.toml");

export interface DeployedWorkerSettings {
  /** The entry point (absolute path), `main`. */
  main: string;
  compatibilityDate: string;
  compatibilityFlags: string[];
}

let deployed: DeployedWorkerSettings | undefined;

/**
 * What wrangler.toml's top level declares (the environment `wrangler deploy` uses), read by
 * wrangler's own config reader, so the tests run the entry, date and flags that are deployed.
 */
export function deployedWorkerSettings(): DeployedWorkerSettings {
  if (deployed !== undefined) return deployed;
  const config = unstable_readConfig({ config: WRANGLER_TOML }, { hideWarnings: true });
  if (config.main === undefined) throw new Error(`${WRANGLER_TOML}: no main`);
  if (config.compatibility_date === undefined) throw new Error(`${WRANGLER_TOML}: no compatibility_date`);
  deployed = {
    main: resolve(ROOT, config.main),
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: [...config.compatibility_flags],
  };
  return deployed;
}

let bundled: Promise<string> | undefined;

/** Bundles wrangler.toml's `main` (workers/index.ts) once per test file into a temporary folder. */
export function bundleWorker(): Promise<string> {
  bundled ??= (async () => {
    const { main } = deployedWorkerSettings();
    const outdir = await mkdtemp(join(tmpdir(), "edge-authorizer-worker-"));
    const outfile = join(outdir, "index.js");
    await build({
      entryPoints: [main],
      outfile,
      bundle: true,
      format: "esm",
      platform: "neutral",
      target: "es2022",
      conditions: ["workerd", "worker", "browser"],
      mainFields: ["module", "main"],
      logLevel: "silent",
    });
    return outfile;
  })();
  return bundled;
}

export interface WorkerOptions {
  /** AUTHORIZER_CONFIG: an object (a `[vars]` table) or a string (JSON text); undefined: unbound. */
  config: unknown;
  upstreamUrl?: string;
  /** Folder for the KV namespace's data; share it between instances to share KV. */
  kvPersist?: string;
  /** Bind no KV namespace at all (keys in isolate memory only). */
  withoutKv?: boolean;
  /**
   * Bind METRICS to a test double of the Analytics Engine dataset (a wrapped binding) that prints
   * each data point as a log line `METRICS_POINT <json>` (see `metricsPoints`).
   */
  metricsDouble?: boolean;
}

const METRICS_DOUBLE = `export default function () {
  return { writeDataPoint(point) { console.log("METRICS_POINT " + JSON.stringify(point)); } };
}`;
const POINT_MARK = "METRICS_POINT ";

/** The data points the METRICS double printed, parsed, in order. */
export function metricsPoints(lines: readonly string[]): { blobs: string[]; doubles: number[]; indexes: string[] }[] {
  return lines.filter((line) => line.includes(POINT_MARK)).map((line) => JSON.parse(line.slice(line.indexOf(POINT_MARK) + POINT_MARK.length)));
}

export interface TestWorker {
  /** A path (sent to http://worker.test) or an absolute URL (the request's own URL). */
  fetch(path: string, init?: MiniflareRequestInit): Promise<MiniflareResponse>;
  /** Every line the Worker wrote to stdout or stderr so far. */
  readonly logLines: string[];
  /** The parsed JSON log lines (others skipped). */
  logEntries(): Record<string, unknown>[];
  kv(): Promise<Awaited<ReturnType<Miniflare["getKVNamespace"]>>>;
  dispose(): Promise<void>;
}

export async function startWorker(options: WorkerOptions): Promise<TestWorker> {
  const scriptPath = await bundleWorker();
  const settings = deployedWorkerSettings();
  const logLines: string[] = [];
  const bindings: Record<string, unknown> = {};
  if (options.config !== undefined) bindings.AUTHORIZER_CONFIG = options.config;
  if (options.upstreamUrl !== undefined) bindings.UPSTREAM_URL = options.upstreamUrl;
  const authorizer = {
    name: "authorizer",
    modules: true,
    scriptPath,
    // Module names are paths relative to this root; the bundle lives in a temporary folder.
    modulesRoot: dirname(scriptPath),
    compatibilityDate: settings.compatibilityDate,
    compatibilityFlags: settings.compatibilityFlags,
    bindings: bindings as Record<string, import("miniflare").Json>,
    ...(options.withoutKv ? {} : { kvNamespaces: ["JWKS_CACHE"] }),
    ...(options.metricsDouble ? { wrappedBindings: { METRICS: { scriptName: "metrics-double" } } } : {}),
  };
  const mf = new Miniflare({
    // The first worker is the one dispatchFetch and getKVNamespace address.
    workers: options.metricsDouble ? [authorizer, { name: "metrics-double", modules: true, script: METRICS_DOUBLE }] : [authorizer],
    ...(options.kvPersist === undefined ? {} : { kvPersist: options.kvPersist }),
    handleRuntimeStdio(stdout, stderr) {
      for (const stream of [stdout, stderr]) {
        let pending = "";
        stream.on("data", (chunk: Buffer) => {
          pending += chunk.toString("utf8");
          const lines = pending.split("\n");
          pending = lines.pop() ?? "";
          logLines.push(...lines.filter((line) => line.trim() !== ""));
        });
      }
    },
  });
  await mf.ready;
  return {
    fetch: (path, init) =>
      mf.dispatchFetch(/^https?:\/\//.test(path) ? path : `http://worker.test${path}`, { redirect: "manual", ...init }),
    logLines,
    logEntries: () => logLines.flatMap((line) => {
      const start = line.indexOf("{");
      if (start < 0) return [];
      try {
        return [JSON.parse(line.slice(start)) as Record<string, unknown>];
      } catch {
        return [];
      }
    }),
    kv: () => mf.getKVNamespace("JWKS_CACHE"),
    dispose: () => mf.dispose(),
  };
}

export async function tempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Waits (bounded) until `check` holds: for background work the response does not wait for. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, attempts = 100): Promise<T> {
  for (let i = 0; i < attempts; i += 1) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}
