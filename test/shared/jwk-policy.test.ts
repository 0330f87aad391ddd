import { exportJWK, generateKeyPair } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { encodeBase64Url } from "../../shared/base64url.js";
import { assessJwk, hasRocaFingerprint } from "../../shared/jwk-policy.js";
import { ASYMMETRIC_ALGORITHMS, HMAC_ALGORITHMS } from "../../shared/types.js";
import type { Algorithm } from "../../shared/types.js";

type Jwk = Record<string, unknown>;
const ALL: readonly Algorithm[] = [...ASYMMETRIC_ALGORITHMS, ...HMAC_ALGORITHMS];

function reasonFor(jwk: unknown, allowed: readonly Algorithm[] = ALL): string {
  const result = assessJwk(jwk, allowed);
  if (result.usable) throw new Error(`expected an unusable key, got ${result.algorithms.join(",")}`);
  return result.reason;
}

function algorithmsFor(jwk: unknown, allowed: readonly Algorithm[] = ALL): Algorithm[] {
  const result = assessJwk(jwk, allowed);
  if (!result.usable) throw new Error(`expected a usable key: ${result.reason}`);
  return result.algorithms;
}

function bigIntToBase64Url(value: bigint): string {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return encodeBase64Url(Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16)));
}

const secret = (bytes: number, extra: Jwk = {}): Jwk => ({
  kty: "oct",
  k: encodeBase64Url(crypto.getRandomValues(new Uint8Array(bytes))),
  ...extra,
});

let rsa: Jwk;
let rsaPrivate: Jwk;
let ec256: Jwk;
let ec521: Jwk;
let ed25519: Jwk;

beforeAll(async () => {
  const rsaPair = await generateKeyPair("RS256", { extractable: true });
  rsa = await exportJWK(rsaPair.publicKey);
  rsaPrivate = await exportJWK(rsaPair.privateKey);
  ec256 = await exportJWK((await generateKeyPair("ES256")).publicKey);
  ec521 = await exportJWK((await generateKeyPair("ES512")).publicKey);
  ed25519 = await exportJWK((await generateKeyPair("EdDSA")).publicKey);
});

describe("assessJwk: what a key may verify", () => {
  it("gives an RSA key every RSA algorithm the issuer allows", () => {
    expect(algorithmsFor(rsa)).toEqual(["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]);
    expect(algorithmsFor(rsa, ["PS384", "ES256"])).toEqual(["PS384"]);
  });

  it("pins the key to its alg when it has one", () => {
    expect(algorithmsFor({ ...rsa, alg: "PS256" })).toEqual(["PS256"]);
    expect(reasonFor({ ...rsa, alg: "PS256" }, ["RS256"])).toMatch(/no algorithm allowed/);
  });

  it("derives the EC algorithm from the curve, and EdDSA from Ed25519", () => {
    expect(algorithmsFor(ec256)).toEqual(["ES256"]);
    expect(algorithmsFor(ec521)).toEqual(["ES512"]);
    expect(algorithmsFor(ed25519)).toEqual(["EdDSA"]);
  });

  it("accepts use sig and key_ops with verify", () => {
    expect(algorithmsFor({ ...ec256, use: "sig", key_ops: ["verify"] })).toEqual(["ES256"]);
  });

  it("refuses a key whose algorithms are all outside the issuer's list", () => {
    expect(reasonFor(ec256, ["RS256"])).toMatch(/no algorithm allowed/);
    expect(reasonFor(secret(64), ["RS256"])).toMatch(/no algorithm allowed/);
  });
});

describe("assessJwk: unusable keys", () => {
  it.each([
    ["not an object", () => "x", /object/],
    ["an array", () => [], /object/],
    ["no kty", () => ({ n: "AQAB" }), /kty/],
    ["an unknown kty", () => ({ ...rsa, kty: "AKP" }), /kty/],
    ["a numeric kid", () => ({ ...ec256, kid: 7 }), /kid/],
    ["use enc", () => ({ ...ec256, use: "enc" }), /use/],
    ["key_ops without verify", () => ({ ...ec256, key_ops: ["encrypt"] }), /key_ops/],
    ["key_ops not an array", () => ({ ...ec256, key_ops: "verify" }), /key_ops/],
    ["private RSA members", () => rsaPrivate, /private/],
    ["a lone d member on EC", () => ({ ...ec256, d: ec256.x }), /private/],
    ["an alg that is not JWA (ES521)", () => ({ ...ec521, alg: "ES521" }), /alg/],
    ["an encryption alg", () => ({ ...rsa, alg: "RSA1_5" }), /alg/],
    ["alg none", () => ({ ...rsa, alg: "none" }), /alg/],
    ["an alg of the wrong kty", () => ({ ...ec256, alg: "RS256" }), /does not fit/],
    ["an EC alg for another curve", () => ({ ...ec256, alg: "ES384" }), /does not fit/],
    ["an unknown curve", () => ({ ...ec256, crv: "secp256k1" }), /crv/],
    ["the curve of another key size", () => ({ ...ec256, crv: "P-384" }), /length/],
    ["a missing y", () => ({ ...ec256, y: undefined }), /y is missing/],
    ["OKP X25519", () => ({ ...ed25519, crv: "X25519" }), /Ed25519/],
    ["OKP Ed448", () => ({ ...ed25519, crv: "Ed448" }), /Ed25519/],
    ["non-canonical base64url in x", () => ({ ...ed25519, x: `${String(ed25519.x)}=` }), /base64url/],
    ["an HMAC secret shorter than SHA-256", () => secret(31), /shorter/],
    ["an empty HMAC secret", () => secret(0), /empty/],
    ["an HS256 secret pinned to HS512", () => secret(32, { alg: "HS512" }), /does not fit/],
    ["an AES key (alg A256GCM)", () => secret(32, { alg: "A256GCM" }), /alg/],
  ])("refuses %s", (_name, make, reason) => {
    expect(reasonFor(make())).toMatch(reason);
  });

  it("gives an HMAC secret only the algorithms its length allows (RFC 7518 §3.2)", () => {
    expect(algorithmsFor(secret(32))).toEqual(["HS256"]);
    expect(algorithmsFor(secret(48))).toEqual(["HS256", "HS384"]);
    expect(algorithmsFor(secret(64))).toEqual(["HS256", "HS384", "HS512"]);
  });

  it("refuses RSA moduli under 2048 bits", async () => {
    // jose refuses to generate one; WebCrypto does not.
    const params: RsaHashedKeyGenParams = {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 1024,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    };
    const pair = (await crypto.subtle.generateKey(params, true, ["sign", "verify"])) as CryptoKeyPair;
    const small = await exportJWK(pair.publicKey);
    expect(reasonFor(small)).toMatch(/2048/);
  });

  it.each([
    ["e = 1", 1n, /exponent/],
    ["e = 3", 3n, /exponent/],
    ["e = 65535", 65535n, /exponent/],
    ["e = 65538 (even)", 65538n, /even/],
    ["e = 2^256 + 1", 2n ** 256n + 1n, /exponent/],
  ])("refuses a weak public exponent: %s", (_name, e, reason) => {
    expect(reasonFor({ ...rsa, e: bigIntToBase64Url(e) })).toMatch(reason);
  });

  it("accepts a large odd exponent below 2^256", () => {
    expect(algorithmsFor({ ...rsa, e: bigIntToBase64Url(2n ** 255n + 1n) })).toHaveLength(6);
  });

  it("refuses an even modulus", () => {
    const n = BigInt(`0x${Buffer.from(String(rsa.n), "base64url").toString("hex")}`);
    expect(reasonFor({ ...rsa, n: bigIntToBase64Url(n + 1n) })).toMatch(/even/);
  });
});

describe("ROCA fingerprint", () => {
  // Primes of the Infineon construction: p = k*M + (65537^a mod M), M the primorial of 2..167.
  const M = [2n, 3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n, 29n, 31n, 37n, 41n, 43n, 47n, 53n, 59n, 61n, 67n, 71n, 73n, 79n, 83n, 89n,
    97n, 101n, 103n, 107n, 109n, 113n, 127n, 131n, 137n, 139n, 149n, 151n, 157n, 163n, 167n].reduce((a, b) => a * b, 1n);
  const modPow = (base: bigint, exponent: bigint, modulus: bigint) => {
    let result = 1n;
    for (let b = base % modulus, e = exponent; e > 0n; e >>= 1n, b = (b * b) % modulus) if (e & 1n) result = (result * b) % modulus;
    return result;
  };
  const rocaShaped = (k: bigint, a: bigint) => k * M + modPow(65537n, a, M);
  const bytes = (value: bigint) => Buffer.from(value.toString(16).padStart(Math.ceil(value.toString(16).length / 2) * 2, "0"), "hex");

  it("flags a modulus built from ROCA-shaped factors, as a key and as bytes", () => {
    const n = rocaShaped(2n ** 810n + 12345n, 987654321n) * rocaShaped(2n ** 811n + 999n, 123456789n);
    expect(hasRocaFingerprint(bytes(n))).toBe(true);
    expect(n.toString(2).length).toBeGreaterThanOrEqual(2048);
    expect(reasonFor({ ...rsa, n: bigIntToBase64Url(n) })).toMatch(/ROCA/);
    const large = n * rocaShaped(2n ** 900n, 42n) * rocaShaped(2n ** 901n, 43n);
    expect(reasonFor({ ...rsa, n: bigIntToBase64Url(large) })).toMatch(/ROCA/);
  });

  it("does not flag ordinary generated moduli", async () => {
    expect(hasRocaFingerprint(Buffer.from(String(rsa.n), "base64url"))).toBe(false);
    const another = await exportJWK((await generateKeyPair("PS256", { extractable: true })).publicKey);
    expect(hasRocaFingerprint(Buffer.from(String(another.n), "base64url"))).toBe(false);
  });
});
