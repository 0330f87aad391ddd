/**
 * JWKS faults end to end through authorize(), against a real server on 127.0.0.1 that misbehaves
 * on command. What must hold whatever the key server does:
 *   - no request waits much beyond `timeoutMs` (bound: timeoutMs + 2 s, never a tight timing);
 *   - fetches per issuer stay within single flight and the cooldown (counted at the server);
 *   - tokens whose keys are cached keep passing until `maxStaleSeconds` (injected clock), then 503;
 *   - never an allow for a key that is not in a trusted JWKS.
 * The JWKS source's unit tests cover each mechanism in isolation; these go through the whole
 * pipeline, with many requests, and across fault kinds.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createAuthorizer, parseConfig, type Decision, type FetchLike } from "../../shared/index.js";
import { refusedUrl, startJwksServer, type JwksServer, type JwksServerBehavior } from "../support/jwks-server.js";
import { generateTestKey, jwksOf, mintToken, type TestKey } from "../support/keys.js";
import { T0 } from "../support/jwks-source-harness.js";

const TIMEOUT_MS = 300;
const COOLDOWN_S = 30;
const MAX_AGE_S = 600;
const MAX_STALE_S = 86_400;
const PATH = "/orders/7";

let key: TestKey;
let servers: JwksServer[] = [];

beforeAll(async () => {
  key = await generateTestKey("ES256", "k1");
});
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function server(jwks: unknown = jwksOf(key)): Promise<JwksServer> {
  const s = await startJwksServer({ jwks });
  servers.push(s);
  return s;
}

/** An authorizer on `jwksUri` with an injected clock (ms) that tests move by hand. */
function setup(jwksUri: string, share = true, fetch?: FetchLike) {
  const clock = { ms: T0 };
  const authorizer = createAuthorizer(
    parseConfig({
      issuers: [{ issuer: "https://issuer.test/", jwksUri, algorithms: ["ES256"] }],
      routes: [{ route: "GET /orders/{id}", audience: "orders-api" }],
      jwks: { cacheMaxAgeSeconds: MAX_AGE_S, cooldownSeconds: COOLDOWN_S, timeoutMs: TIMEOUT_MS, maxStaleSeconds: MAX_STALE_S, maxBytes: 20_000 },
    }),
    { now: () => clock.ms, log: () => undefined, shareInflightFetches: share, ...(fetch === undefined ? {} : { fetch }) },
  );
  const mint = (k: TestKey = key, header: Record<string, unknown> = {}) =>
    mintToken(k, { nowSeconds: T0 / 1000, lifetimeSeconds: 3 * MAX_STALE_S, header });
  const ask = (token: string): Promise<Decision> => authorizer.authorize({ method: "GET", path: PATH, headers: { authorization: `Bearer ${token}` } });
  return { authorizer, clock, mint, ask, advance: (s: number) => { clock.ms += s * 1000; } };
}

/** Runs `work`, returning its result and the wall time it took. */
async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

const BOUND_MS = TIMEOUT_MS + 2000;

const faults: [string, JwksServerBehavior][] = [
  ["never answers", { kind: "hang" }],
  ["answers after the timeout", { kind: "delay", ms: TIMEOUT_MS + 1500 }],
  ["stalls mid-body", { kind: "stall-body" }],
  ["404", { kind: "status", status: 404 }],
  ["500", { kind: "status", status: 500 }],
  ["503", { kind: "status", status: 503, body: "try later" }],
  ["HTML instead of JSON", { kind: "html" }],
  ["truncated JSON", { kind: "truncated" }],
  ["oversized body (declared)", { kind: "oversized", bytes: 200_000, declareLength: true }],
  ["oversized body (chunked)", { kind: "oversized", bytes: 200_000, declareLength: false }],
  ["endless body", { kind: "endless" }],
  ["closes the connection", { kind: "close" }],
  ["JSON that is not a JWKS", { kind: "body", body: '{"keys":"nope"}' }],
  ["empty key list", { kind: "body", body: '{"keys":[]}' }],
];

describe("cold start against a failing key server", () => {
  it.each(faults)("%s: 503 within the bound, one fetch for 20 concurrent requests, none during the cooldown", async (_name, behavior) => {
    const s = await server();
    s.behave(behavior);
    const { ask, mint, advance } = setup(s.url);
    const token = await mint();
    const { value: decisions, ms } = await timed(() => Promise.all(Array.from({ length: 20 }, () => ask(token))));
    expect(ms).toBeLessThan(BOUND_MS);
    for (const d of decisions) expect(d).toMatchObject({ allow: false, status: 503, code: "ERR_KEYS_UNAVAILABLE" });
    expect(s.requests).toBe(1);
    // Within the cooldown: answered at once from memory, no new fetch.
    advance(COOLDOWN_S - 1);
    const again = await timed(() => ask(token));
    expect(again.value).toMatchObject({ status: 503 });
    expect((again.value as { retryAfterSeconds?: number }).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(s.requests).toBe(1);
    // After it, the server recovered: the next request fetches once and passes.
    s.behave({ kind: "serve" });
    advance(2);
    expect((await ask(token)).allow).toBe(true);
    expect(s.requests).toBe(2);
  });

  it("connection refused: 503 at once, and one attempt per cooldown however many requests", async () => {
    const url = await refusedUrl();
    // The real fetch, counted: when (injected clock) each attempt started, how long it took, how it ended.
    const attempts: { url: string; at: number; ms: number; failed: boolean }[] = [];
    let clockRef: { ms: number } | undefined;
    const counting: FetchLike = async (input, init) => {
      const started = performance.now();
      const attempt = { url: String(input instanceof Request ? input.url : input), at: clockRef?.ms ?? Number.NaN, ms: 0, failed: true };
      attempts.push(attempt);
      try {
        const response = await fetch(input, init);
        attempt.failed = false;
        return response;
      } finally {
        attempt.ms = performance.now() - started;
      }
    };
    const { ask, mint, advance, clock } = setup(url, true, counting);
    clockRef = clock;
    const token = await mint();
    const waits: number[] = [];
    // A burst of 20 at once, then one request a second for 90 s of the injected clock.
    const burst = await Promise.all(Array.from({ length: 20 }, () => timed(() => ask(token))));
    const ROUNDS = 90;
    const rounds: { value: Decision; ms: number }[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      advance(1);
      rounds.push(await timed(() => ask(token)));
    }
    for (const { value, ms } of [...burst, ...rounds]) {
      expect(value).toMatchObject({ allow: false, status: 503, code: "ERR_KEYS_UNAVAILABLE" });
      waits.push(ms);
    }
    // One attempt for the burst (single flight), then one per cooldown window: at 0, 30, 60, 90 s.
    expect(attempts.length).toBeGreaterThanOrEqual(1);
    expect(attempts.length).toBeLessThanOrEqual(1 + Math.floor(ROUNDS / COOLDOWN_S));
    for (let i = 1; i < attempts.length; i++) {
      expect((attempts[i] as { at: number }).at - (attempts[i - 1] as { at: number }).at, `attempt ${i}`).toBeGreaterThanOrEqual(COOLDOWN_S * 1000);
    }
    for (const a of attempts) {
      expect(a).toMatchObject({ url, failed: true });
      expect(a.ms).toBeLessThan(TIMEOUT_MS + 500);
    }
    // No request waited for keys beyond timeoutMs (a refused connection fails at once anyway).
    expect(Math.max(...waits)).toBeLessThan(TIMEOUT_MS + 500);
  });

  it("a fetch that never settles and ignores its signal: every request still answers within timeoutMs, one attempt per cooldown", async () => {
    const attempts: number[] = [];
    const hanging: FetchLike = () => {
      attempts.push(Date.now());
      return new Promise<Response>(() => undefined);
    };
    const { ask, mint, advance } = setup("https://keys.issuer.test/jwks.json", true, hanging);
    const token = await mint();
    const first = await timed(() => Promise.all(Array.from({ length: 10 }, () => ask(token))));
    expect(first.ms).toBeLessThan(TIMEOUT_MS + 1000);
    expect(first.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    for (const d of first.value) expect(d).toMatchObject({ allow: false, status: 503 });
    advance(COOLDOWN_S - 1);
    const inCooldown = await timed(() => ask(token));
    expect(inCooldown.value).toMatchObject({ status: 503 });
    expect(inCooldown.ms).toBeLessThan(TIMEOUT_MS);
    expect(attempts).toHaveLength(1);
    advance(2);
    expect((await timed(() => ask(token))).ms).toBeLessThan(TIMEOUT_MS + 1000);
    expect(attempts).toHaveLength(2);
  });

  it("a redirect to another host is not followed: its keys are never trusted", async () => {
    const attacker = await generateTestKey("ES256", "k1");
    const elsewhere = await server(jwksOf(attacker));
    const s = await server();
    s.behave({ kind: "redirect", location: elsewhere.url });
    const { ask, mint } = setup(s.url);
    const d = await ask(await mint(attacker));
    expect(d).toMatchObject({ allow: false, status: 503 });
    expect(elsewhere.requests).toBe(0);
  });
});

describe("warm cache, then the key server fails", () => {
  it.each(faults.filter(([name]) => ["never answers", "500", "HTML instead of JSON", "empty key list", "endless body"].includes(name)))(
    "%s: cached keys keep serving to maxStaleSeconds with bounded refreshes, then 503",
    async (_name, behavior) => {
      const s = await server();
      const { ask, mint, advance } = setup(s.url);
      const token = await mint();
      expect((await ask(token)).allow).toBe(true);
      s.behave(behavior);
      // Walk a day in steps: every step is past the cache age, so each may try one refresh.
      const steps = 12;
      const step = Math.floor((MAX_STALE_S - 60) / steps);
      for (let i = 0; i < steps; i++) {
        advance(step);
        const { value, ms } = await timed(() => Promise.all([ask(token), ask(token), ask(token)]));
        expect(ms).toBeLessThan(BOUND_MS);
        for (const d of value) expect(d.allow, `step ${i}`).toBe(true);
      }
      // One fetch to warm up, then at most one refresh per step (each step outlasts the cooldown).
      expect(s.requests).toBeLessThanOrEqual(1 + steps);
      advance(120); // now past maxStaleSeconds since the last good fetch
      expect(await ask(token)).toMatchObject({ allow: false, status: 503, code: "ERR_KEYS_UNAVAILABLE" });
    },
  );

  it("a flapping server: valid tokens pass throughout, new keys are picked up when it is up, fetches stay bounded", async () => {
    const s = await server();
    const { ask, mint, advance } = setup(s.url);
    const token = await mint();
    expect((await ask(token)).allow).toBe(true);
    const next = await generateTestKey("ES256", "k2");
    let rotatedAt = -1;
    for (let i = 0; i < 40; i++) {
      s.behave(i % 2 === 0 ? { kind: "status", status: 502 } : { kind: "serve" });
      if (i === 20) {
        s.setJwks(jwksOf(key, next));
        rotatedAt = i;
      }
      advance(COOLDOWN_S + 1);
      expect((await ask(token)).allow, `round ${i}`).toBe(true);
      if (rotatedAt >= 0 && i % 2 === 1) expect((await ask(await mint(next))).allow, `round ${i}`).toBe(true);
    }
    // 40 rounds, each past the cooldown: at most two fetches per round (stale refresh + unknown kid).
    expect(s.requests).toBeLessThanOrEqual(1 + 2 * 40);
  });

  it("unknown-kid floods cost at most one fetch per cooldown, and valid tokens keep passing", async () => {
    const s = await server();
    const { ask, mint, advance } = setup(s.url);
    const token = await mint();
    expect((await ask(token)).allow).toBe(true);
    const impostor = await generateTestKey("ES256", "k1");
    let seconds = 0;
    for (let round = 0; round < 5; round++) {
      const flood = await Promise.all(Array.from({ length: 40 }, async (_, i) => ask(await mint(impostor, { kid: `bogus-${round}-${i}` }))));
      for (const d of flood) expect(d).toMatchObject({ allow: false, status: 401, code: "ERR_JWKS_NO_MATCHING_KEY" });
      expect((await ask(token)).allow).toBe(true);
      advance(10);
      seconds += 10;
    }
    expect(s.requests).toBeLessThanOrEqual(1 + Math.ceil(seconds / COOLDOWN_S) + 1);
  });
});

describe("key hygiene: never an allow for a key outside the trusted JWKS", () => {
  it.each([
    ["use: enc", { use: "enc" }],
    ["key_ops without verify", { key_ops: ["encrypt"] }],
    ["alg RS256 on an EC key", { alg: "RS256" }],
    ["alg ES384 on a P-256 key", { alg: "ES384" }],
    ["private member d present", { d: "AAAA" }],
  ])("a key with %s is never used, even when it signed the token", async (_name, change) => {
    const bad = await generateTestKey("ES256", "bad");
    const s = await server({ keys: [key.publicJwk, { ...bad.publicJwk, ...change }] });
    const { ask, mint } = setup(s.url);
    expect((await ask(await mint())).allow).toBe(true);
    expect(await ask(await mint(bad))).toMatchObject({ allow: false, status: 401, code: "ERR_JWKS_NO_MATCHING_KEY" });
  });

  it("a JWKS of only unusable keys (wrong type, weak RSA, wrong curve) is a failed fetch: 503, never an allow", async () => {
    const rsa = await generateTestKey("RS256", "k1");
    const p384 = await generateTestKey("ES384", "k1");
    const s = await server({ keys: [rsa.publicJwk, { ...p384.publicJwk, alg: undefined }] });
    const { ask, mint } = setup(s.url);
    expect(await ask(await mint())).toMatchObject({ allow: false, status: 503 });
  });

  it("duplicate kids: neither key answers for that kid, whichever signed", async () => {
    const twin = await generateTestKey("ES256", "k1");
    const other = await generateTestKey("ES256", "k2");
    const s = await server({ keys: [key.publicJwk, twin.publicJwk, other.publicJwk] });
    const { ask, mint } = setup(s.url);
    for (const signer of [key, twin]) {
      expect(await ask(await mint(signer))).toMatchObject({ allow: false, status: 401, code: "ERR_JWKS_MULTIPLE_MATCHING_KEYS" });
    }
    expect((await ask(await mint(other))).allow).toBe(true);
  });

  it("a rotation in the middle of traffic: new-key tokens pass after one refetch, old-key tokens stop, even cached ones", async () => {
    const s = await server();
    const { ask, mint, advance } = setup(s.url);
    const old = await mint();
    expect((await ask(old)).allow).toBe(true); // now in the verified-token cache
    advance(COOLDOWN_S + 1);
    const next = await generateTestKey("ES256", "k2");
    s.setJwks(jwksOf(next)); // k1 retired at once
    const fresh = await mint(next);
    const before = s.requests;
    const mixed = await Promise.all(Array.from({ length: 100 }, (_, i) => ask(i % 2 === 0 ? fresh : old)));
    expect(s.requests - before).toBe(1);
    mixed.forEach((d, i) => {
      if (i % 2 === 0) expect(d.allow, `new-key request ${i}`).toBe(true);
    });
    // Once the refetch landed, the retired key is gone for good: fresh and cached tokens alike.
    expect(await ask(old)).toMatchObject({ allow: false, status: 401, code: "ERR_JWKS_NO_MATCHING_KEY" });
    expect(await ask(await mint(key))).toMatchObject({ allow: false, status: 401 });
  });
});
