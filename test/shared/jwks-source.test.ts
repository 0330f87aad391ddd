/**
 * The JWKS source against a real JWKS server on 127.0.0.1, with the clock injected: caching,
 * single flight, cooldown-bounded refetches, stale-while-revalidate, stale-if-error, the key store.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AuthorizerError, JwksFetchError, KeysUnavailableError } from "../../shared/errors.js";
import { createJwksSource } from "../../shared/jwks-source.js";
import { createMemoryKeyStore } from "../../shared/memory-key-store.js";
import type { IssuerConfig, KeyStore } from "../../shared/types.js";
import { type JwksServer, refusedUrl, startJwksServer } from "../support/jwks-server.js";
import { jwksSourceHarness, T0, TEST_JWKS_SETTINGS } from "../support/jwks-source-harness.js";
import { generateTestKey, jwksOf, type TestKey } from "../support/keys.js";

const SETTINGS = TEST_JWKS_SETTINGS;
const harness = (overrides: Parameters<typeof jwksSourceHarness>[1] = {}) => jwksSourceHarness(server, overrides);

let server: JwksServer;
let key1: TestKey;
let key2: TestKey;

beforeAll(async () => {
  [key1, key2] = await Promise.all([generateTestKey("ES256", "k1"), generateTestKey("ES256", "k2")]);
  server = await startJwksServer();
});
afterAll(() => server.close());

async function rejection(promise: Promise<unknown>): Promise<AuthorizerError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(AuthorizerError);
  return error as AuthorizerError;
}

beforeEach(() => {
  server.setJwks(jwksOf(key1));
  server.behave({ kind: "serve" });
});

describe("cold start and the fresh cache", () => {
  it.each([100, 1000])("%i concurrent cold requests share exactly one fetch", async (count) => {
    const h = harness();
    const sets = await Promise.all(Array.from({ length: count }, () => h.source.getKeySet(h.issuer, { kid: "k1" })));
    expect(h.fetches()).toBe(1);
    expect(new Set(sets).size).toBe(1);
    expect(sets[0]?.hasKid("k1")).toBe(true);
    expect(h.logged("jwks_fetch")).toEqual([expect.objectContaining({ ok: true, jwksUri: server.url, keys: 1 })]);
  });

  it("never fetches while the cached copy is fresh", async () => {
    const h = harness();
    await h.source.getKeySet(h.issuer, { kid: "k1" });
    h.advance(SETTINGS.cacheMaxAgeSeconds - 1);
    for (let i = 0; i < 50; i++) await h.source.getKeySet(h.issuer, { kid: "k1" });
    expect(h.fetches()).toBe(1);
  });

  it("a kid-less token never triggers a refetch", async () => {
    const h = harness();
    await h.source.getKeySet(h.issuer, { kid: undefined });
    for (let i = 0; i < 5; i++) {
      h.advance(SETTINGS.cooldownSeconds);
      await h.source.getKeySet(h.issuer, { kid: undefined });
    }
    expect(h.fetches()).toBe(1);
  });

  it("static keys are built once and never fetched", async () => {
    const neverFetch: typeof fetch = () => Promise.reject(new Error("no fetch expected"));
    const h = harness({ fetch: neverFetch });
    const issuer: IssuerConfig = { ...h.issuer, jwksUri: undefined, jwks: jwksOf(key1) };
    const source = createJwksSource({
      issuers: [issuer], settings: SETTINGS, fetch: neverFetch, now: () => T0, keyStore: createMemoryKeyStore(),
      log: () => undefined, shareInflightFetches: true,
    });
    expect(source.freshKeySet(issuer)).toBeUndefined();
    const first = await source.getKeySet(issuer, { kid: "unknown" });
    expect(await source.getKeySet(issuer, { kid: "k1" })).toBe(first);
    expect(source.freshKeySet(issuer)).toBe(first);
  });

  it("refuses an issuer that was not configured", async () => {
    const h = harness();
    const stranger = { ...h.issuer, issuer: "https://stranger.test/" };
    expect((await rejection(h.source.getKeySet(stranger, { kid: "k1" }))).code).toBe("ERR_JWT_ISSUER_UNKNOWN");
    expect(h.fetches()).toBe(0);
  });
});

describe("maxStaleSeconds under cacheMaxAgeSeconds", () => {
  const short = { ...SETTINGS, maxStaleSeconds: 0 };

  it("a fresh copy is used whatever maxStaleSeconds says: no fetch per request", async () => {
    const h = harness({ settings: short });
    for (let i = 0; i < 5; i++) {
      expect((await h.source.getKeySet(h.issuer, { kid: "k1" })).hasKid("k1")).toBe(true);
      h.advance(SETTINGS.cooldownSeconds + 1);
    }
    expect(h.fetches()).toBe(1);
    expect(h.source.freshKeySet(h.issuer)?.hasKid("k1")).toBe(true);
  });

  it("the copy counts as usable for cacheMaxAgeSeconds, so a failed refresh after that is an outage", async () => {
    const h = harness({ settings: short });
    await h.source.getKeySet(h.issuer, { kid: "k1" });
    server.behave({ kind: "status", status: 500 });
    h.advance(SETTINGS.cacheMaxAgeSeconds);
    expect((await rejection(h.source.getKeySet(h.issuer, { kid: "k1" }))).code).toBe("ERR_KEYS_UNAVAILABLE");
    expect(h.fetches()).toBe(2);
  });
});

describe("freshKeySet (the cache-hit check)", () => {
  it("answers without I/O while the copy is fresh and undefined once it is due for refresh", async () => {
    const h = harness();
    expect(h.source.freshKeySet(h.issuer)).toBeUndefined();
    const keys = await h.source.getKeySet(h.issuer, { kid: "k1" });
    h.advance(SETTINGS.cacheMaxAgeSeconds - 1);
    expect(h.source.freshKeySet(h.issuer)).toBe(keys);
    h.advance(1);
    expect(h.source.freshKeySet(h.issuer)).toBeUndefined();
    expect(h.fetches()).toBe(1);
  });
});

describe("unknown kid", () => {
  it("a rotation costs one refetch, then the new key is found", async () => {
    const h = harness();
    await h.source.getKeySet(h.issuer, { kid: "k1" });
    server.setJwks(jwksOf(key1, key2));
    h.advance(SETTINGS.cooldownSeconds);
    const keys = await h.source.getKeySet(h.issuer, { kid: "k2" });
    expect(keys.hasKid("k2")).toBe(true);
    expect(h.source.freshKeySet(h.issuer)).toBe(keys);
    expect(await h.source.getKeySet(h.issuer, { kid: "k2" })).toBe(keys);
    expect(h.fetches()).toBe(2);
    expect(h.logged("jwks_refetch_unknown_kid")).toHaveLength(1);
  });

  it("a storm of unknown kids within the cooldown makes at most one fetch, after it another is allowed", async () => {
    const h = harness();
    await h.source.getKeySet(h.issuer, { kid: "k1" });
    h.advance(SETTINGS.cooldownSeconds);
    const concurrent = await Promise.all(
      Array.from({ length: 100 }, (_, i) => h.source.getKeySet(h.issuer, { kid: `attacker-${i}` })),
    );
    expect(h.fetches()).toBe(2);
    for (let second = 1; second < SETTINGS.cooldownSeconds; second++) {
      h.advance(1);
      const keys = await h.source.getKeySet(h.issuer, { kid: `later-${second}` });
      expect(keys.hasKid("k1")).toBe(true);
      expect(keys.hasKid(`later-${second}`)).toBe(false);
    }
    expect(h.fetches()).toBe(2);
    expect(concurrent.every((keys) => keys.hasKid("k1"))).toBe(true);
    h.advance(1);
    await h.source.getKeySet(h.issuer, { kid: "after-cooldown" });
    expect(h.fetches()).toBe(3);
  });

  it("right after a successful fetch, an unknown kid waits for the cooldown", async () => {
    const h = harness();
    await h.source.getKeySet(h.issuer, { kid: "k1" });
    server.setJwks(jwksOf(key1, key2));
    const keys = await h.source.getKeySet(h.issuer, { kid: "k2" });
    expect(keys.hasKid("k2")).toBe(false);
    expect(h.fetches()).toBe(1);
  });

  it("a failed refetch keeps the cached keys (an empty or broken JWKS never replaces them)", async () => {
    const h = harness();
    const warm = await h.source.getKeySet(h.issuer, { kid: "k1" });
    for (const body of ['{"keys":[]}', "<html></html>", '{"nope":1}']) {
      h.advance(SETTINGS.cooldownSeconds);
      server.behave({ kind: "body", body });
      expect(await h.source.getKeySet(h.issuer, { kid: "k9" })).toBe(warm);
    }
    expect(await h.source.getKeySet(h.issuer, { kid: "k1" })).toBe(warm);
    expect(h.logged("jwks_fetch").filter((e) => e.ok === false).map((e) => e.reason)).toEqual([
      "no_usable_keys", "not_json", "invalid_jwks",
    ]);
  });
});

describe("outages", () => {
  it("after warm-up, stale keys are served until maxStaleSeconds, then keys are unavailable", async () => {
    const h = harness();
    await h.source.getKeySet(h.issuer, { kid: "k1" });
    server.behave({ kind: "status", status: 500 });
    h.advance(SETTINGS.cacheMaxAgeSeconds);
    expect((await h.source.getKeySet(h.issuer, { kid: "k1" })).hasKid("k1")).toBe(true);
    expect(h.fetches()).toBe(2);
    expect(h.logged("jwks_stale_served")).toHaveLength(1);
    // Within the cooldown of the failed refresh: served stale without another fetch.
    h.advance(SETTINGS.cooldownSeconds - 1);
    expect((await h.source.getKeySet(h.issuer, { kid: "k1" })).hasKid("k1")).toBe(true);
    expect(h.fetches()).toBe(2);
    h.clock.ms = T0 + SETTINGS.maxStaleSeconds * 1000 - 1;
    expect((await h.source.getKeySet(h.issuer, { kid: "k1" })).hasKid("k1")).toBe(true);
    expect(h.fetches()).toBe(3);
    h.advance(SETTINGS.cooldownSeconds);
    const error = await rejection(h.source.getKeySet(h.issuer, { kid: "k1" }));
    expect(error.code).toBe("ERR_KEYS_UNAVAILABLE");
  });

  it("from cold, an unreachable JWKS means keys unavailable with a retry hint, and no fetch per request", async () => {
    const h = harness({ jwksUri: await refusedUrl() });
    const error = await rejection(h.source.getKeySet(h.issuer, { kid: "k1" }));
    expect(error).toBeInstanceOf(KeysUnavailableError);
    expect(error.code).toBe("ERR_KEYS_UNAVAILABLE");
    expect((error as KeysUnavailableError).retryAfterSeconds).toBe(SETTINGS.cooldownSeconds);
    expect((error.cause as JwksFetchError).reason).toBe("network");
    expect(h.logged("jwks_fetch")).toEqual([expect.objectContaining({ ok: false, reason: "network" })]);
  });

  it("from cold, a failing server is asked once per cooldown, then recovery is picked up", async () => {
    const h = harness();
    server.behave({ kind: "status", status: 503 });
    expect((await rejection(h.source.getKeySet(h.issuer, { kid: "k1" }))).code).toBe("ERR_KEYS_UNAVAILABLE");
    h.advance(10);
    const fast = await rejection(h.source.getKeySet(h.issuer, { kid: "k1" }));
    expect((fast as KeysUnavailableError).retryAfterSeconds).toBe(SETTINGS.cooldownSeconds - 10);
    expect(h.fetches()).toBe(1);
    server.behave({ kind: "serve" });
    h.advance(SETTINGS.cooldownSeconds - 10);
    expect((await h.source.getKeySet(h.issuer, { kid: "k1" })).hasKid("k1")).toBe(true);
    expect(h.fetches()).toBe(2);
  });

  it("from cold, a server that never answers fails with a timeout", async () => {
    server.behave({ kind: "hang" });
    const h = harness({ settings: { ...SETTINGS, timeoutMs: 200 } });
    const error = await rejection(h.source.getKeySet(h.issuer, { kid: "k1" }));
    expect(error.code).toBe("ERR_KEYS_UNAVAILABLE");
    expect((error.cause as JwksFetchError).reason).toBe("timeout");
  });
});

describe("stale-while-revalidate", () => {
  it("with waitUntil, a stale request is answered from the old keys and the background refresh lands the new ones", async () => {
    const h = harness();
    const old = await h.source.getKeySet(h.issuer, { kid: "k1" });
    server.setJwks(jwksOf(key2));
    server.queue({ kind: "delay", ms: 100 });
    h.advance(SETTINGS.cacheMaxAgeSeconds);
    const background: Promise<unknown>[] = [];
    let refreshed = false;
    const keys = await h.source.getKeySet(h.issuer, {
      kid: "k1",
      waitUntil: (work) => background.push(work.then(() => (refreshed = true))),
    });
    expect(keys).toBe(old);
    expect(refreshed).toBe(false);
    expect(background.length).toBeGreaterThan(0);
    // More stale requests while the refresh runs start no second fetch.
    await h.source.getKeySet(h.issuer, { kid: "k1", waitUntil: (work) => background.push(work) });
    await Promise.all(background);
    expect(h.fetches()).toBe(2);
    const fresh = h.source.freshKeySet(h.issuer);
    expect(fresh?.hasKid("k2")).toBe(true);
    expect(fresh?.hasKid("k1")).toBe(false);
    expect((await h.keyStore.get(server.url))?.jwks).toEqual(jwksOf(key2));
  });

  it("without waitUntil (Lambda), a stale copy is refreshed inline", async () => {
    const h = harness();
    await h.source.getKeySet(h.issuer, { kid: "k1" });
    server.setJwks(jwksOf(key2));
    h.advance(SETTINGS.cacheMaxAgeSeconds);
    expect((await h.source.getKeySet(h.issuer, { kid: undefined })).hasKid("k2")).toBe(true);
    expect(h.fetches()).toBe(2);
  });

  it("a failed background refresh keeps the stale keys and logs it", async () => {
    const h = harness();
    const old = await h.source.getKeySet(h.issuer, { kid: "k1" });
    server.behave({ kind: "status", status: 502 });
    h.advance(SETTINGS.cacheMaxAgeSeconds);
    const background: Promise<unknown>[] = [];
    expect(await h.source.getKeySet(h.issuer, { kid: "k1", waitUntil: (w) => background.push(w) })).toBe(old);
    await Promise.all(background);
    // Still served stale within the cooldown, with no second fetch.
    expect(await h.source.getKeySet(h.issuer, { kid: "k1", waitUntil: (w) => background.push(w) })).toBe(old);
    expect(h.fetches()).toBe(2);
    expect(h.logged("jwks_fetch").at(-1)).toMatchObject({ ok: false, reason: "status", status: 502 });
    expect(h.logged("jwks_stale_served")).toHaveLength(1);
  });
});

describe("the key store (second level)", () => {
  it("a second source over the same store starts warm with the server down", async () => {
    const keyStore = createMemoryKeyStore();
    const first = harness({ keyStore });
    await first.source.getKeySet(first.issuer, { kid: "k1" });
    expect((await keyStore.get(server.url))?.fetchedAt).toBe(T0);
    server.behave({ kind: "status", status: 500 });
    const second = harness({ keyStore });
    second.advance(60);
    expect((await second.source.getKeySet(second.issuer, { kid: "k1" })).hasKid("k1")).toBe(true);
    expect(second.fetches()).toBe(0);
  });

  it("judges a stored copy's freshness by its fetch time", async () => {
    const keyStore = createMemoryKeyStore();
    keyStore.put(server.url, { jwks: jwksOf(key1), fetchedAt: T0 - SETTINGS.cacheMaxAgeSeconds * 1000 });
    server.setJwks(jwksOf(key2));
    const h = harness({ keyStore });
    expect((await h.source.getKeySet(h.issuer, { kid: undefined })).hasKid("k2")).toBe(true);
    expect(h.fetches()).toBe(1);
  });

  it("a stale copy is replaced from the store when another instance refreshed it", async () => {
    const keyStore = createMemoryKeyStore();
    const h = harness({ keyStore });
    await h.source.getKeySet(h.issuer, { kid: "k1" });
    h.advance(SETTINGS.cacheMaxAgeSeconds);
    keyStore.put(server.url, { jwks: jwksOf(key2), fetchedAt: h.clock.ms - 1000 });
    expect((await h.source.getKeySet(h.issuer, { kid: undefined })).hasKid("k2")).toBe(true);
    expect(h.fetches()).toBe(1);
  });

  it("a store that throws or rejects is logged and treated as a miss", async () => {
    const broken: KeyStore[] = [
      { get: () => { throw new Error("KV down"); }, put: () => { throw new Error("KV down"); } },
      { get: () => Promise.reject(new Error("KV down")), put: () => Promise.reject(new Error("KV down")) },
      { get: () => ({ garbage: true }) as never, put: () => undefined },
    ];
    for (const keyStore of broken) {
      const h = harness({ keyStore });
      expect((await h.source.getKeySet(h.issuer, { kid: "k1" })).hasKid("k1")).toBe(true);
      expect(h.fetches()).toBe(1);
      expect(h.logged("jwks_store_error").length).toBeGreaterThan(0);
    }
  });
});

describe("without shared in-flight fetches (workerd)", () => {
  it("each cold request fetches for itself and all succeed", async () => {
    const h = harness({ shareInflightFetches: false });
    const sets = await Promise.all(Array.from({ length: 10 }, () => h.source.getKeySet(h.issuer, { kid: "k1" })));
    expect(sets.every((keys) => keys.hasKid("k1"))).toBe(true);
    expect(h.fetches()).toBe(10);
  });

  it("the cooldown still bounds unknown-kid storms and stale refreshes", async () => {
    const h = harness({ shareInflightFetches: false });
    await h.source.getKeySet(h.issuer, { kid: "k1" });
    h.advance(SETTINGS.cooldownSeconds);
    await Promise.all(Array.from({ length: 50 }, (_, i) => h.source.getKeySet(h.issuer, { kid: `x${i}` })));
    expect(h.fetches()).toBe(2);
    h.advance(SETTINGS.cacheMaxAgeSeconds);
    const background: Promise<unknown>[] = [];
    await Promise.all(
      Array.from({ length: 50 }, () => h.source.getKeySet(h.issuer, { kid: "k1", waitUntil: (w) => background.push(w) })),
    );
    await Promise.all(background);
    expect(h.fetches()).toBe(3);
  });
});

describe("logging", () => {
  it("logs structured JWKS events to the logger and onEvent, never key material", async () => {
    const h = harness();
    await h.source.getKeySet(h.issuer, { kid: "k1" });
    server.setJwks(jwksOf(key1, key2));
    h.advance(SETTINGS.cooldownSeconds);
    await h.source.getKeySet(h.issuer, { kid: "k2" });
    expect(h.events.map((e) => e.event)).toEqual(["jwks_fetch", "jwks_refetch_unknown_kid", "jwks_fetch"]);
    expect(h.logs[0]).toMatchObject({ level: "info", event: "jwks_fetch", jwksUri: server.url, ok: true, status: 200, keys: 1 });
    expect(typeof h.logs[0]?.ms).toBe("number");
    const text = JSON.stringify(h.logs);
    for (const key of [key1, key2]) expect(text).not.toContain(String(key.publicJwk.x));
  });

  it("a logger that throws never fails a request", async () => {
    const h = harness({ log: () => { throw new Error("log sink down"); } });
    expect((await h.source.getKeySet(h.issuer, { kid: "k1" })).hasKid("k1")).toBe(true);
  });
});

