/**
 * JWKS caching through the Worker in workerd, with a real KV binding persisted on disk: new
 * isolates start warm from KV, a stale JWKS is refreshed after the response (waitUntil), and a
 * key rotation is picked up.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startJwksServer } from "../support/jwks-server.js";
import { generateTestKey, jwksOf, mintToken } from "../support/keys.js";
import { kvKey } from "../../workers/kv-key-store.js";
import { workerConfig } from "./support/fixtures.js";
import { startGatedJwksServer } from "./support/gated-jwks-server.js";
import { startOrigin } from "./support/origin-server.js";
import { eventually, startWorker, tempDir, type TestWorker } from "./support/worker-harness.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
function later<T extends { close?: () => Promise<unknown>; dispose?: () => Promise<unknown>; remove?: () => Promise<unknown> }>(thing: T): T {
  cleanups.push(() => (thing.close ?? thing.dispose ?? thing.remove)!.call(thing));
  return thing;
}

interface StoredDocument {
  jwks: { keys: { kid?: string }[] };
  fetchedAt: number;
}

async function readStored(kv: Awaited<ReturnType<TestWorker["kv"]>>, jwksUri: string): Promise<StoredDocument | undefined> {
  const text = await kv.get(await kvKey(jwksUri), "text");
  return text === null ? undefined : (JSON.parse(text) as StoredDocument);
}

describe("JWKS in Workers KV", () => {
  it("stores the JWKS in KV after the first verification, and a fresh isolate verifies with the issuer down", async () => {
    const key = await generateTestKey("ES256", "kv-key");
    const jwks = await startJwksServer({ jwks: jwksOf(key) });
    const origin = later(await startOrigin());
    const dir = later(await tempDir("edge-authorizer-kv-"));
    const config = workerConfig(jwks.url, { jwks: { maxStaleSeconds: 7200 } });
    const token = await mintToken(key);

    const first = await startWorker({ config, upstreamUrl: origin.url, kvPersist: dir.path });
    const before = Date.now();
    expect((await first.fetch("/orders/1", { headers: { authorization: `Bearer ${token}` } })).status).toBe(201);
    const kv = await first.kv();
    const stored = await eventually(() => readStored(kv, jwks.url), "the JWKS in KV");
    expect(stored.jwks.keys.map((k) => k.kid)).toEqual(["kv-key"]);
    expect(stored.fetchedAt).toBeGreaterThanOrEqual(before - 1000);
    // The entry expires with maxStaleSeconds (7200 s here), when the core would stop using it anyway.
    const listed = (await kv.list()).keys.find((entry) => entry.name === `jwks:v1:${jwks.url}`);
    expect(listed?.expiration).toBeGreaterThan(before / 1000 + 7000);
    expect(listed?.expiration).toBeLessThan(Date.now() / 1000 + 7300);
    await first.dispose();
    expect(jwks.requests).toBe(1);
    await jwks.close();

    const second = later(await startWorker({ config, upstreamUrl: origin.url, kvPersist: dir.path }));
    const fresh = await mintToken(key, { claims: { sub: "second-isolate" } });
    const response = await second.fetch("/orders/2", { headers: { authorization: `Bearer ${fresh}` } });
    expect(response.status).toBe(201);
    expect(origin.received.at(-1)?.headers["x-auth-sub"]).toBe("second-isolate");
  });

  it("works without a KV binding (keys in isolate memory only)", async () => {
    const key = await generateTestKey("ES256", "mem-key");
    const jwks = later(await startJwksServer({ jwks: jwksOf(key) }));
    const origin = later(await startOrigin());
    const worker = later(await startWorker({ config: workerConfig(jwks.url), upstreamUrl: origin.url, withoutKv: true }));
    for (const sub of ["a", "b", "c"]) {
      const token = await mintToken(key, { claims: { sub } });
      expect((await worker.fetch("/orders/1", { headers: { authorization: `Bearer ${token}` } })).status).toBe(201);
    }
    expect(jwks.requests).toBe(1);
  });
});

describe("stale-while-revalidate and rotation", () => {
  it("answers from the stale JWKS while the refresh is still held by the issuer, then uses the new keys", async () => {
    const oldKey = await generateTestKey("ES256", "old-key");
    const newKey = await generateTestKey("ES256", "new-key");
    const gated = later(await startGatedJwksServer());
    // The origin answers only once the refresh is waiting at the issuer: so the Worker's answer can
    // only arrive if it forwarded without waiting for that refresh. (A Worker that refreshed inline
    // would reach the origin only after its fetch gave up, and never get an answer.)
    const origin = later(await startOrigin({
      beforeAnswer: async (request) => {
        if (request.path === "/orders/1") await gated.whenHeld(1);
      },
    }));
    const dir = later(await tempDir("edge-authorizer-swr-"));
    // A long timeout: the held refresh must not give up (and be dropped) while the test runs.
    const config = workerConfig(gated.url, { jwks: { cacheMaxAgeSeconds: 60, maxStaleSeconds: 86_400, timeoutMs: 30_000 } });

    // KV holds a copy fetched an hour ago: past cacheMaxAgeSeconds, well within maxStaleSeconds.
    const worker = later(await startWorker({ config, upstreamUrl: origin.url, kvPersist: dir.path }));
    const kv = await worker.kv();
    const staleAt = Date.now() - 3_600_000;
    await kv.put(await kvKey(gated.url), JSON.stringify({ jwks: jwksOf(oldKey), fetchedAt: staleAt }));

    const oldToken = await mintToken(oldKey, { claims: { sub: "old-key-user" } });
    const response = await withinMs(
      10_000,
      worker.fetch("/orders/1", { headers: { authorization: `Bearer ${oldToken}` } }),
      "the Worker's answer while the JWKS refresh is held (did it wait for the refresh?)",
    );
    // At the moment the answer is here, the refresh is still open at the issuer, never answered.
    expect({ held: gated.held, requests: gated.requests, dropped: gated.dropped, answered: gated.answered })
      .toEqual({ held: 1, requests: 1, dropped: 0, answered: 0 });
    expect(response.status).toBe(201);
    expect(await response.text()).toBe("origin saw GET /orders/1\nbody bytes: 0\n");
    expect(origin.received.at(-1)?.headers["x-auth-sub"]).toBe("old-key-user");
    // Nothing new in KV yet: the stale copy is what the answer was made from.
    expect((await readStored(kv, gated.url))?.fetchedAt).toBe(staleAt);

    gated.release(jwksOf(newKey));
    expect({ held: gated.held, answered: gated.answered, dropped: gated.dropped }).toEqual({ held: 0, answered: 1, dropped: 0 });
    const refreshed = await eventually(async () => {
      const stored = await readStored(kv, gated.url);
      return stored !== undefined && stored.fetchedAt > staleAt ? stored : undefined;
    }, "the refreshed JWKS in KV");
    expect(refreshed.jwks.keys.map((k) => k.kid)).toEqual(["new-key"]);

    // Rotation picked up from memory: the new key verifies with no further fetch, the old is gone.
    const newToken = await mintToken(newKey, { claims: { sub: "new-key-user" } });
    expect((await worker.fetch("/orders/2", { headers: { authorization: `Bearer ${newToken}` } })).status).toBe(201);
    expect(origin.received.at(-1)?.headers["x-auth-sub"]).toBe("new-key-user");
    expect(gated.requests).toBe(1);
    expect((await worker.fetch("/orders/3", { headers: { authorization: `Bearer ${oldToken}` } })).status).toBe(401);
    expect(gated.requests).toBe(1);
  });

  it("picks up a rotated key when a token names an unknown kid", async () => {
    const oldKey = await generateTestKey("ES256", "rot-1");
    const newKey = await generateTestKey("ES256", "rot-2");
    const jwks = later(await startJwksServer({ jwks: jwksOf(oldKey) }));
    const origin = later(await startOrigin());
    // The shortest cooldown: after a fetch, an unknown kid may trigger the next one a second later.
    const config = workerConfig(jwks.url, { jwks: { cooldownSeconds: 1 } });
    const worker = later(await startWorker({ config, upstreamUrl: origin.url }));
    expect((await worker.fetch("/orders/1", { headers: { authorization: `Bearer ${await mintToken(oldKey)}` } })).status).toBe(201);
    jwks.setJwks(jwksOf(oldKey, newKey));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await worker.fetch("/orders/1", { headers: { authorization: `Bearer ${await mintToken(newKey)}` } })).status).toBe(201);
    expect(jwks.requests).toBe(2);
  });
});

/** `promise`, or a failure naming `what` if it has not settled within `ms`. */
async function withinMs<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
