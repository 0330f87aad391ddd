/**
 * Load and memory.
 *
 * 1. 10,000 concurrent authorize() calls, valid and invalid mixed (ES256 over a cold remote JWKS,
 *    HS256 static): every call resolves to the answer its kind requires, no unhandled rejection,
 *    and the cold JWKS is fetched once.
 * 2. A flood of distinct valid tokens (200,000 in CI; 1,000,000 with LOAD_FULL=1, as `npm run
 *    fuzz` sets) keeps the verified-token cache within its bound: the heap after the flood is
 *    within a few MB of the heap with the cache merely full. Tokens are minted cheaply (HS256 with
 *    a static `oct` key, the header precomputed, only `jti` varying, HMAC by node:crypto).
 */
import { createHmac } from "node:crypto";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, describe, expect, it } from "vitest";
import { createAuthorizer, parseConfig, type Decision } from "../../shared/index.js";
import { startJwksServer } from "../support/jwks-server.js";
import { generateTestKey, jwksOf, mintToken } from "../support/keys.js";
import { b64u } from "./forge.js";

const FLOOD = process.env.LOAD_FULL === "1" ? 1_000_000 : 200_000;
const CACHE_SIZE = 10_000;
const HS_ISSUER = "https://hs.load.test/";
const EC_ISSUER = "https://issuer.test/";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const secret = crypto.getRandomValues(new Uint8Array(32));
const key = await generateTestKey("ES256", "k1");
const jwksServer = await startJwksServer({ jwks: jwksOf(key) });
afterAll(() => jwksServer.close());

function authorizer() {
  return createAuthorizer(
    parseConfig({
      issuers: [
        { issuer: HS_ISSUER, jwks: { keys: [{ kty: "oct", k: b64u(secret), kid: "hs", alg: "HS256" }] }, algorithms: ["HS256"] },
        { issuer: EC_ISSUER, jwksUri: jwksServer.url, algorithms: ["ES256"] },
      ],
      routes: [
        { route: "GET /orders/{id}", audience: "orders-api", scopes: ["orders:read"] },
        { route: "GET /health", public: true },
      ],
      verifiedTokenCacheSize: CACHE_SIZE,
    }),
    { log: () => undefined },
  );
}

/** HS256 tokens at a few microseconds each: fixed header, claims that differ only in `jti`. */
function hsMinter(overrides: Record<string, unknown> = {}) {
  const header = b64u(JSON.stringify({ alg: "HS256", kid: "hs", typ: "at+jwt" }));
  const now = Math.floor(Date.now() / 1000);
  const prefix = JSON.stringify({ iss: HS_ISSUER, sub: "flood", aud: "orders-api", scope: "orders:read", iat: now, exp: now + 3600, ...overrides }).slice(0, -1);
  return (jti: number): string => {
    const input = `${header}.${Buffer.from(`${prefix},"jti":"${jti}"}`).toString("base64url")}`;
    return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
  };
}

describe("load", () => {
  it("10,000 concurrent mixed requests: every answer right, no unhandled rejection, one cold JWKS fetch", { timeout: 60_000 }, async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const a = authorizer();
      const hs = hsMinter();
      const ecValid = await Promise.all(Array.from({ length: 50 }, () => mintToken(key)));
      const ecWrongAud = await mintToken(key, { claims: { aud: "billing-api" } });
      const impostor = await mintToken(await generateTestKey("ES256", "k1"));
      const expiredHs = hsMinter({ exp: Math.floor(Date.now() / 1000) - 3600 });
      const kinds: { make: (i: number) => { path: string; headers: Record<string, string> }; expect: (d: Decision) => void }[] = [
        { make: (i) => ({ path: "/orders/1", headers: { authorization: `Bearer ${hs(i)}` } }), expect: (d) => expect(d.allow).toBe(true) },
        { make: (i) => ({ path: "/orders/1", headers: { authorization: `Bearer ${ecValid[i % 50]}` } }), expect: (d) => expect(d.allow).toBe(true) },
        { make: () => ({ path: "/orders/1", headers: { authorization: `Bearer ${impostor}` } }), expect: (d) => expect(d).toMatchObject({ status: 401, code: "ERR_JWS_SIGNATURE_INVALID" }) },
        { make: () => ({ path: "/orders/1", headers: { authorization: `Bearer ${ecWrongAud}` } }), expect: (d) => expect(d).toMatchObject({ status: 401, code: "ERR_JWT_AUDIENCE_MISMATCH" }) },
        { make: (i) => ({ path: "/orders/1", headers: { authorization: `Bearer ${expiredHs(i)}` } }), expect: (d) => expect(d).toMatchObject({ status: 401, code: "ERR_JWT_EXPIRED" }) },
        { make: (i) => ({ path: "/orders/1", headers: { authorization: `Bearer ${hs(i).slice(0, -2)}xx` } }), expect: (d) => expect(d).toMatchObject({ status: 401 }) },
        { make: () => ({ path: "/orders/1", headers: {} }), expect: (d) => expect(d).toMatchObject({ status: 401, code: "ERR_TOKEN_MISSING" }) },
        { make: () => ({ path: "/orders/1", headers: { authorization: "Bearer a.b" } }), expect: (d) => expect(d).toMatchObject({ status: 401, code: "ERR_JWS_INVALID" }) },
        { make: (i) => ({ path: "/orders/..%2Fhealth", headers: { authorization: `Bearer ${hs(i)}` } }), expect: (d) => expect(d).toMatchObject({ status: 400, code: "ERR_PATH_INVALID" }) },
        { make: () => ({ path: "/health", headers: { authorization: "Bearer junk" } }), expect: (d) => expect(d).toMatchObject({ allow: true, public: true }) },
      ];
      const requests = Array.from({ length: 10_000 }, (_, i) => {
        const kind = kinds[(i * 7) % kinds.length] as (typeof kinds)[number];
        return { kind, input: kind.make(i) };
      });
      const decisions = await Promise.all(requests.map(({ input }) => a.authorize({ method: "GET", ...input })));
      requests.forEach(({ kind }, i) => kind.expect(decisions[i] as Decision));
      expect(jwksServer.requests).toBe(1);
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it(`a flood of ${FLOOD.toLocaleString("en")} distinct valid tokens keeps the verified-token cache within its bound`, { timeout: FLOOD > 200_000 ? 600_000 : 60_000 }, async () => {
    const a = authorizer();
    const mint = hsMinter();
    const request = (i: number) => a.authorize({ method: "GET", path: "/orders/1", headers: { authorization: `Bearer ${mint(i)}` } });
    const run = async (from: number, to: number) => {
      // Batches keep the number of pending promises (and their garbage) from skewing the heap.
      for (let i = from; i < to; i += 1000) {
        const batch = await Promise.all(Array.from({ length: Math.min(1000, to - i) }, (_, j) => request(i + j)));
        if (!batch.every((d) => d.allow)) throw new Error(`a valid token was refused near ${i}`);
      }
    };
    await run(0, 2 * CACHE_SIZE); // the cache is full from here on
    gc();
    const full = process.memoryUsage().heapUsed;
    await run(2 * CACHE_SIZE, 2 * CACHE_SIZE + FLOOD);
    gc();
    const after = process.memoryUsage().heapUsed;
    const growthMb = (after - full) / 2 ** 20;
    // An unbounded cache would hold FLOOD more entries (~1 KB each: hundreds of MB at 200,000).
    expect(growthMb, `heap grew ${growthMb.toFixed(1)} MB`).toBeLessThan(16);
    // The newest tokens are still served, the oldest were evicted and are verified afresh (still valid).
    expect((await request(2 * CACHE_SIZE + FLOOD - 1)).allow).toBe(true);
    expect((await request(0)).allow).toBe(true);
  });
});
