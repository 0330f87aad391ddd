/**
 * Decides whether one JWK may verify signatures for this issuer, and for which algorithms.
 * jose imports whatever WebCrypto accepts; the checks here are the key hygiene it leaves to the
 * caller (RFC 8725 §3.1, §3.5; RFC 7517 §4.2-4.3; NIST SP 800-56B): intended use, algorithm pinning,
 * RSA size and exponent, ROCA moduli, HMAC secret length, curve/algorithm agreement.
 */
import { decodeBase64Url } from "./base64url.js";
import { hashBytes } from "./signature-params.js";
import { ASYMMETRIC_ALGORITHMS, HMAC_ALGORITHMS } from "./types.js";
import type { Algorithm } from "./types.js";

export type KeyType = "RSA" | "EC" | "OKP" | "oct";

export type JwkAssessment =
  | { usable: true; kid: string | undefined; kty: KeyType; algorithms: Algorithm[]; material: Uint8Array | undefined }
  | { usable: false; kid: string | undefined; reason: string };

const KNOWN_ALGORITHMS: ReadonlySet<string> = new Set<string>([...ASYMMETRIC_ALGORITHMS, ...HMAC_ALGORITHMS]);
const RSA_ALGORITHMS: readonly Algorithm[] = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];
const EC_CURVES: Readonly<Record<string, { alg: Algorithm; coordinateBytes: number }>> = {
  "P-256": { alg: "ES256", coordinateBytes: 32 },
  "P-384": { alg: "ES384", coordinateBytes: 48 },
  "P-521": { alg: "ES512", coordinateBytes: 66 },
};
/** Members that only a private (or secret-holding asymmetric) key has; a JWKS must not carry them. */
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth"] as const;
const MIN_RSA_BITS = 2048;

class Unusable extends Error {}

/** Whether `jwk` can verify signatures, and with which of `allowed`. Never throws. */
export function assessJwk(jwk: unknown, allowed: readonly Algorithm[]): JwkAssessment {
  const kid = isObject(jwk) && typeof jwk.kid === "string" ? jwk.kid : undefined;
  try {
    return { usable: true, kid, ...assess(jwk, allowed) };
  } catch (error) {
    if (error instanceof Unusable) return { usable: false, kid, reason: error.message };
    throw error;
  }
}

export function keyTypeOf(jwk: unknown): KeyType | undefined {
  if (!isObject(jwk)) return undefined;
  const kty = jwk.kty;
  return kty === "RSA" || kty === "EC" || kty === "OKP" || kty === "oct" ? kty : undefined;
}

/**
 * Kids that name more than one key of the same type, usable or not: which key the issuer means is
 * unclear, so that kid selects nothing (Wycheproof DuplicateKid). RFC 7517 §4.5 allows one kid for
 * keys of different types, so those stay apart.
 */
export function duplicatedKids(keys: readonly unknown[]): Set<string> {
  const seen = new Set<string>();
  const duplicated = new Set<string>();
  for (const jwk of keys) {
    const kty = keyTypeOf(jwk);
    const kid = (jwk as { kid?: unknown } | null)?.kid;
    if (kty === undefined || typeof kid !== "string") continue;
    const key = `${kty}\u0000${kid}`;
    if (seen.has(key)) duplicated.add(kid);
    else seen.add(key);
  }
  return duplicated;
}

function assess(
  jwk: unknown,
  allowed: readonly Algorithm[],
): { kty: KeyType; algorithms: Algorithm[]; material: Uint8Array | undefined } {
  if (!isObject(jwk)) throw new Unusable("not a JSON object");
  const kty = keyTypeOf(jwk);
  if (kty === undefined) throw new Unusable("kty is missing or not one of RSA, EC, OKP, oct");
  if (jwk.kid !== undefined && typeof jwk.kid !== "string") throw new Unusable("kid is not a string");
  if (jwk.use !== undefined && jwk.use !== "sig") throw new Unusable('use is not "sig"');
  if (jwk.key_ops !== undefined) {
    if (!Array.isArray(jwk.key_ops) || !jwk.key_ops.every((op) => typeof op === "string")) {
      throw new Unusable("key_ops is not an array of strings");
    }
    if (!jwk.key_ops.includes("verify")) throw new Unusable('key_ops does not include "verify"');
  }
  if (kty !== "oct" && PRIVATE_MEMBERS.some((member) => jwk[member] !== undefined)) {
    throw new Unusable("private key members present in a verification key");
  }
  let pinned: Algorithm | undefined;
  if (jwk.alg !== undefined) {
    if (typeof jwk.alg !== "string" || !KNOWN_ALGORITHMS.has(jwk.alg)) {
      throw new Unusable("alg is not a JWS algorithm this authorizer supports");
    }
    pinned = jwk.alg as Algorithm;
  }

  let material: Uint8Array | undefined;
  let candidates: readonly Algorithm[];
  switch (kty) {
    case "RSA":
      checkRsa(jwk);
      candidates = RSA_ALGORITHMS;
      break;
    case "EC":
      candidates = [checkEc(jwk)];
      break;
    case "OKP":
      candidates = [checkOkp(jwk)];
      break;
    case "oct":
      material = member(jwk, "k");
      if (material.length === 0) throw new Unusable("empty HMAC secret");
      candidates = checkOct(material);
      break;
  }
  if (pinned !== undefined) {
    if (!candidates.includes(pinned)) throw new Unusable(`alg ${pinned} does not fit this key`);
    candidates = [pinned];
  }
  const algorithms = candidates.filter((alg) => allowed.includes(alg));
  if (algorithms.length === 0) throw new Unusable("no algorithm allowed for this issuer fits this key");
  return { kty, algorithms, material };
}

function checkRsa(jwk: Record<string, unknown>): void {
  const n = stripLeadingZeros(member(jwk, "n"));
  const e = stripLeadingZeros(member(jwk, "e"));
  if (bitLength(n) < MIN_RSA_BITS) throw new Unusable(`RSA modulus shorter than ${MIN_RSA_BITS} bits`);
  if (((n[n.length - 1] as number) & 1) === 0) throw new Unusable("RSA modulus is even");
  // SP 800-56B §6.2: 65537 <= e < 2^256, e odd. e = 1 or 3 make forgeries easy or likely.
  if (e.length > 32 || bitLength(e) < 17) {
    throw new Unusable("RSA public exponent outside 65537..2^256");
  }
  // Odd also rules out 2^16, the only 17-bit value below 65537.
  if (((e[e.length - 1] as number) & 1) === 0) throw new Unusable("RSA public exponent is even");
  if (hasRocaFingerprint(n)) throw new Unusable("RSA modulus has the ROCA fingerprint (CVE-2017-15361)");
}

function checkEc(jwk: Record<string, unknown>): Algorithm {
  const curve = typeof jwk.crv === "string" ? EC_CURVES[jwk.crv] : undefined;
  if (curve === undefined) throw new Unusable("crv is not P-256, P-384 or P-521");
  if (member(jwk, "x").length !== curve.coordinateBytes || member(jwk, "y").length !== curve.coordinateBytes) {
    throw new Unusable("EC coordinates have the wrong length for the curve");
  }
  return curve.alg;
}

function checkOkp(jwk: Record<string, unknown>): Algorithm {
  if (jwk.crv !== "Ed25519") throw new Unusable("OKP crv is not Ed25519");
  if (member(jwk, "x").length !== 32) throw new Unusable("Ed25519 public key is not 32 bytes");
  return "EdDSA";
}

/** RFC 7518 §3.2: the secret must be at least as long as the hash output. */
function checkOct(secret: Uint8Array): Algorithm[] {
  const fits = HMAC_ALGORITHMS.filter((alg) => secret.length >= hashBytes(alg));
  if (fits.length === 0) throw new Unusable("HMAC secret shorter than the hash output");
  return fits;
}

function member(jwk: Record<string, unknown>, name: string): Uint8Array {
  const value = jwk[name];
  if (typeof value !== "string") throw new Unusable(`${name} is missing or not a string`);
  try {
    return decodeBase64Url(value);
  } catch {
    throw new Unusable(`${name} is not canonical base64url`);
  }
}

// ROCA (CVE-2017-15361): Infineon primes are k*M + (65537^a mod M), M a primorial, so N mod p lies in
// the subgroup generated by 65537 mod p for every small prime p (the fingerprint of crocs-muni/roca,
// same primes). A random modulus passes all 38 tests with negligible probability.
const ROCA_PRIMES = [
  3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101,
  103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
];
let rocaSubgroups: { prime: number; members: Uint8Array }[] | undefined;

function subgroups(): { prime: number; members: Uint8Array }[] {
  rocaSubgroups ??= ROCA_PRIMES.map((prime) => {
    const members = new Uint8Array(prime);
    const generator = 65537 % prime;
    let element = 1;
    do {
      members[element] = 1;
      element = (element * generator) % prime;
    } while (element !== 1);
    return { prime, members };
  });
  return rocaSubgroups;
}

export function hasRocaFingerprint(modulus: Uint8Array): boolean {
  for (const { prime, members } of subgroups()) {
    let remainder = 0;
    for (const byte of modulus) remainder = (remainder * 256 + byte) % prime;
    if (members[remainder] !== 1) return false;
  }
  return true;
}

function stripLeadingZeros(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  return bytes.subarray(i);
}

function bitLength(bytes: Uint8Array): number {
  if (bytes.length === 0) return 0;
  return (bytes.length - 1) * 8 + (32 - Math.clz32(bytes[0] as number));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
