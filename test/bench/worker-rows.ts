/**
 * Worker throughput in workerd (Miniflare, the built bundle): requests per second with a cached
 * token through the authorizer Worker, against a Worker that only forwards, both in front of the
 * same loopback origin under the same load (N concurrent clients, a fixed number of requests).
 * The CPU time of each workerd process is read from /proc where available.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Miniflare } from "miniflare";
import { ensureBuilt, WORKER_ENTRY } from "./builds.js";
import type { Failures } from "./core-rows.js";
import { configDocument, fixtureOf, REQUEST_PATH, type Fixtures } from "./fixtures.js";
import type { Measurement } from "./harness.js";
import { ratioTarget, type Results, type TargetVerdict } from "./report.js";

export const WORKER_GROUP = "Worker throughput (cached token, workerd)";
export const WORKER_FIGURES = [
  { name: "requestsPerSecond", label: "requests/s" },
  { name: "workerdCpuUsPerRequest", label: "workerd CPU µs/request" },
];

const COMPATIBILITY_DATE = "2026-04-01";

/** Forwards every request to UPSTREAM_URL, as the authorizer does for an allowed one. */
const FORWARD_ONLY = forwardScript("");

/**
 * The same, plus one JSON log line per request shaped like the authorizer's decision line: it
 * separates the cost of logging (workerd writes it, and here Node drains it from workerd's stdout
 * on the same two cores as the load generator) from the cost of authorizing.
 */
const FORWARD_AND_LOG = forwardScript(
  'console.log(JSON.stringify({ level: "info", event: "decision", method: request.method, route: "GET /orders/{id}", ' +
  'issuer: "https://issuer.test/", kid: "bench-es256", sub: "user-0", decision: "allow", status: 200, latencyMs: 0.05 }));',
);

function forwardScript(logStatement: string): string {
  return `export default {
  async fetch(request, env) {
    ${logStatement}
    const url = new URL(request.url);
    const headers = new Headers(request.headers);
    headers.delete("host");
    return fetch(new Request(new URL(url.pathname + url.search, env.UPSTREAM_URL), { method: request.method, headers, body: request.body, redirect: "manual" }));
  },
};`;
}

interface WorkerRunOptions {
  quick: boolean;
  failures: Failures;
  fixtures: Fixtures;
}

async function startOrigin(): Promise<{ server: Server; url: string }> {
  const body = JSON.stringify({ orders: [{ id: 42, total: 1999 }] });
  const server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body), "x-saw-sub": String(req.headers["x-auth-sub"] ?? "") });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** workerd processes that are children of this process (Miniflare spawns one per instance). */
function workerdPids(): Set<number> {
  const pids = new Set<number>();
  try {
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        if (comm.startsWith("workerd") && ppid === process.pid) pids.add(Number(entry));
      } catch {
        // The process ended while we looked.
      }
    }
  } catch {
    // No /proc: CPU per request is simply not reported.
  }
  return pids;
}

/** utime + stime of a process in microseconds (clock ticks of 10 ms on Linux), or undefined. */
function cpuMicros(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

interface Target {
  name: string;
  mf: Miniflare;
  pid: number | undefined;
}

async function startWorker(name: string, options: ConstructorParameters<typeof Miniflare>[0]): Promise<Target> {
  const before = workerdPids();
  const mf = new Miniflare({
    ...options,
    // The authorizer logs one JSON line per decision: workerd writes it, we drain it unread.
    handleRuntimeStdio(stdout, stderr) {
      stdout.resume();
      stderr.resume();
    },
  } as ConstructorParameters<typeof Miniflare>[0]);
  await mf.ready;
  const pid = [...workerdPids()].find((p) => !before.has(p));
  return { name, mf, pid };
}

async function load(target: Target, url: string, headers: Record<string, string>, total: number, clients: number, failures: Failures): Promise<{ rps: number; cpuUs: number | undefined }> {
  let next = 0;
  const cpuBefore = cpuMicros(target.pid);
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    while (next < total) {
      next++;
      const response = await target.mf.dispatchFetch(url, { headers });
      const text = await response.text();
      if (response.status !== 200 || !text.includes("orders")) failures.record(`worker/${target.name}`, `status ${response.status}`);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = cpuMicros(target.pid);
  return { rps: total / seconds, cpuUs: cpuBefore === undefined || cpuAfter === undefined ? undefined : (cpuAfter - cpuBefore) / total };
}

export interface WorkerRows {
  measurements: Measurement[];
  close(): Promise<void>;
}

/**
 * Starts both Workers and the origin, warms them, and returns one measurement per Worker (run in
 * the interleaved rounds like every other row). Call `close()` when the rounds are done.
 */
export async function buildWorkerMeasurements(results: Results, options: WorkerRunOptions): Promise<WorkerRows> {
  const built = await ensureBuilt("build:worker", WORKER_ENTRY);
  if (!built.ok) {
    results.notMeasured.push({ group: WORKER_GROUP, reason: built.reason });
    return { measurements: [], close: async () => undefined };
  }
  const fixture = fixtureOf(options.fixtures, "ES256");
  const token = fixture.tokens[0] as string;
  const origin = await startOrigin();
  const targets: Target[] = [];
  const close = async (): Promise<void> => {
    for (const target of targets) await target.mf.dispose();
    await new Promise<void>((resolve) => origin.server.close(() => resolve()));
  };
  try {
    targets.push(await startWorker("authorizer", {
      modules: true,
      scriptPath: WORKER_ENTRY,
      compatibilityDate: COMPATIBILITY_DATE,
      bindings: { AUTHORIZER_CONFIG: JSON.stringify(configDocument(fixture)), UPSTREAM_URL: origin.url },
    }));
    targets.push(await startWorker("forward-only", {
      modules: true,
      script: FORWARD_ONLY,
      compatibilityDate: COMPATIBILITY_DATE,
      bindings: { UPSTREAM_URL: origin.url },
    }));
    targets.push(await startWorker("forward-and-log", {
      modules: true,
      script: FORWARD_AND_LOG,
      compatibilityDate: COMPATIBILITY_DATE,
      bindings: { UPSTREAM_URL: origin.url },
    }));
    const url = `http://localhost${REQUEST_PATH}`;
    const headers = { authorization: `Bearer ${token}` };
    const total = options.quick ? 300 : 3_000;
    const clients = 16;
    // Warm both: JIT, connections, and the authorizer's JWKS and verified-token cache.
    for (const target of targets) await load(target, url, headers, options.quick ? 50 : 300, clients, options.failures);
    const measurements = targets.map((target): Measurement => ({
      id: `worker/${target.name}`,
      group: WORKER_GROUP,
      impl: target.name === "authorizer"
        ? `authorizer Worker (${WORKER_ENTRY}), ES256 token cached`
        : target.name === "forward-only"
          ? "forward-only Worker (same origin, same load)"
          : "forward-only Worker + one JSON log line per request (informative: isolates the log cost)",
      async run() {
        const measured = await load(target, url, headers, total, clients, options.failures);
        return {
          ops: total,
          extra: {
            requestsPerSecond: measured.rps,
            ...(measured.cpuUs === undefined ? {} : { workerdCpuUsPerRequest: measured.cpuUs }),
          },
        };
      },
    }));
    return { measurements, close };
  } catch (error) {
    await close();
    throw error;
  }
}

export function workerTarget(results: Results): TargetVerdict {
  const verdict = ratioTarget(
    "Worker >= 0.8x forward-only throughput", "authorizer requests/s / forward-only requests/s (16 clients), >= 0.8",
    ["requestsPerSecond"], (figure) => {
      const a = results.median("worker/authorizer", figure);
      const b = results.median("worker/forward-only", figure);
      return a === undefined || b === undefined ? undefined : a / b;
    }, (r) => r >= 0.8,
  );
  const missing = results.notMeasured.find((m) => m.group === WORKER_GROUP);
  return missing === undefined ? verdict : { ...verdict, detail: `not measured: ${missing.reason}` };
}

/** Informative, not an issue target: the authorizer against a forwarder that logs as much as it does. */
export function workerLogShare(results: Results): TargetVerdict {
  return ratioTarget(
    "(info) Worker >= 0.8x a forwarder that also logs one line per request", "authorizer requests/s / forward-and-log requests/s, >= 0.8",
    ["requestsPerSecond", "workerdCpuUsPerRequest"], (figure) => {
      const a = results.median("worker/authorizer", figure);
      const b = results.median("worker/forward-and-log", figure);
      if (a === undefined || b === undefined) return undefined;
      return figure === "requestsPerSecond" ? a / b : b / a;
    }, (r) => r >= 0.8,
  );
}
