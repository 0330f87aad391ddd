/**
 * Real keys and real tokens for tests: key pairs generated with jose (WebCrypto), public JWKs
 * with kid/alg/use, and access tokens shaped like an issuer's (RFC 9068) with overridable parts.
 *
 *   const key = await generateTestKey("ES256", "key-1");
 *   const jwks = jwksOf(key);                        // { keys: [public JWK] }
 *   const token = await mintToken(key, { claims: { scope: "orders:read" } });
 *   await mintToken(key, { claims: { exp: undefined } })   // undefined removes a claim
 */
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";

export type TestAlgorithm = "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512" | "ES256" | "ES384" | "ES512" | "EdDSA";

export interface TestKey {
  alg: TestAlgorithm;
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** The public JWK with `kid`, `alg` and `use: "sig"`. */
  publicJwk: JWK;
}

export const TEST_ISSUER = "https://issuer.test/";
export const TEST_AUDIENCE = "orders-api";

let counter = 0;

export async function generateTestKey(alg: TestAlgorithm = "ES256", kid?: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === "EdDSA" ? { crv: "Ed25519" } : {}),
    ...(alg.startsWith("RS") || alg.startsWith("PS") ? { modulusLength: 2048 } : {}),
  });
  const keyId = kid ?? `${alg.toLowerCase()}-${++counter}`;
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid: keyId, alg, use: "sig" };
  return { alg, kid: keyId, privateKey, publicKey, publicJwk };
}

/** A JWKS document holding the public keys given. */
export function jwksOf(...keys: TestKey[]): { keys: JWK[] } {
  return { keys: keys.map((key) => ({ ...key.publicJwk })) };
}

export interface MintOptions {
  /** Claims merged over the defaults; a claim set to `undefined` is left out. */
  claims?: Record<string, unknown>;
  /** Protected header members merged over `{ alg, kid, typ: "at+jwt" }`; `undefined` removes one. */
  header?: Record<string, unknown>;
  /** The clock, in seconds since the epoch; default now. */
  nowSeconds?: number;
  /** Lifetime in seconds; default 300. */
  lifetimeSeconds?: number;
}

export async function mintToken(key: TestKey, options: MintOptions = {}): Promise<string> {
  const now = Math.floor(options.nowSeconds ?? Date.now() / 1000);
  const claims = withoutUndefined({
    iss: TEST_ISSUER,
    sub: "user-1",
    aud: TEST_AUDIENCE,
    scope: "orders:read",
    client_id: "test-client",
    iat: now,
    nbf: now,
    exp: now + (options.lifetimeSeconds ?? 300),
    jti: `jti-${++counter}`,
    ...options.claims,
  });
  const header = withoutUndefined({ alg: key.alg, kid: key.kid, typ: "at+jwt", ...options.header });
  return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(key.privateKey);
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
