/**
 * Strict, canonical base64url (RFC 4648 §5, no padding) for JWS segments and JWK members.
 * `atob` and jose's decoder tolerate whitespace, padding and non-zero unused bits, which lets one
 * token have several spellings (Wycheproof json_web_signature tc360/365/368/375): we accept exactly
 * one spelling per byte string.
 */
import { AuthorizerError } from "./errors.js";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** char code -> 6-bit value, or 255 for anything outside the base64url alphabet. */
const DECODE = new Uint8Array(128).fill(255);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

function invalid(what: string): AuthorizerError {
  return new AuthorizerError("ERR_JWS_INVALID", `${what} is not canonical base64url`);
}

/**
 * Decodes `segment`, throwing ERR_JWS_INVALID for any character outside [A-Za-z0-9_-], padding,
 * an impossible length (length % 4 == 1) or non-zero unused trailing bits.
 */
export function decodeBase64Url(segment: string, what = "segment"): Uint8Array<ArrayBuffer> {
  const length = segment.length;
  const rest = length % 4;
  if (rest === 1) throw invalid(what);
  const out = new Uint8Array(((length * 3) >> 2));
  let o = 0;
  let i = 0;
  const full = length - rest;
  for (; i < full; i += 4) {
    const a = value(segment, i);
    const b = value(segment, i + 1);
    const c = value(segment, i + 2);
    const d = value(segment, i + 3);
    if ((a | b | c | d) > 63) throw invalid(what);
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 0xff;
    out[o++] = n & 0xff;
  }
  if (rest === 2) {
    const a = value(segment, i);
    const b = value(segment, i + 1);
    // The last character carries 2 bits that do not belong to the byte: they must be zero.
    if ((a | b) > 63 || (b & 0x0f) !== 0) throw invalid(what);
    out[o++] = (a << 2) | (b >> 4);
  } else if (rest === 3) {
    const a = value(segment, i);
    const b = value(segment, i + 1);
    const c = value(segment, i + 2);
    if ((a | b | c) > 63 || (c & 0x03) !== 0) throw invalid(what);
    const n = (a << 10) | (b << 4) | (c >> 2);
    out[o++] = n >> 8;
    out[o++] = n & 0xff;
  }
  return out;
}

function value(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code < 128 ? (DECODE[code] as number) : 255;
}

export function encodeBase64Url(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  const full = bytes.length - (bytes.length % 3);
  for (; i < full; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - full;
  if (rest === 1) {
    const n = bytes[i] as number;
    out += ALPHABET[n >> 2]! + ALPHABET[(n & 3) << 4]!;
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 8) | (bytes[i + 1] as number);
    out += ALPHABET[n >> 10]! + ALPHABET[(n >> 4) & 63]! + ALPHABET[(n & 15) << 2]!;
  }
  return out;
}
