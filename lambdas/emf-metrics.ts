/**
 * CloudWatch metrics for the Lambda authorizer in Embedded Metric Format: one JSON line on stdout
 * per decision and per JWKS event, which CloudWatch Logs turns into metrics with no API call and
 * no dependency (the documented format written directly; Powertools would add ~30 KB to a bundle
 * that exists to be small, for the same lines).
 *
 * Dimensions stay low-cardinality on purpose: outcome and error code for decisions, the JWKS host
 * for key events. Never `sub`, `kid` or the route's concrete path: each distinct dimension value
 * is a separate, billed metric. The route key (a bounded set) travels as a plain property, which
 * Logs Insights can still group by.
 */
import type { LogEntry } from "../shared/types.js";
import { HYGIENE_KINDS, type HygieneKind } from "../shared/token-hygiene.js";

export const EMF_NAMESPACE = "EdgeAuthorizer";

export interface MetricsHooks {
  onDecision(entry: LogEntry): void;
  onJwksEvent(entry: LogEntry): void;
}

export interface EmfMetricsOptions {
  namespace?: string;
  /** Receives one EMF document per line; default: stdout, bypassing the Lambda console prefix. */
  write?: (line: string) => void;
  /** Milliseconds since the epoch, for `_aws.Timestamp`. */
  now?: () => number;
}

type Unit = "Count" | "Milliseconds";

export interface EmfDocument {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: Unit }[] }[];
  };
  [member: string]: unknown;
}

const HYGIENE_METRICS: Record<HygieneKind, string> = {
  long_lived: "HygieneLongLived",
  large: "HygieneLarge",
  personal_data: "HygienePersonalData",
  secret_claim: "HygieneSecretClaim",
  no_jti: "HygieneNoJti",
  hmac: "HygieneHmac",
};

/** `allow`, `deny` (4xx: the caller's problem) or `error` (5xx: ours; alarm on it). */
export function outcomeOf(entry: LogEntry): "allow" | "deny" | "error" {
  if (entry.decision === "allow") return "allow";
  return typeof entry.status === "number" && entry.status >= 500 ? "error" : "deny";
}

/** One decision as an EMF document: Decisions (Count), Latency (Milliseconds), hygiene counts. */
export function decisionDocument(entry: LogEntry, timestamp: number, namespace = EMF_NAMESPACE): EmfDocument {
  const metrics: { Name: string; Unit: Unit }[] = [
    { Name: "Decisions", Unit: "Count" },
    { Name: "Latency", Unit: "Milliseconds" },
  ];
  const doc: EmfDocument = {
    _aws: { Timestamp: timestamp, CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [["Outcome"], ["Outcome", "Code"]], Metrics: metrics }] },
    Outcome: outcomeOf(entry),
    Code: typeof entry.code === "string" ? entry.code : "OK",
    Decisions: 1,
    Latency: typeof entry.latencyMs === "number" && Number.isFinite(entry.latencyMs) ? entry.latencyMs : 0,
  };
  if (typeof entry.route === "string") doc.Route = entry.route;
  if (typeof entry.status === "number" && Number.isFinite(entry.status)) doc.Status = entry.status;
  if (typeof entry.hygiene === "string") {
    const present = new Set(entry.hygiene.split(","));
    for (const kind of HYGIENE_KINDS) {
      if (!present.has(kind)) continue;
      metrics.push({ Name: HYGIENE_METRICS[kind], Unit: "Count" });
      doc[HYGIENE_METRICS[kind]] = 1;
    }
  }
  return doc;
}

/**
 * The same document as `decisionDocument`, as text, without building and serialising the object:
 * the directive is fixed for decisions without hygiene findings (almost all), so it is spliced in
 * as precomputed JSON. Findings take the general path.
 */
export function decisionLine(entry: LogEntry, timestamp: number, namespace = EMF_NAMESPACE, directive = plainDirective(namespace)): string {
  if (typeof entry.hygiene === "string") return JSON.stringify(decisionDocument(entry, timestamp, namespace));
  const code = typeof entry.code === "string" ? entry.code : "OK";
  const latency = typeof entry.latencyMs === "number" && Number.isFinite(entry.latencyMs) ? entry.latencyMs : 0;
  let line = `{"_aws":{"Timestamp":${timestamp},"CloudWatchMetrics":${directive}},"Outcome":"${outcomeOf(entry)}","Code":${JSON.stringify(code)},"Decisions":1,"Latency":${latency}`;
  if (typeof entry.route === "string") line += `,"Route":${JSON.stringify(entry.route)}`;
  if (typeof entry.status === "number" && Number.isFinite(entry.status)) line += `,"Status":${entry.status}`;
  return `${line}}`;
}

function plainDirective(namespace: string): string {
  return JSON.stringify(decisionDocument({ decision: "allow" }, 0, namespace)._aws.CloudWatchMetrics);
}

/** JWKS events as counts per JWKS host; undefined for events that are not JWKS events. */
export function jwksDocument(entry: LogEntry, timestamp: number, namespace = EMF_NAMESPACE): EmfDocument | undefined {
  const values: Record<string, number> = {};
  const units: Record<string, Unit> = {};
  switch (entry.event) {
    case "jwks_fetch":
      values.JwksFetches = 1;
      if (entry.ok === false) values.JwksFailures = 1;
      if (typeof entry.ms === "number") {
        values.JwksFetchLatency = entry.ms;
        units.JwksFetchLatency = "Milliseconds";
      }
      break;
    case "jwks_stale_served":
      values.JwksStaleServed = 1;
      break;
    case "jwks_refetch_unknown_kid":
      values.JwksUnknownKidRefetches = 1;
      break;
    case "jwks_store_error":
      values.JwksStoreErrors = 1;
      break;
    default:
      return undefined;
  }
  const doc: EmfDocument = {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{
        Namespace: namespace,
        Dimensions: [["JwksHost"]],
        Metrics: Object.keys(values).map((name) => ({ Name: name, Unit: units[name] ?? "Count" })),
      }],
    },
    JwksHost: hostOf(entry.jwksUri),
    Event: entry.event,
    ...values,
  };
  if (typeof entry.reason === "string") doc.Reason = entry.reason;
  if (typeof entry.status === "number") doc.HttpStatus = entry.status;
  return doc;
}

function hostOf(uri: unknown): string {
  if (typeof uri !== "string") return "unknown";
  try {
    return new URL(uri).host;
  } catch {
    return "unknown";
  }
}

/**
 * Hooks for `createAuthorizer({ onDecision, onJwksEvent })`. They never throw: a metrics failure
 * must not turn into a failed authorization.
 */
export function createEmfMetrics(options: EmfMetricsOptions = {}): MetricsHooks {
  const namespace = options.namespace ?? EMF_NAMESPACE;
  const now = options.now ?? Date.now;
  // process.stdout, not console.log: the Lambda runtime prefixes console lines (time, request id,
  // level), and CloudWatch only extracts EMF from lines that are one JSON object.
  const write = options.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const emit = (build: () => EmfDocument | undefined): void => {
    try {
      const doc = build();
      if (doc !== undefined) write(JSON.stringify(doc));
    } catch {
      /* metrics are best effort */
    }
  };
  const directive = plainDirective(namespace);
  return {
    onDecision(entry) {
      try {
        write(decisionLine(entry, now(), namespace, directive));
      } catch {
        /* metrics are best effort */
      }
    },
    onJwksEvent: (entry) => emit(() => jwksDocument(entry, now(), namespace)),
  };
}
