/**
 * Strict compact JWS (RFC 7515 §7.1) verification: the token is parsed once, its header checked
 * against what a JWT access token may carry, the algorithm taken from the issuer's allow-list (never
 * from the token alone), the key picked from a trusted key set, and the signature checked with one
 * `crypto.subtle.verify`. jose imports the keys; we do not call its `compactVerify`, which would
 * parse the token a second time.
 *
 * Header members `jku`, `x5u`, `jwk` and `x5c` are never used: keys come only from the configured
 * JWKS (RFC 8725 §3.10). They are ignored, not rejected, as jose and Envoy do.
 */
import { decodeBase64Url } from "./base64url.js";
import { AuthorizerError } from "./errors.js";
import { createKeySet, isKeySet } from "./key-set.js";
import { verifySignature } from "./signature-params.js";
import { parseJsonObject } from "./strict-json.js";
import type { Algorithm, KeySet, VerificationKey } from "./types.js";

/** Longer tokens are refused before any decoding (an access token is rarely over 2 KB). */
export const MAX_TOKEN_LENGTH = 16_384;

export interface JwsHeader {
  alg: string;
  kid?: string;
  typ?: string;
  [member: string]: unknown;
}

export interface ParsedJws {
  header: JwsHeader;
  payload: Uint8Array<ArrayBuffer>;
  signature: Uint8Array<ArrayBuffer>;
  /** ASCII bytes of `base64url(header) "." base64url(payload)`: what the signature covers. */
  signingInput: Uint8Array<ArrayBuffer>;
}

export interface JwsVerifyOptions {
  /** The issuer's allowed algorithms. */
  algorithms: readonly Algorithm[];
}

export interface VerifiedJws {
  header: JwsHeader;
  payload: Uint8Array<ArrayBuffer>;
  key: { kid: string | undefined; alg: Algorithm };
}

const encoder = new TextEncoder();

function invalid(message: string): AuthorizerError {
  return new AuthorizerError("ERR_JWS_INVALID", message);
}

/** Splits and decodes a compact JWS, rejecting anything but one canonical spelling of a plain JWS. */
export function parseCompactJws(token: string): ParsedJws {
  if (typeof token !== "string") throw invalid("the token is not a string");
  if (token.length > MAX_TOKEN_LENGTH) throw invalid(`the token is longer than ${MAX_TOKEN_LENGTH} characters`);
  const firstDot = token.indexOf(".");
  const secondDot = firstDot < 0 ? -1 : token.indexOf(".", firstDot + 1);
  if (secondDot < 0 || token.indexOf(".", secondDot + 1) >= 0) {
    const segments = token.split(".").length;
    throw invalid(
      segments === 5
        ? "the token has 5 segments: a JWE (encrypted token) is not supported"
        : `a compact JWS has 3 segments, the token has ${segments}`,
    );
  }
  const headerPart = token.slice(0, firstDot);
  const payloadPart = token.slice(firstDot + 1, secondDot);
  const signaturePart = token.slice(secondDot + 1);
  // An empty payload is a valid JWS (the JWT layer then finds no claims object); an empty header
  // or signature never is.
  if (headerPart.length === 0) throw invalid("the JWS header is empty");
  if (signaturePart.length === 0) throw invalid("the JWS signature is empty");

  const header = parseHeader(decodeBase64Url(headerPart, "the JWS header"));
  const payload = decodeBase64Url(payloadPart, "the JWS payload");
  const signature = decodeBase64Url(signaturePart, "the JWS signature");
  // Every character is base64url (checked above), so UTF-8 encoding is the ASCII encoding.
  const signingInput = encoder.encode(token.slice(0, secondDot)) as Uint8Array<ArrayBuffer>;
  return { header, payload, signature, signingInput };
}

function parseHeader(bytes: Uint8Array): JwsHeader {
  const header = parseJsonObject(bytes, "header");
  if (typeof header.alg !== "string") {
    throw new AuthorizerError("ERR_JWS_INVALID", "the JWS header has no alg string", { claim: "alg" });
  }
  for (const name of ["kid", "typ", "cty"]) {
    if (header[name] !== undefined && typeof header[name] !== "string") {
      throw new AuthorizerError("ERR_JWS_INVALID", `the JWS header member ${name} is not a string`, { claim: name });
    }
  }
  // crit names extensions that must be understood; we understand none (RFC 7515 §4.1.11).
  // b64 (RFC 7797) changes what is signed; JWTs never use it, so any b64 is refused.
  for (const name of ["crit", "b64"]) {
    if (name in header) {
      throw new AuthorizerError("ERR_JWS_UNSUPPORTED_HEADER", `the JWS header member ${name} is not supported`, {
        claim: name,
      });
    }
  }
  for (const name of ["enc", "zip"]) {
    if (name in header) {
      throw new AuthorizerError("ERR_JWS_INVALID", `the header member ${name} belongs to a JWE, not a JWS`, {
        claim: name,
      });
    }
  }
  return header as JwsHeader;
}

/**
 * Checks the algorithm against the allow-list, picks the one key for it, and verifies the
 * signature. Resolves to the key used; rejects with a coded AuthorizerError.
 */
export async function verifyJwsSignature(
  parsed: ParsedJws,
  keys: KeySet,
  options: JwsVerifyOptions,
): Promise<VerificationKey> {
  const alg = parsed.header.alg;
  // Exact, case-sensitive match: "none", "None", "NONE" and any unknown name are simply absent.
  if (!(options.algorithms as readonly string[]).includes(alg)) {
    throw new AuthorizerError("ERR_JWS_ALG_NOT_ALLOWED", "the token's alg is not allowed for this issuer", {
      claim: "alg",
    });
  }
  const key = keys.select(alg as Algorithm, parsed.header.kid);
  let valid: boolean;
  try {
    valid = await verifySignature(key.alg, key.cryptoKey, parsed.signature, parsed.signingInput);
  } catch (cause) {
    throw new AuthorizerError("ERR_JWS_SIGNATURE_INVALID", "the signature could not be verified", { cause });
  }
  if (!valid) throw new AuthorizerError("ERR_JWS_SIGNATURE_INVALID", "the JWS signature is invalid");
  return key;
}

/**
 * The JWS-level check of CONTRACT.md §5: format, algorithm allow-list, key selection and key
 * sanity, signature. `jwks` is a key set from `createKeySet` or a raw JWKS document (then validated
 * and imported for this call; prefer a prebuilt set, which imports each key once).
 */
export async function verifyCompactJws(
  token: string,
  jwks: KeySet | unknown,
  options: JwsVerifyOptions,
): Promise<VerifiedJws> {
  const parsed = parseCompactJws(token);
  const keys = isKeySet(jwks) ? jwks : await createKeySet(jwks, options);
  const key = await verifyJwsSignature(parsed, keys, options);
  return { header: parsed.header, payload: parsed.payload, key: { kid: key.kid, alg: key.alg } };
}
