/**
 * Token forging for the security suite: compact JWS built byte by byte (raw header and payload
 * text, so duplicate members, `crit`, `b64` and odd numbers survive), signed with WebCrypto or
 * with HMAC over any secret (an issuer's public key in JWK, PEM or DER form), and the signature
 * mangling an attacker would try (DER ECDSA, r = s = 0, Ed25519 S + L).
 */
import { createHmac, createPublicKey } from "node:crypto";
import type { TestKey } from "../support/keys.js";

export const b64u = (data: Uint8Array | string): string => Buffer.from(data).toString("base64url");

/** A JSON value, or `{ raw }` for JSON text written by hand (duplicates, `1e999`, ...). */
export type JsonPart = Record<string, unknown> | { raw: string } | { bytes: Uint8Array };

export function encodePart(part: JsonPart): string {
  if ("raw" in part && typeof part.raw === "string") return b64u(part.raw);
  if ("bytes" in part && part.bytes instanceof Uint8Array) return b64u(part.bytes);
  return b64u(JSON.stringify(part));
}

const SIGN_PARAMS: Record<string, AlgorithmIdentifier | RsaPssParams | EcdsaParams> = {
  RS256: { name: "RSASSA-PKCS1-v1_5" },
  RS384: { name: "RSASSA-PKCS1-v1_5" },
  RS512: { name: "RSASSA-PKCS1-v1_5" },
  PS256: { name: "RSA-PSS", saltLength: 32 } as RsaPssParams,
  PS384: { name: "RSA-PSS", saltLength: 48 } as RsaPssParams,
  PS512: { name: "RSA-PSS", saltLength: 64 } as RsaPssParams,
  ES256: { name: "ECDSA", hash: "SHA-256" } as EcdsaParams,
  ES384: { name: "ECDSA", hash: "SHA-384" } as EcdsaParams,
  ES512: { name: "ECDSA", hash: "SHA-512" } as EcdsaParams,
  EdDSA: { name: "Ed25519" },
};

/** Signs `header.payload` with the key's private key (its own algorithm), whatever the header says. */
export async function signWith(key: TestKey, header: JsonPart, payload: JsonPart): Promise<string> {
  const input = `${encodePart(header)}.${encodePart(payload)}`;
  const params = SIGN_PARAMS[key.alg];
  if (params === undefined) throw new Error(`no signer for ${key.alg}`);
  const signature = new Uint8Array(await crypto.subtle.sign(params, key.privateKey, new TextEncoder().encode(input)));
  return `${input}.${b64u(signature)}`;
}

const HMAC_HASH: Record<string, string> = { HS256: "sha256", HS384: "sha384", HS512: "sha512" };

/** HS* over `header.payload` with any byte string as the secret (the key-confusion attack). */
export function hmacSign(alg: "HS256" | "HS384" | "HS512", secret: Uint8Array | string, header: JsonPart, payload: JsonPart): string {
  const input = `${encodePart(header)}.${encodePart(payload)}`;
  const tag = createHmac(HMAC_HASH[alg] as string, Buffer.from(secret)).update(input).digest();
  return `${input}.${b64u(tag)}`;
}

/** Replaces the signature segment. */
export function withSignature(token: string, signature: Uint8Array | string): string {
  const parts = token.split(".");
  return `${parts[0]}.${parts[1]}.${typeof signature === "string" ? signature : b64u(signature)}`;
}

export function signatureOf(token: string): Uint8Array {
  return new Uint8Array(Buffer.from(token.split(".")[2] as string, "base64url"));
}

/** Every serialisation of a public key an attacker might feed to HMAC as the "secret". */
export async function publicKeyForms(key: TestKey): Promise<Record<string, Uint8Array | string>> {
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", key.publicKey));
  const pem = `-----BEGIN PUBLIC KEY-----\n${Buffer.from(spki).toString("base64").replace(/.{64}/g, "$&\n").replace(/\n?$/, "\n")}-----END PUBLIC KEY-----\n`;
  const forms: Record<string, Uint8Array | string> = {
    "JWK JSON as served": JSON.stringify(key.publicJwk),
    "JWK JSON, public members only": JSON.stringify(stripMeta(key.publicJwk as Record<string, unknown>)),
    "PEM (SPKI)": pem,
    "PEM (SPKI) without final newline": pem.trimEnd(),
    "DER (SPKI)": spki,
  };
  const nodeKey = createPublicKey({ key: Buffer.from(spki), format: "der", type: "spki" });
  if (key.alg.startsWith("RS") || key.alg.startsWith("PS")) {
    forms["PEM (PKCS#1)"] = nodeKey.export({ type: "pkcs1", format: "pem" }) as string;
    forms["DER (PKCS#1)"] = new Uint8Array(nodeKey.export({ type: "pkcs1", format: "der" }));
    forms["raw modulus n"] = new Uint8Array(Buffer.from(String(key.publicJwk.n), "base64url"));
  } else if (key.alg.startsWith("ES")) {
    forms["raw point"] = new Uint8Array(await crypto.subtle.exportKey("raw", key.publicKey));
  }
  return forms;
}

function stripMeta(jwk: Record<string, unknown>): Record<string, unknown> {
  const { kid: _kid, alg: _alg, use: _use, ...rest } = jwk;
  return rest;
}

/** r‖s (JWS) to the ASN.1 DER `SEQUENCE { INTEGER r, INTEGER s }` other libraries emit. */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  const integer = (bytes: Uint8Array): number[] => {
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) i++;
    const body = [...bytes.subarray(i)];
    if ((body[0] as number) & 0x80) body.unshift(0);
    return [0x02, body.length, ...body];
  };
  const content = [...integer(raw.subarray(0, half)), ...integer(raw.subarray(half))];
  return new Uint8Array([0x30, content.length, ...content]);
}

/** The order of Ed25519's base point. */
export const ED25519_L = (1n << 252n) + 27742317777372353535851937790883648493n;
/** The order of P-256. */
export const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** Ed25519 signature R‖S with S replaced by S + L: same value mod L, not canonical (RFC 8032 §5.1.7). */
export function ed25519NonCanonical(signature: Uint8Array): Uint8Array {
  const s = leToBigInt(signature.subarray(32));
  const out = new Uint8Array(signature);
  out.set(bigIntToLe(s + ED25519_L, 32), 32);
  return out;
}

export function bigIntToBe(value: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return out;
}

function bigIntToLe(value: bigint, length: number): Uint8Array {
  return bigIntToBe(value, length).reverse();
}

function leToBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i] as number);
  return value;
}
