/**
 * Tokens seen again skip parsing and signature work. Keyed by the exact token string; only
 * successes are stored; the caller re-checks the time window and the key's presence on every hit
 * and runs the route checks as always. Bounded by entry count, oldest out first, and by token
 * length, so a flood of distinct or oversized tokens cannot grow memory.
 */
import type { VerifiedToken } from "./claims.js";

/** Longer tokens are verified every time rather than pinned in memory. */
export const MAX_CACHED_TOKEN_LENGTH = 4096;

export class VerifiedTokenCache {
  readonly #entries = new Map<string, VerifiedToken>();
  readonly #maxEntries: number;

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(token: string): VerifiedToken | undefined {
    return this.#entries.get(token);
  }

  set(token: string, verified: VerifiedToken): void {
    if (this.#maxEntries === 0 || token.length > MAX_CACHED_TOKEN_LENGTH) return;
    if (this.#entries.size >= this.#maxEntries) {
      // Map iteration order is insertion order: the first key is the oldest entry.
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(token, verified);
  }

  delete(token: string): void {
    this.#entries.delete(token);
  }
}
