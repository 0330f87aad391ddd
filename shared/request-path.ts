/**
 * Turns the raw request target into the segments the route table matches, refusing (400) every
 * spelling that an origin server might resolve to a different path than we do. The danger is a
 * request that matches a public route here but is served by a protected handler there
 * (`/public/..%2Fadmin`, `/admin%2F`, `/admin;x`, `/public\..\admin`). Rather than guess how each
 * origin normalises, such requests are refused, in the spirit of Spring Security's StrictHttpFirewall:
 *
 * - the path must start with `/`; `?query` is split off and returned raw; a raw `#` is refused;
 * - refused raw: `\`, `;` (matrix parameters, which Java servers strip), control characters
 *   (C0, DEL, C1), empty segments (`//`), and `.` / `..` segments (a URL-standard client resolves
 *   them before sending, and API Gateway already has);
 * - refused encoded: `%2F` `%5C` `%2E` `%3B` `%25` (double encoding), encoded control characters,
 *   malformed escapes, and escapes that do not decode to valid UTF-8;
 * - one trailing slash is ignored (`/orders/` matches `/orders`); segments are percent-decoded.
 */
import { AuthorizerError } from "./errors.js";

export interface NormalizedPath {
  /** The path as received (still percent-encoded), without its query and trailing slash. */
  path: string;
  /** Decoded segments; `[]` for `/`. */
  segments: string[];
  /** The raw query string, without the `?`; `""` when absent. */
  query: string;
}

const SLASH = 0x2f;
const PERCENT = 0x25;

export function normalizeRequestPath(rawPath: string): NormalizedPath {
  if (typeof rawPath !== "string") invalid("the request path is not a string");
  const q = rawPath.indexOf("?");
  const pathPart = q === -1 ? rawPath : rawPath.slice(0, q);
  const query = q === -1 ? "" : rawPath.slice(q + 1);
  if (pathPart.charCodeAt(0) !== SLASH) invalid("the request path must start with /");

  let hasPercent = false;
  for (let i = 0; i < pathPart.length; i++) {
    const c = pathPart.charCodeAt(i);
    if (c === PERCENT) hasPercent = true;
    else if (isControl(c)) invalid("the request path contains a control character");
    else if (c === 0x5c) invalid("the request path contains a backslash");
    else if (c === 0x3b) invalid("the request path contains a semicolon");
    else if (c === 0x23) invalid("the request path contains a fragment");
  }

  if (pathPart.length === 1) return { path: "/", segments: [], query };
  const path = pathPart.charCodeAt(pathPart.length - 1) === SLASH ? pathPart.slice(0, -1) : pathPart;
  const raw = path.slice(1).split("/");
  const segments: string[] = new Array<string>(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const segment = raw[i] as string;
    if (segment === "") invalid("the request path contains an empty segment");
    if (segment === "." || segment === "..") invalid("the request path contains a dot segment");
    segments[i] = hasPercent && segment.includes("%") ? decodeSegment(segment) : segment;
  }
  return { path, segments, query };
}

const FORBIDDEN_ESCAPES: ReadonlyMap<number, string> = new Map([
  [0x2f, "an encoded slash"],
  [0x5c, "an encoded backslash"],
  [0x2e, "an encoded dot"],
  [0x3b, "an encoded semicolon"],
  [0x25, "a double encoding"],
]);

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

function decodeSegment(segment: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < segment.length; i++) {
    const c = segment.charCodeAt(i);
    if (c === PERCENT) {
      const byte = hexByte(segment.charCodeAt(i + 1), segment.charCodeAt(i + 2));
      if (byte < 0) invalid("the request path contains a malformed percent-encoding");
      const forbidden = FORBIDDEN_ESCAPES.get(byte);
      if (forbidden !== undefined) invalid(`the request path contains ${forbidden}`);
      // Bytes 0x80-0x9f are UTF-8 continuation bytes here; C1 controls are caught after decoding.
      if (byte < 0x20 || byte === 0x7f) invalid("the request path contains an encoded control character");
      bytes.push(byte);
      i += 2;
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      // Raw non-ASCII (already-decoded paths from some runtimes): re-encode so one decoder sees all.
      const end = c >= 0xd800 && c <= 0xdbff ? i + 2 : i + 1;
      for (const b of encoder.encode(segment.slice(i, end))) bytes.push(b);
      i = end - 1;
    }
  }
  let decoded: string;
  try {
    decoded = utf8.decode(new Uint8Array(bytes));
  } catch {
    invalid("the request path does not decode to valid UTF-8");
  }
  for (let i = 0; i < decoded.length; i++) {
    if (isControl(decoded.charCodeAt(i))) invalid("the request path contains an encoded control character");
  }
  return decoded;
}

function hexByte(high: number, low: number): number {
  const h = hexDigit(high);
  const l = hexDigit(low);
  return h < 0 || l < 0 ? -1 : h * 16 + l;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** C0 controls, DEL and C1 controls. */
function isControl(c: number): boolean {
  return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

function invalid(message: string): never {
  throw new AuthorizerError("ERR_PATH_INVALID", message);
}
