/**
 * Finds the one bearer token of a request in the configured sources (RFC 6750 §2). Exactly one
 * token may be present across all sources: two tokens (two Authorization headers, a header plus a
 * query parameter) are refused as `invalid_request` rather than picking one, because the origin or
 * a cache in between could pick the other. No credentials at all, or only credentials of another
 * scheme (`Basic`, `Digest`), is "no token" (401 without an error attribute).
 *
 * Syntax: scheme `Bearer` case-insensitive, then one or more spaces (RFC 7235 `1*SP`; a tab is
 * refused), then a b64token. Errors never quote the header or the token.
 */
import { AuthorizerError } from "./errors.js";
import { headerValues } from "./headers.js";
import type { HeadersInput, TokenSource } from "./types.js";

export interface TokenExtractionInput {
  headers: HeadersInput;
  /** The raw query string without `?` (as returned by `normalizeRequestPath`). */
  query: string;
}

const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const BEARER = /^bearer(?![^ \t])/i;
const SPACE = 0x20;
const TAB = 0x09;

export function extractToken(input: TokenExtractionInput, sources: readonly TokenSource[]): string {
  let found: string | undefined;
  const add = (token: string): void => {
    if (found !== undefined) invalid("more than one token in the request");
    found = token;
  };
  for (const source of sources) {
    if (source.kind === "header") {
      for (const value of headerValues(input.headers, source.name)) {
        const token = source.name === "authorization" ? fromAuthorization(value) : fromTokenHeader(value);
        if (token !== undefined) add(token);
      }
    } else if (source.kind === "cookie") {
      for (const token of fromCookies(headerValues(input.headers, "cookie"), source.name)) add(token);
    } else {
      const values = input.query === "" ? [] : new URLSearchParams(input.query).getAll(source.name);
      for (const value of values) add(checkToken(value));
    }
  }
  if (found === undefined) throw new AuthorizerError("ERR_TOKEN_MISSING", "no bearer token in the request");
  return found;
}

/**
 * An Authorization value: one credential, or several joined by commas when the header was sent
 * twice (`Headers.get` joins repeats). A b64token never holds a comma, so a Bearer credential next
 * to anything else is two credentials; a value without any Bearer credential is another scheme.
 */
function fromAuthorization(value: string): string | undefined {
  const trimmed = trimOws(value);
  if (trimmed === "") return undefined;
  const parts = trimmed.includes(",") ? trimmed.split(",").map(trimOws) : [trimmed];
  const bearerParts = parts.filter((part) => BEARER.test(part));
  if (bearerParts.length === 0) return undefined;
  if (parts.length > 1) invalid("more than one credential in the Authorization header");
  return bearerCredentials(bearerParts[0] as string);
}

/** A dedicated token header (`header:x-token`): the bare token, or `Bearer <token>`. */
function fromTokenHeader(value: string): string {
  const trimmed = trimOws(value);
  return BEARER.test(trimmed) ? bearerCredentials(trimmed) : checkToken(trimmed);
}

/** `credential` starts with `bearer` (any case; BEARER matched it): then 1*SP and the token. */
function bearerCredentials(credential: string): string {
  const schemeLength = "bearer".length;
  let start = schemeLength;
  while (start < credential.length && credential.charCodeAt(start) === SPACE) start++;
  if (start === schemeLength || start === credential.length) invalid("the Bearer scheme must be followed by spaces and a token");
  return checkToken(credential.slice(start));
}

/**
 * Cookie headers hold `name=value` pairs separated by `;`. Separate Cookie headers may arrive
 * joined by `, ` (fetch's `Headers.get`); RFC 6265 cookie values cannot hold a comma, so both
 * separators are split on. Names are compared exactly.
 */
function fromCookies(values: readonly string[], name: string): string[] {
  const tokens: string[] = [];
  for (const header of values) {
    for (const pair of header.split(/[;,]/)) {
      const eq = pair.indexOf("=");
      if (eq === -1 || trimOws(pair.slice(0, eq)) !== name) continue;
      let value = trimOws(pair.slice(eq + 1));
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      tokens.push(checkToken(value));
    }
  }
  return tokens;
}

function checkToken(token: string): string {
  if (token === "") invalid("the token is empty");
  if (!B64TOKEN.test(token)) invalid("the token is not b64token syntax");
  return token;
}

/** Strips optional whitespace (SP / HTAB) at both ends; returns `value` itself when there is none. */
function trimOws(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isOws(value.charCodeAt(start))) start++;
  while (end > start && isOws(value.charCodeAt(end - 1))) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

function isOws(c: number): boolean {
  return c === SPACE || c === TAB;
}

function invalid(message: string): never {
  throw new AuthorizerError("ERR_REQUEST_INVALID", message);
}
