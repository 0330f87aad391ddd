/**
 * Where the authorizer gets an issuer's keys. Remote JWKS documents are cached at two levels:
 * this module's memory (a built, pre-imported KeySet per jwksUri) and the injected `keyStore`
 * (the raw document and its fetch time; Workers KV in the Worker, so new isolates start warm).
 *
 * Freshness is judged from timestamps of the injected clock, never from timers: Workers and Lambda
 * freeze between requests. Every network fetch of a jwksUri (cold, stale refresh, unknown `kid`)
 * happens at most once per `cooldownSeconds`, measured from the previous attempt; failures never
 * replace cached keys, which stay usable until `maxStaleSeconds` (and always while fresh).
 */
import { AuthorizerError, JwksFetchError, KeysUnavailableError } from "./errors.js";
import { fetchJwks } from "./jwks-fetch.js";
import { createKeySet } from "./key-set.js";
import type {
  FetchLike, IssuerConfig, JwksSettings, KeySet, KeyStore, LogEntry, Logger, StoredJwks,
} from "./types.js";

export interface JwksSourceOptions {
  issuers: IssuerConfig[];
  settings: JwksSettings;
  fetch: FetchLike;
  now: () => number;
  keyStore: KeyStore;
  log: Logger;
  /**
   * true (Node, Lambda): concurrent requests wait on one fetch per jwksUri. false (workerd): a
   * pending promise must not be shared across requests, so each request that needs a fetch makes
   * its own (the cooldown still bounds unknown-kid and stale refreshes).
   */
  shareInflightFetches: boolean;
  /** Receives every JWKS event that is logged (for metrics). */
  onEvent?: (entry: LogEntry) => void;
}

export interface KeySetRequest {
  /** The token's `kid`; a kid-less token never triggers a refetch. */
  kid: string | undefined;
  /** Registers background work that outlives the response (the Worker's `ctx.waitUntil`). */
  waitUntil?: (work: Promise<unknown>) => void;
}

export interface JwksSource {
  /** Resolves to the keys to verify with, or rejects with `KeysUnavailableError` (503). */
  getKeySet(issuer: IssuerConfig, request: KeySetRequest): Promise<KeySet>;
  /**
   * The keys when they need no refresh (static, or fetched under `cacheMaxAgeSeconds` ago), without
   * I/O; otherwise undefined, and the caller goes through `getKeySet` like a first-seen token.
   */
  freshKeySet(issuer: IssuerConfig): KeySet | undefined;
}

/**
 * How long a copy stays usable. A fresh copy is never refused: a `maxStaleSeconds` under
 * `cacheMaxAgeSeconds` would otherwise make every request fetch (configWarnings flags it).
 */
export function staleLimitSeconds(settings: JwksSettings): number {
  return Math.max(settings.maxStaleSeconds, settings.cacheMaxAgeSeconds);
}

interface CachedKeys {
  keySet: KeySet;
  fetchedAt: number;
}

type Outcome = { ok: true; cached: CachedKeys } | { ok: false; error: JwksFetchError };

interface RemoteSlot {
  uri: string;
  issuer: IssuerConfig;
  cached: CachedKeys | undefined;
  /** Start of the last network fetch attempt (the cooldown is measured from it). */
  lastAttemptAt: number | undefined;
  /** Start of the last attempt if it failed; cleared by a success. */
  lastFailureAt: number | undefined;
  /** The fetch in flight, only when fetches are shared. */
  inflight: Promise<Outcome> | undefined;
}

export function createJwksSource(options: JwksSourceOptions): JwksSource {
  const { settings, now, keyStore, shareInflightFetches: share } = options;
  const cacheMaxAgeMs = settings.cacheMaxAgeSeconds * 1000;
  const maxStaleMs = staleLimitSeconds(settings) * 1000;
  const cooldownMs = settings.cooldownSeconds * 1000;
  const configured = new Set(options.issuers.map((issuer) => issuer.issuer));
  const remoteSlots = new Map<string, RemoteSlot>();
  const slotsByIssuer = new Map<IssuerConfig, RemoteSlot>();
  const staticSets = new Map<string, KeySet>();

  function emit(level: "info" | "warn" | "error", entry: LogEntry): void {
    // Logging and metrics must never turn into a failed request.
    try {
      options.log(level, entry);
      options.onEvent?.(entry);
    } catch {
      /* ignored on purpose */
    }
  }

  function slotFor(issuer: IssuerConfig, uri: string): RemoteSlot {
    // Called on every request (cache hits too): remember the slot per issuer object rather than
    // building its key string each time.
    const known = slotsByIssuer.get(issuer);
    if (known !== undefined && known.uri === uri) return known;
    // Two issuers may share a jwksUri with different algorithm lists; each gets its own KeySet.
    const key = `${uri}\n${issuer.algorithms.join(",")}`;
    let slot = remoteSlots.get(key);
    if (slot === undefined) {
      slot = { uri, issuer, cached: undefined, lastAttemptAt: undefined, lastFailureAt: undefined, inflight: undefined };
      remoteSlots.set(key, slot);
    }
    slotsByIssuer.set(issuer, slot);
    return slot;
  }

  async function staticKeySet(issuer: IssuerConfig, jwks: unknown): Promise<KeySet> {
    let keySet = staticSets.get(issuer.issuer);
    if (keySet === undefined) {
      keySet = await createKeySet(jwks, { algorithms: issuer.algorithms });
      staticSets.set(issuer.issuer, keySet);
    }
    return keySet;
  }

  async function storeGet(uri: string): Promise<StoredJwks | undefined> {
    try {
      const stored = await keyStore.get(uri);
      if (stored === undefined || stored === null) return undefined;
      if (typeof stored !== "object" || !Number.isFinite(stored.fetchedAt)) {
        emit("warn", { event: "jwks_store_error", jwksUri: uri, operation: "get", reason: "malformed entry" });
        return undefined;
      }
      return stored;
    } catch (error) {
      emit("warn", { event: "jwks_store_error", jwksUri: uri, operation: "get", reason: errorName(error) });
      return undefined;
    }
  }

  async function storePut(uri: string, value: StoredJwks): Promise<void> {
    try {
      await keyStore.put(uri, value);
    } catch (error) {
      emit("warn", { event: "jwks_store_error", jwksUri: uri, operation: "put", reason: errorName(error) });
    }
  }

  /** Adopts the key store's copy when it is newer than memory (another isolate fetched it). */
  async function adoptStored(slot: RemoteSlot): Promise<void> {
    const stored = await storeGet(slot.uri);
    if (stored === undefined || (slot.cached !== undefined && slot.cached.fetchedAt >= stored.fetchedAt)) return;
    let keySet: KeySet;
    try {
      keySet = await createKeySet(stored.jwks, { algorithms: slot.issuer.algorithms });
    } catch (error) {
      emit("warn", { event: "jwks_store_error", jwksUri: slot.uri, operation: "get", reason: "stored JWKS invalid" });
      return;
    }
    if (keySet.size === 0) return;
    if (slot.cached === undefined || slot.cached.fetchedAt < stored.fetchedAt) {
      slot.cached = { keySet, fetchedAt: stored.fetchedAt };
    }
  }

  async function runFetch(slot: RemoteSlot, request: KeySetRequest, startedAt: number): Promise<Outcome> {
    try {
      const fetched = await fetchJwks({
        url: slot.uri,
        fetch: options.fetch,
        timeoutMs: settings.timeoutMs,
        maxBytes: settings.maxBytes,
        algorithms: slot.issuer.algorithms,
      });
      const fetchedAt = now();
      const cached: CachedKeys = { keySet: fetched.keySet, fetchedAt };
      // Without shared fetches two may overlap: the later answer wins.
      if (slot.cached === undefined || slot.cached.fetchedAt <= fetchedAt) slot.cached = cached;
      slot.lastFailureAt = undefined;
      emit("info", {
        event: "jwks_fetch", jwksUri: slot.uri, ok: true, status: 200, keys: fetched.keySet.size, ms: fetchedAt - startedAt,
      });
      const put = storePut(slot.uri, { jwks: fetched.document, fetchedAt });
      if (request.waitUntil !== undefined) request.waitUntil(put);
      else await put;
      return { ok: true, cached };
    } catch (caught) {
      const error = caught instanceof JwksFetchError
        ? caught
        : new JwksFetchError(`JWKS fetch from ${slot.uri} failed`, { reason: "network", cause: caught });
      slot.lastFailureAt = startedAt;
      emit("warn", {
        event: "jwks_fetch", jwksUri: slot.uri, ok: false, status: error.status, reason: error.reason, ms: now() - startedAt,
      });
      return { ok: false, error };
    }
  }

  /**
   * Starts a refresh: for a stale copy the key store is consulted first (another isolate may have
   * refreshed it), then the network. Marks the attempt for the cooldown before any await.
   */
  function startRefresh(slot: RemoteSlot, request: KeySetRequest, consultStore: boolean): Promise<Outcome> {
    const startedAt = now();
    slot.lastAttemptAt = startedAt;
    const work = (async (): Promise<Outcome> => {
      if (consultStore) {
        await adoptStored(slot);
        if (slot.cached !== undefined && now() - slot.cached.fetchedAt < cacheMaxAgeMs) {
          return { ok: true, cached: slot.cached };
        }
      }
      return runFetch(slot, request, startedAt);
    })();
    if (share) {
      slot.inflight = work;
      void work.then(() => {
        if (slot.inflight === work) slot.inflight = undefined;
      });
    }
    return work;
  }

  function coolingDown(slot: RemoteSlot, at: number | undefined): boolean {
    return at !== undefined && now() - at < cooldownMs;
  }

  function unavailable(slot: RemoteSlot, retryAfterSeconds: number, cause?: unknown): KeysUnavailableError {
    return new KeysUnavailableError(`no usable keys for ${slot.uri}`, {
      retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)),
      cause,
    });
  }

  function serveStale(slot: RemoteSlot, cached: CachedKeys, reason: string): KeySet {
    emit("warn", {
      event: "jwks_stale_served", jwksUri: slot.uri, reason, ageSeconds: Math.floor((now() - cached.fetchedAt) / 1000),
    });
    return cached.keySet;
  }

  /** Nothing usable cached (cold, or past maxStaleSeconds): the request must wait for a fetch. */
  async function requireFetch(slot: RemoteSlot, request: KeySetRequest): Promise<KeySet> {
    let outcome: Outcome;
    if (share && slot.inflight !== undefined) {
      outcome = await slot.inflight;
    } else if (coolingDown(slot, slot.lastFailureAt)) {
      // A failed attempt moments ago: answer 503 at once rather than hammer the issuer.
      const remainingMs = (slot.lastFailureAt ?? 0) + cooldownMs - now();
      throw unavailable(slot, remainingMs / 1000);
    } else {
      outcome = await startRefresh(slot, request, false);
    }
    if (outcome.ok) return outcome.cached.keySet;
    throw unavailable(slot, settings.cooldownSeconds, outcome.error);
  }

  /** The token names a kid the cached set lacks: the issuer may have rotated. */
  async function refetchForKid(slot: RemoteSlot, request: KeySetRequest, cached: CachedKeys): Promise<KeySet> {
    let outcome: Outcome;
    if (share && slot.inflight !== undefined) {
      outcome = await slot.inflight;
    } else if (coolingDown(slot, slot.lastAttemptAt)) {
      return cached.keySet;
    } else {
      emit("info", { event: "jwks_refetch_unknown_kid", jwksUri: slot.uri });
      outcome = await startRefresh(slot, request, false);
    }
    return outcome.ok ? outcome.cached.keySet : usable(slot)?.keySet ?? cached.keySet;
  }

  async function refreshStale(slot: RemoteSlot, request: KeySetRequest, cached: CachedKeys): Promise<KeySet> {
    const { waitUntil } = request;
    if (share && slot.inflight !== undefined) {
      if (waitUntil !== undefined) return cached.keySet;
      const outcome = await slot.inflight;
      return outcome.ok ? outcome.cached.keySet : cached.keySet;
    }
    if (coolingDown(slot, slot.lastAttemptAt)) return cached.keySet;
    if (waitUntil !== undefined) {
      // stale-while-revalidate: answer from the cached keys now, refresh after the response.
      waitUntil(startRefresh(slot, request, true).then((outcome) => {
        if (!outcome.ok) serveStale(slot, cached, "refresh_failed");
      }));
      return cached.keySet;
    }
    const outcome = await startRefresh(slot, request, true);
    return outcome.ok ? outcome.cached.keySet : serveStale(slot, cached, "refresh_failed");
  }

  function usable(slot: RemoteSlot): CachedKeys | undefined {
    const { cached } = slot;
    return cached !== undefined && now() - cached.fetchedAt < maxStaleMs ? cached : undefined;
  }

  async function getRemote(slot: RemoteSlot, request: KeySetRequest): Promise<KeySet> {
    if (slot.cached === undefined) await adoptStored(slot);
    const cached = usable(slot);
    if (cached === undefined) return requireFetch(slot, request);
    if (request.kid !== undefined && !cached.keySet.hasKid(request.kid)) {
      return refetchForKid(slot, request, cached);
    }
    if (now() - cached.fetchedAt < cacheMaxAgeMs) return cached.keySet;
    return refreshStale(slot, request, cached);
  }

  function checkConfigured(issuer: IssuerConfig): void {
    if (!configured.has(issuer.issuer)) {
      throw new AuthorizerError("ERR_JWT_ISSUER_UNKNOWN", "issuer is not configured");
    }
  }

  return {
    async getKeySet(issuer, request) {
      checkConfigured(issuer);
      if (issuer.jwks !== undefined) return staticKeySet(issuer, issuer.jwks);
      if (issuer.jwksUri === undefined) {
        throw new AuthorizerError("ERR_INTERNAL", "issuer has neither jwks nor jwksUri");
      }
      return getRemote(slotFor(issuer, issuer.jwksUri), request);
    },
    freshKeySet(issuer) {
      if (issuer.jwks !== undefined) return staticSets.get(issuer.issuer);
      if (issuer.jwksUri === undefined) return undefined;
      const { cached } = slotFor(issuer, issuer.jwksUri);
      return cached !== undefined && now() - cached.fetchedAt < cacheMaxAgeMs ? cached.keySet : undefined;
    },
  };
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
