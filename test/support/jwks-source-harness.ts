/**
 * A JWKS source wired to a test JWKS server with an injected clock and recorded logs, for tests
 * of the source itself and of faults (security suite).
 *
 *   const h = jwksSourceHarness(server, { shareInflightFetches: false });
 *   await h.source.getKeySet(h.issuer, { kid: "k1" });
 *   h.advance(600);            // move the injected clock, in seconds
 *   h.fetches()                // JWKS requests the server received since the harness was made
 */
import { createJwksSource, type JwksSource, type JwksSourceOptions } from "../../shared/jwks-source.js";
import { createMemoryKeyStore } from "../../shared/memory-key-store.js";
import type { IssuerConfig, JwksSettings, KeyStore, LogEntry } from "../../shared/types.js";
import type { JwksServer } from "./jwks-server.js";
import { TEST_ISSUER } from "./keys.js";

export const TEST_JWKS_SETTINGS: JwksSettings = {
  cacheMaxAgeSeconds: 600, cooldownSeconds: 30, timeoutMs: 1500, maxStaleSeconds: 86_400, maxBytes: 150_000,
};
/** The harness clock's start, in ms since the epoch. */
export const T0 = 1_700_000_000_000;

export interface JwksSourceHarness {
  source: JwksSource;
  issuer: IssuerConfig;
  clock: { ms: number };
  logs: (LogEntry & { level: string })[];
  /** Entries received by `onEvent`. */
  events: LogEntry[];
  keyStore: KeyStore;
  fetches(): number;
  advance(seconds: number): void;
  /** Logged entries with this `event`. */
  logged(event: string): LogEntry[];
}

export function jwksSourceHarness(
  server: JwksServer,
  overrides: Partial<JwksSourceOptions> & { jwksUri?: string } = {},
): JwksSourceHarness {
  const { jwksUri, ...options } = overrides;
  const issuer: IssuerConfig = {
    issuer: TEST_ISSUER, jwksUri: jwksUri ?? server.url, algorithms: ["ES256"], clockToleranceSeconds: 30, requiredClaims: [],
  };
  const clock = { ms: T0 };
  const logs: JwksSourceHarness["logs"] = [];
  const events: LogEntry[] = [];
  const keyStore = options.keyStore ?? createMemoryKeyStore();
  const base = server.requests;
  const source = createJwksSource({
    issuers: [issuer],
    settings: TEST_JWKS_SETTINGS,
    fetch: globalThis.fetch,
    now: () => clock.ms,
    log: (level, entry) => logs.push({ level, ...entry }),
    onEvent: (entry) => events.push(entry),
    shareInflightFetches: true,
    ...options,
    keyStore,
  });
  return {
    source, issuer, clock, logs, events, keyStore,
    fetches: () => server.requests - base,
    advance: (seconds) => {
      clock.ms += seconds * 1000;
    },
    logged: (event) => logs.filter((entry) => entry.event === event),
  };
}
