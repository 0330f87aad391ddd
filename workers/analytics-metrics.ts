/**
 * Worker metrics in Workers Analytics Engine through the optional `METRICS` binding: one data
 * point per decision and per JWKS event. `writeDataPoint` is fire-and-forget (no await, no
 * request-path I/O to wait on). Without the binding nothing is written: the one-line JSON decision
 * log already carries every field, and a notice says so once per isolate.
 *
 * Data point layout (the SQL API names columns blob1..blob20, double1..double20, index1):
 *
 *   decision  index1 = route key (or "(none)")
 *             blob1 "decision", blob2 outcome (allow | deny | error), blob3 code ("OK" on allow),
 *             blob4 route key, blob5 method, blob6 issuer, blob7 hygiene kinds ("long_lived,no_jti")
 *             double1 1 (count), double2 latency ms, double3 status,
 *             double4..double9 one per hygiene kind (long_lived, large, personal_data, secret_claim,
 *             no_jti, hmac): 1 when present
 *   jwks      index1 = JWKS host
 *             blob1 event (jwks_fetch | jwks_stale_served | jwks_refetch_unknown_kid | jwks_store_error),
 *             blob2 JWKS host, blob3 "ok" | "fail", blob4 reason
 *             double1 1 (count), double2 fetch ms, double3 1 when the fetch failed, double4 HTTP status
 *
 * Never `sub` or `kid`: Analytics Engine is for aggregates, the decision log for single requests.
 */
import { HYGIENE_KINDS } from "../shared/token-hygiene.js";
import type { LogEntry, Logger } from "../shared/types.js";

/** The part of `AnalyticsEngineDataset` used here (structural, so tests can pass a double). */
export interface AnalyticsDataset {
  writeDataPoint(point?: { blobs?: (string | null)[]; doubles?: number[]; indexes?: (string | null)[] }): void;
}

export interface MetricsHooks {
  onDecision(entry: LogEntry): void;
  onJwksEvent(entry: LogEntry): void;
}

/** Analytics Engine limits an index to 96 bytes; route keys are short, but stay within it. */
const MAX_INDEX_BYTES = 96;
const encoder = new TextEncoder();

function index(value: string): string {
  // UTF-8 takes at most 3 bytes per UTF-16 code unit: short values need no encoding to check.
  if (value.length * 3 <= MAX_INDEX_BYTES || encoder.encode(value).length <= MAX_INDEX_BYTES) return value;
  let cut = value.slice(0, MAX_INDEX_BYTES);
  while (encoder.encode(cut).length > MAX_INDEX_BYTES) cut = cut.slice(0, -1);
  return cut;
}

const text = (value: unknown): string => (typeof value === "string" ? value : "");
const number = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) ? value : 0);

const NO_HYGIENE = HYGIENE_KINDS.map(() => 0);

function hygieneDoubles(hygiene: string): number[] {
  if (hygiene === "") return NO_HYGIENE;
  const kinds = hygiene.split(",");
  return HYGIENE_KINDS.map((kind) => (kinds.includes(kind) ? 1 : 0));
}

export function decisionPoint(entry: LogEntry) {
  const outcome = entry.decision === "allow" ? "allow" : number(entry.status) >= 500 ? "error" : "deny";
  const hygiene = text(entry.hygiene);
  const route = text(entry.route);
  const [h1, h2, h3, h4, h5, h6] = hygieneDoubles(hygiene) as [number, number, number, number, number, number];
  return {
    indexes: [index(route === "" ? "(none)" : route)],
    blobs: ["decision", outcome, text(entry.code) || "OK", route, text(entry.method), text(entry.issuer), hygiene],
    doubles: [1, number(entry.latencyMs), number(entry.status), h1, h2, h3, h4, h5, h6],
  };
}

export function jwksPoint(entry: LogEntry) {
  let host = "unknown";
  try {
    host = new URL(text(entry.jwksUri)).host;
  } catch {
    /* keep "unknown" */
  }
  const failed = entry.event === "jwks_fetch" && entry.ok === false;
  return {
    indexes: [index(host)],
    blobs: [text(entry.event), host, failed ? "fail" : "ok", text(entry.reason)],
    doubles: [1, number(entry.ms), failed ? 1 : 0, number(entry.status)],
  };
}

/**
 * Hooks for `createAuthorizer({ onDecision, onJwksEvent })`. They never throw: a metrics failure
 * must not turn into a failed request.
 */
export function createAnalyticsMetrics(dataset: AnalyticsDataset | undefined, log: Logger): MetricsHooks {
  if (dataset === undefined) {
    let noticed = false;
    const notice = (): void => {
      if (noticed) return;
      noticed = true;
      log("info", { event: "metrics_binding_absent", binding: "METRICS", fallback: "decision log lines" });
    };
    return { onDecision: notice, onJwksEvent: notice };
  }
  const write = (build: () => ReturnType<typeof decisionPoint>): void => {
    try {
      dataset.writeDataPoint(build());
    } catch (error) {
      log("warn", { event: "metrics_write_failed", reason: error instanceof Error ? error.name : typeof error });
    }
  };
  return {
    onDecision: (entry) => write(() => decisionPoint(entry)),
    onJwksEvent: (entry) => write(() => jwksPoint(entry)),
  };
}
