/**
 * The WebCrypto parameters for each JWA signature algorithm (RFC 7518 §3), and the exact signature
 * length each one produces. One table used by key import, by verification and by the primitive
 * vector tests, so the tests exercise the mapping the core really uses.
 */
import type { Algorithm } from "./types.js";

type HashName = "SHA-256" | "SHA-384" | "SHA-512";

export interface SignatureScheme {
  /** The `algorithm` argument of `crypto.subtle.verify`. */
  verify: AlgorithmIdentifier | RsaPssParams | EcdsaParams;
  hash: HashName;
  /** Fixed signature length in bytes, or "modulus" for RSA (the modulus length). */
  signatureLength: number | "modulus";
}

const HASH_BYTES: Record<HashName, number> = { "SHA-256": 32, "SHA-384": 48, "SHA-512": 64 };

function rsa(hash: HashName): SignatureScheme {
  return { verify: { name: "RSASSA-PKCS1-v1_5" }, hash, signatureLength: "modulus" };
}
function pss(hash: HashName): SignatureScheme {
  // RFC 7518 §3.5: the salt is as long as the hash output.
  const params: RsaPssParams = { name: "RSA-PSS", saltLength: HASH_BYTES[hash] };
  return { verify: params, hash, signatureLength: "modulus" };
}
function ecdsa(hash: HashName, coordinateBytes: number): SignatureScheme {
  // JWS ECDSA signatures are r‖s, each as wide as the curve order (RFC 7518 §3.4); DER is not JWS.
  const params: EcdsaParams = { name: "ECDSA", hash };
  return { verify: params, hash, signatureLength: 2 * coordinateBytes };
}
function hmac(hash: HashName): SignatureScheme {
  // Full-length tags only: a truncated HMAC is not a JWS HS* signature.
  return { verify: { name: "HMAC" }, hash, signatureLength: HASH_BYTES[hash] };
}

export const SIGNATURE_SCHEMES: Readonly<Record<Algorithm, SignatureScheme>> = {
  RS256: rsa("SHA-256"),
  RS384: rsa("SHA-384"),
  RS512: rsa("SHA-512"),
  PS256: pss("SHA-256"),
  PS384: pss("SHA-384"),
  PS512: pss("SHA-512"),
  ES256: ecdsa("SHA-256", 32),
  ES384: ecdsa("SHA-384", 48),
  ES512: ecdsa("SHA-512", 66),
  EdDSA: { verify: { name: "Ed25519" }, hash: "SHA-512", signatureLength: 64 },
  HS256: hmac("SHA-256"),
  HS384: hmac("SHA-384"),
  HS512: hmac("SHA-512"),
};

/** Bytes of the hash output for HS* (also the minimum HMAC key length, RFC 7518 §3.2). */
export function hashBytes(alg: Algorithm): number {
  return HASH_BYTES[SIGNATURE_SCHEMES[alg].hash];
}

/** The one length a valid signature for `alg` under `key` can have. */
export function expectedSignatureLength(alg: Algorithm, key: CryptoKey): number {
  const length = SIGNATURE_SCHEMES[alg].signatureLength;
  if (length !== "modulus") return length;
  return Math.ceil((key.algorithm as RsaHashedKeyAlgorithm).modulusLength / 8);
}

/**
 * The signature layer: length check, then exactly one `crypto.subtle.verify`. Resolves false for a
 * wrong length or a bad signature; rejects only if WebCrypto itself fails.
 */
export function verifySignature(
  alg: Algorithm,
  key: CryptoKey,
  signature: Uint8Array<ArrayBuffer>,
  data: Uint8Array<ArrayBuffer>,
): Promise<boolean> | false {
  if (signature.length !== expectedSignatureLength(alg, key)) return false;
  return crypto.subtle.verify(SIGNATURE_SCHEMES[alg].verify, key, signature, data);
}
