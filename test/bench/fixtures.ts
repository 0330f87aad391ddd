/**
 * What every benchmark row shares: one key pair per algorithm (generated in process), a pool of
 * distinct access tokens per algorithm (RFC 9068 shape), a local JWKS server per algorithm, the
 * authorizer configuration, and the Zipf-skewed request trace of the realistic-traffic row.
 */
import { startJwksServer, type JwksServer } from "../support/jwks-server.js";
import { generateTestKey, jwksOf, mintToken, TEST_AUDIENCE, TEST_ISSUER, type TestKey } from "../support/keys.js";

export const ALGORITHMS = ["RS256", "ES256", "EdDSA"] as const;
export type BenchAlgorithm = (typeof ALGORITHMS)[number];

export const ISSUER = TEST_ISSUER;
export const AUDIENCE = TEST_AUDIENCE;
export const SCOPE = "orders:read";
export const REQUEST_PATH = "/orders/42";

/** Precomputed pieces of one token, for the WebCrypto floor rows. */
export interface TokenBytes {
  signingInput: Uint8Array<ArrayBuffer>;
  signature: Uint8Array<ArrayBuffer>;
}

export interface AlgorithmFixture {
  alg: BenchAlgorithm;
  key: TestKey;
  /** Distinct tokens; every first-seen batch walks them in order. */
  tokens: string[];
  /** `tokens[i]` split and decoded, for the floor row. */
  bytes: TokenBytes[];
  /** The public key in SPKI PEM (fast-jwt, jsonwebtoken). */
  publicPem: string;
  jwks: { keys: Record<string, unknown>[] };
  server: JwksServer;
}

export interface Fixtures {
  byAlg: Map<BenchAlgorithm, AlgorithmFixture>;
  /** Request i of the realistic trace asks with token `traceIndexes[i]` of the first 200. */
  traceIndexes: Uint16Array;
  close(): Promise<void>;
}

export interface FixtureSizes {
  tokensPerAlg: number;
  distinctRealistic: number;
  realisticRequests: number;
}

export async function createFixtures(sizes: FixtureSizes): Promise<Fixtures> {
  const byAlg = new Map<BenchAlgorithm, AlgorithmFixture>();
  for (const alg of ALGORITHMS) {
    const key = await generateTestKey(alg, `bench-${alg.toLowerCase()}`);
    const tokens = await mintPool(key, sizes.tokensPerAlg);
    const jwks = jwksOf(key) as { keys: Record<string, unknown>[] };
    const spki = new Uint8Array(await crypto.subtle.exportKey("spki", key.publicKey));
    const publicPem = `-----BEGIN PUBLIC KEY-----\n${Buffer.from(spki).toString("base64").replace(/.{64}/g, "$&\n")}\n-----END PUBLIC KEY-----\n`;
    const server = await startJwksServer({ jwks });
    byAlg.set(alg, { alg, key, tokens, bytes: tokens.map(tokenBytes), publicPem, jwks, server });
  }
  return {
    byAlg,
    traceIndexes: zipfTrace(sizes.distinctRealistic, sizes.realisticRequests, 1.0, 0x5eed),
    async close() {
      for (const fixture of byAlg.values()) await fixture.server.close();
    },
  };
}

export function fixtureOf(fixtures: Fixtures, alg: BenchAlgorithm): AlgorithmFixture {
  const fixture = fixtures.byAlg.get(alg);
  if (fixture === undefined) throw new Error(`no fixture for ${alg}`);
  return fixture;
}

/** Tokens shaped like a real issuer's access tokens: every one distinct (sub, jti, iat). */
async function mintPool(key: TestKey, count: number): Promise<string[]> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const tokens: string[] = [];
  const batch = 64;
  for (let start = 0; start < count; start += batch) {
    const minted = await Promise.all(
      Array.from({ length: Math.min(batch, count - start) }, (_, offset) => {
        const i = start + offset;
        return mintToken(key, {
          nowSeconds: nowSeconds - (i % 60),
          lifetimeSeconds: 3600,
          claims: { sub: `user-${i}`, scope: `${SCOPE} profile`, client_id: `client-${i % 17}`, jti: `bench-${key.alg}-${i}` },
        });
      }),
    );
    tokens.push(...minted);
  }
  return tokens;
}

function tokenBytes(token: string): TokenBytes {
  const lastDot = token.lastIndexOf(".");
  return {
    signingInput: new TextEncoder().encode(token.slice(0, lastDot)),
    signature: new Uint8Array(Buffer.from(token.slice(lastDot + 1), "base64url")),
  };
}

/** The authorizer configuration for one algorithm: its JWKS served over loopback HTTP. */
export function configDocument(fixture: AlgorithmFixture, jwksUri = fixture.server.url): Record<string, unknown> {
  return {
    issuers: [{ issuer: ISSUER, jwksUri, algorithms: [fixture.alg], tokenTypes: ["at+jwt"] }],
    routes: [
      { route: "GET /health", public: true },
      { route: "GET /orders/{id}", audience: AUDIENCE, scopes: [SCOPE] },
      { route: "POST /orders", audience: AUDIENCE, scopes: ["orders:write"] },
    ],
  };
}

/** The request the authorizer sees for `token` (a plain header object, as the Lambda adapter builds). */
export function requestFor(token: string): { method: string; path: string; headers: Record<string, string> } {
  return { method: "GET", path: REQUEST_PATH, headers: { authorization: `Bearer ${token}`, host: "api.example.com" } };
}

/**
 * `requests` draws from `distinct` items with probability proportional to 1/rank^exponent
 * (a Zipf law, as token reuse by clients is), from a seeded generator so every run and every
 * implementation sees the same trace.
 */
export function zipfTrace(distinct: number, requests: number, exponent: number, seed: number): Uint16Array {
  const cumulative = new Float64Array(distinct);
  let total = 0;
  for (let rank = 1; rank <= distinct; rank++) {
    total += 1 / rank ** exponent;
    cumulative[rank - 1] = total;
  }
  const random = mulberry32(seed);
  const trace = new Uint16Array(requests);
  for (let i = 0; i < requests; i++) {
    const target = random() * total;
    let low = 0;
    let high = distinct - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((cumulative[mid] as number) < target) low = mid + 1;
      else high = mid;
    }
    trace[i] = low;
  }
  return trace;
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
