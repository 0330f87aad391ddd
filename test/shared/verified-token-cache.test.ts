import { describe, expect, it } from "vitest";
import type { VerifiedToken } from "../../shared/claims.js";
import { MAX_CACHED_TOKEN_LENGTH, VerifiedTokenCache, type CachedToken } from "../../shared/verified-token-cache.js";

const entry = (sub: string): CachedToken => ({
  verified: { sub } as unknown as VerifiedToken, alg: "ES256", headerKid: undefined, thumbprint: `tp-${sub}`,
});

describe("VerifiedTokenCache", () => {
  it("returns what was stored for the exact token string only", () => {
    const cache = new VerifiedTokenCache(10);
    cache.set("a.b.c", entry("alice"));
    expect(cache.get("a.b.c")?.verified.sub).toBe("alice");
    expect(cache.get("a.b.c ")).toBeUndefined();
  });

  it("stays within its bound, evicting the oldest entry", () => {
    const cache = new VerifiedTokenCache(3);
    for (const t of ["t1", "t2", "t3", "t4"]) cache.set(t, entry(t));
    expect(cache.size).toBe(3);
    expect(cache.get("t1")).toBeUndefined();
    expect(cache.get("t4")?.verified.sub).toBe("t4");
  });

  it("does not store oversized tokens, and stores nothing when disabled", () => {
    const cache = new VerifiedTokenCache(3);
    cache.set("x".repeat(MAX_CACHED_TOKEN_LENGTH + 1), entry("big"));
    expect(cache.size).toBe(0);
    const off = new VerifiedTokenCache(0);
    off.set("t", entry("t"));
    expect(off.get("t")).toBeUndefined();
  });
});
