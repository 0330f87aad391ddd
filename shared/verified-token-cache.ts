/**
 * Tokens seen again skip parsing and signature work. Keyed by the exact token string; only
 * successes are stored; the caller re-checks the time window and the key on every hit and runs
 * the route checks as always. Bounded by entry count, oldest out first, and by token length, so a
 * flood of distinct or oversized tokens cannot grow memory.
 */
import type { VerifiedToken } from "./claims.js";
import type { Algorithm } from "./types.js";

/** Longer tokens are verified every time rather than pinned in memory. */
export const MAX_CACHED_TOKEN_LENGTH = 4096;

/**
 * A verified token and the exact key that verified it. A hit asks the current key set the same
 * question the signature check asked (this `alg`, the header's `kid`) and needs the same key back:
 * a kid alone would keep tokens alive across new material published under that kid.
 */
export interface CachedToken {
  verified: VerifiedToken;
  alg: Algorithm;
  /** The token header's `kid` (undefined when it names none), not the key's. */
  headerKid: string | undefined;
  /** RFC 7638 thumbprint of the verifying key. */
  thumbprint: string;
}

export class VerifiedTokenCache {
  readonly #entries = new Map<string, CachedToken>();
  readonly #maxEntries: number;

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(token: string): CachedToken | undefined {
    return this.#entries.get(token);
  }

  set(token: string, entry: CachedToken): void {
    if (this.#maxEntries === 0 || token.length > MAX_CACHED_TOKEN_LENGTH) return;
    if (this.#entries.size >= this.#maxEntries) {
      // Map iteration order is insertion order: the first key is the oldest entry.
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(token, entry);
  }

  delete(token: string): void {
    this.#entries.delete(token);
  }
}
