/**
 * The second-level JWKS cache over Workers KV, so that a new isolate starts with keys instead of
 * fetching them on its first request. The core keeps isolate memory as the first level and judges
 * freshness by `fetchedAt`; KV is only a warm start (it is eventually consistent and its TTL cannot
 * go under 60 s, so it must never be the only freshness check).
 *
 * KV failures never fail a request: a read error is a miss, a write error is logged and dropped.
 */
import type { KeyStore, Logger, StoredJwks } from "../shared/types.js";

/** KV refuses an `expirationTtl` under 60 seconds. */
const KV_MIN_TTL_SECONDS = 60;
/** KV keys are limited to 512 bytes; longer JWKS URIs are stored under their SHA-256. */
const KV_MAX_KEY_BYTES = 512;
const KEY_PREFIX = "jwks:v1:";

/**
 * The two KV calls the store makes (a `KVNamespace` satisfies it), so the store is testable
 * without the workers runtime.
 */
export interface JwksKv {
  get(key: string, type: "json"): Promise<unknown>;
  put(key: string, value: string, options: { expirationTtl: number }): Promise<void>;
}

export interface KvKeyStoreOptions {
  /** After this many seconds the document is past any use (the core's `jwks.maxStaleSeconds`). */
  maxStaleSeconds: number;
  log?: Logger;
}

export function createKvKeyStore(kv: JwksKv, options: KvKeyStoreOptions): KeyStore {
  const log = options.log ?? (() => {});
  // Entries expire about when the core would stop serving them anyway: no point keeping them longer.
  const expirationTtl = Math.max(KV_MIN_TTL_SECONDS, Math.ceil(options.maxStaleSeconds));
  return {
    async get(jwksUri) {
      try {
        const value = await kv.get(await kvKey(jwksUri), "json");
        return asStoredJwks(value);
      } catch (error) {
        log("warn", { event: "jwks_kv_read_failed", jwksUri, reason: errorName(error) });
        return undefined;
      }
    },
    async put(jwksUri, value) {
      try {
        const body = JSON.stringify({ jwks: value.jwks, fetchedAt: value.fetchedAt });
        await kv.put(await kvKey(jwksUri), body, { expirationTtl });
      } catch (error) {
        log("warn", { event: "jwks_kv_write_failed", jwksUri, reason: errorName(error) });
      }
    },
  };
}

/** The KV key for a JWKS URI (exported for tests that look into the namespace). */
export async function kvKey(jwksUri: string): Promise<string> {
  const plain = KEY_PREFIX + jwksUri;
  if (new TextEncoder().encode(plain).byteLength <= KV_MAX_KEY_BYTES) return plain;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(jwksUri));
  const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${KEY_PREFIX}sha256:${hex}`;
}

/** Anything else in the namespace (an old format, a manual edit) is a miss, not an error. */
function asStoredJwks(value: unknown): StoredJwks | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as { jwks?: unknown; fetchedAt?: unknown };
  if (typeof record.fetchedAt !== "number" || !Number.isFinite(record.fetchedAt)) return undefined;
  if (typeof record.jwks !== "object" || record.jwks === null) return undefined;
  return { jwks: record.jwks, fetchedAt: record.fetchedAt };
}

function errorName(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : "unknown error";
}
