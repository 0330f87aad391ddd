/**
 * The in-process rows: the WebCrypto floor, first-seen tokens, realistic traffic, the repeat token
 * and the decision-log hook, for our `authorize()` and for every peer. Each of our batches gets a
 * fresh authorizer whose JWKS is warmed with a token outside the measured set, so its
 * verified-token cache starts empty and only the tokens of the batch itself can fill it.
 */
import { createAuthorizer, defaultLogger, parseConfig, type Authorizer, type AuthorizerOptions } from "../../shared/index.js";
import { configDocument, fixtureOf, requestFor, type AlgorithmFixture, type BenchAlgorithm, type Fixtures } from "./fixtures.js";
import { inFlight, sequential, type BatchResult, type Measurement } from "./harness.js";
import { PEERS, type Verify } from "./peers.js";
import { createEmfMetrics } from "../../lambdas/emf-metrics.js";
import { createAnalyticsMetrics } from "../../workers/analytics-metrics.js";

export interface CoreSizes {
  firstSeenSequential: number;
  firstSeenInFlight: number;
  inFlight: number;
  /** Cache hits per batch through authorize() (cheap: long batches keep the median steady). */
  repeat: number;
  /** Repeat-token verifications per batch for jose (each one a full verification). */
  repeatPeer: number;
}

/** Wrong answers seen during the run; any is a broken benchmark (exit 1), never a slow one. */
export class Failures {
  readonly byId = new Map<string, { count: number; example: string }>();
  record(id: string, example: string): void {
    const entry = this.byId.get(id) ?? { count: 0, example };
    entry.count += 1;
    this.byId.set(id, entry);
  }
  get total(): number {
    let total = 0;
    for (const entry of this.byId.values()) total += entry.count;
    return total;
  }
}

type Request = ReturnType<typeof requestFor>;

export const OUR_LABEL = "edge-authorizer authorize()";
const noLog = (): void => undefined;

export async function newWarmAuthorizer(fixture: AlgorithmFixture, warmToken: string, options: AuthorizerOptions = {}): Promise<Authorizer> {
  const authorizer = createAuthorizer(parseConfig(configDocument(fixture)), { log: noLog, ...options });
  const decision = await authorizer.authorize(requestFor(warmToken));
  if (!decision.allow) throw new Error(`warm-up denied for ${fixture.alg}: ${decision.code}`);
  return authorizer;
}

/** A check of our decision, counting anything but an allow as a failure of measurement `id`. */
function allowOrRecord(failures: Failures, id: string): (decision: Awaited<ReturnType<Authorizer["authorize"]>>) => void {
  return (decision) => {
    if (!decision.allow) failures.record(id, `${decision.status} ${decision.code}`);
  };
}

/** A peer call that records a throw instead of ending the run. */
function guarded(verify: Verify, failures: Failures, id: string): (token: string) => Promise<void> {
  return async (token) => {
    try {
      await verify(token);
    } catch (error) {
      failures.record(id, error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    }
  };
}

interface Driver {
  /** Untimed: a fresh instance, warmed. */
  prepare(): Promise<void>;
  /** Timed: one operation for the token (or request) at this index of the fixture's pool. */
  op(index: number): Promise<unknown>;
}

function ourDriver(fixture: AlgorithmFixture, requests: Request[], failures: Failures, id: string, options: AuthorizerOptions = {}): Driver {
  const warmToken = fixture.tokens[fixture.tokens.length - 1] as string;
  let authorizer: Authorizer | undefined;
  const check = allowOrRecord(failures, id);
  return {
    async prepare() {
      authorizer = await newWarmAuthorizer(fixture, warmToken, options);
    },
    async op(index) {
      check(await (authorizer as Authorizer).authorize(requests[index] as Request));
    },
  };
}

function peerDriver(fixture: AlgorithmFixture, verify: Verify, failures: Failures, id: string): Driver {
  const warmToken = fixture.tokens[fixture.tokens.length - 1] as string;
  const call = guarded(verify, failures, id);
  return {
    // Peers that cache imported keys (jose's local JWKS, aws-jwt-verify) import them here.
    prepare: () => call(warmToken),
    op: (index) => call(fixture.tokens[index] as string),
  };
}

function floorDriver(fixture: AlgorithmFixture, failures: Failures, id: string, withParse: boolean): Driver {
  const params = fixture.alg === "RS256"
    ? { name: "RSASSA-PKCS1-v1_5" }
    : fixture.alg === "ES256" ? { name: "ECDSA", hash: "SHA-256" } : { name: "Ed25519" };
  const key = fixture.key.publicKey;
  const encoder = new TextEncoder();
  const verifyBytes = async (signature: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>): Promise<void> => {
    if (!(await crypto.subtle.verify(params, key, signature, data))) failures.record(id, "signature false");
  };
  return {
    prepare: async () => undefined,
    op(index) {
      if (!withParse) {
        const bytes = fixture.bytes[index] as AlgorithmFixture["bytes"][number];
        return verifyBytes(bytes.signature, bytes.signingInput);
      }
      // The least any verifier must do: split, decode, parse header and payload, verify.
      const token = fixture.tokens[index] as string;
      const [h, p, s] = token.split(".") as [string, string, string];
      const header = JSON.parse(Buffer.from(h, "base64url").toString("utf8")) as { alg?: unknown };
      const payload = JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as { exp?: unknown };
      if (header.alg !== fixture.alg || typeof payload.exp !== "number") failures.record(id, "parse");
      return verifyBytes(new Uint8Array(Buffer.from(s, "base64url")), encoder.encode(`${h}.${p}`));
    },
  };
}

function batch(indexes: readonly number[], driver: Driver, limit: number): () => Promise<BatchResult> {
  return async () => {
    if (limit <= 1) await sequential(indexes, (i) => driver.op(i));
    else await inFlight(indexes, limit, (i) => driver.op(i));
    return { ops: indexes.length };
  };
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}

export function buildCoreMeasurements(fixtures: Fixtures, sizes: CoreSizes, failures: Failures): Measurement[] {
  const measurements: Measurement[] = [];
  const add = (group: string, impl: string, idBase: string, alg: BenchAlgorithm, driver: Driver, indexes: number[], limit: number): void => {
    measurements.push({ id: `${idBase}/${alg}`, group, impl, alg, prepare: () => driver.prepare(), run: batch(indexes, driver, limit) });
  };

  for (const alg of ["RS256", "ES256", "EdDSA"] as const) {
    const fixture = fixtureOf(fixtures, alg);
    const requests = fixture.tokens.map(requestFor);
    const modes = [
      { key: "seq", label: "sequential", indexes: range(sizes.firstSeenSequential), limit: 1 },
      { key: "c64", label: `${sizes.inFlight} in flight`, indexes: range(sizes.firstSeenInFlight), limit: sizes.inFlight },
    ];
    for (const mode of modes) {
      for (const withParse of [false, true]) {
        const id = `floor${withParse ? "-parse" : ""}/${mode.key}`;
        const impl = withParse ? "crypto.subtle.verify + minimal parse" : "crypto.subtle.verify alone";
        add(`floor (${mode.label})`, impl, id, alg, floorDriver(fixture, failures, `${id}/${alg}`, withParse), mode.indexes, mode.limit);
      }
      const ourId = `first-seen/${mode.key}/ours`;
      add(`first-seen (${mode.label})`, OUR_LABEL, ourId, alg, ourDriver(fixture, requests, failures, `${ourId}/${alg}`), mode.indexes, mode.limit);
      for (const peer of PEERS) {
        const verify = peer.create(fixture);
        if (verify === undefined) continue;
        const id = `first-seen/${mode.key}/${peer.id}`;
        add(`first-seen (${mode.label})`, peer.label, id, alg, peerDriver(fixture, verify, failures, `${id}/${alg}`), mode.indexes, mode.limit);
      }
    }

    const trace = Array.from(fixtures.traceIndexes);
    add("realistic traffic", OUR_LABEL, "realistic/ours", alg, ourDriver(fixture, requests, failures, `realistic/ours/${alg}`), trace, 1);
    for (const peer of PEERS) {
      const verify = peer.create(fixture);
      if (verify === undefined) continue;
      add("realistic traffic", peer.label, `realistic/${peer.id}`, alg, peerDriver(fixture, verify, failures, `realistic/${peer.id}/${alg}`), trace, 1);
    }

    // The repeat token is the warm-up token itself, so every measured call is a cache hit.
    const repeatIndexes = new Array<number>(sizes.repeat).fill(fixture.tokens.length - 1);
    add("repeat token", OUR_LABEL, "repeat/ours", alg, ourDriver(fixture, requests, failures, `repeat/ours/${alg}`), repeatIndexes, 1);
    const jose = PEERS.find((p) => p.id === "jose-key")?.create(fixture) as Verify;
    const peerRepeatIndexes = repeatIndexes.slice(0, sizes.repeatPeer);
    add("repeat token", "jose jwtVerify (CryptoKey)", "repeat/jose-key", alg, peerDriver(fixture, jose, failures, `repeat/jose-key/${alg}`), peerRepeatIndexes, 1);
  }
  measurements.push(...loggerMeasurements(fixtures, sizes, failures));
  return measurements;
}

/**
 * Issue 7: the metrics must not slow the request path. Measured where they weigh most (cache hits,
 * and the realistic trace), ES256, with each runtime's real hooks: the Lambda's CloudWatch EMF
 * writer (into a no-op sink) and the Worker's Analytics Engine writer (into a no-op dataset), each
 * on top of the default JSON decision logger, against that logger alone; and the logger itself
 * against `log: () => {}` (informative: the decision line is part of the product).
 */
function loggerMeasurements(fixtures: Fixtures, sizes: CoreSizes, failures: Failures): Measurement[] {
  const fixture = fixtureOf(fixtures, "ES256");
  const requests = fixture.tokens.map(requestFor);
  const noopDataset = { writeDataPoint: (): void => undefined };
  const variants: { key: string; impl: string; options: () => AuthorizerOptions; muteConsole: boolean }[] = [
    { key: "none", impl: "log: () => {}", options: () => ({}), muteConsole: false },
    { key: "json", impl: "default JSON logger -> no-op sink", options: () => ({ log: defaultLogger }), muteConsole: true },
    {
      key: "json+emf",
      impl: "JSON logger + Lambda EMF metrics (createEmfMetrics -> no-op sink)",
      options: () => ({ log: defaultLogger, ...createEmfMetrics({ write: () => undefined }) }),
      muteConsole: true,
    },
    {
      key: "json+analytics",
      impl: "JSON logger + Worker Analytics Engine metrics (createAnalyticsMetrics -> no-op dataset)",
      options: () => ({ log: defaultLogger, ...createAnalyticsMetrics(noopDataset, defaultLogger) }),
      muteConsole: true,
    },
  ];
  const workloads = [
    { key: "repeat", label: "repeat token", indexes: new Array<number>(sizes.repeat).fill(fixture.tokens.length - 1) },
    { key: "realistic", label: "realistic traffic", indexes: Array.from(fixtures.traceIndexes) },
  ];
  const out: Measurement[] = [];
  for (const workload of workloads) {
    for (const variant of variants) {
      const id = `log-hook/${workload.key}/${variant.key}`;
      const driver = ourDriver(fixture, requests, failures, `${id}/ES256`, variant.options());
      const run = batch(workload.indexes, driver, 1);
      out.push({
        id: `${id}/ES256`,
        group: `decision log hook (${workload.label})`,
        impl: variant.impl,
        alg: "ES256",
        prepare: variant.muteConsole ? () => withMutedConsole(() => driver.prepare()) : () => driver.prepare(),
        run: variant.muteConsole ? () => withMutedConsole(run) : run,
      });
    }
  }
  return out;
}

/** The default logger writes with console.*: point those at a no-op sink for the batch. */
async function withMutedConsole<T>(work: () => Promise<T>): Promise<T> {
  const saved = { log: console.log, warn: console.warn, error: console.error };
  const sink = (): void => undefined;
  console.log = sink;
  console.warn = sink;
  console.error = sink;
  try {
    return await work();
  } finally {
    Object.assign(console, saved);
  }
}
