/**
 * Builds the request the Worker sends on to the origin once the core has allowed it: where it goes,
 * which inbound headers are removed (a client must never be able to claim an identity), and which
 * identity headers are added from the verified claims. The body is handed over as a stream.
 */
import type { ForwardSettings, JwtClaims, Logger } from "../shared/types.js";

export interface ForwardInput {
  /** The path and query exactly as the client sent them (what the core judged). */
  rawPath: string;
  /** The parsed `UPSTREAM_URL`, or undefined to send the request to its own URL. */
  upstream: URL | undefined;
  forward: ForwardSettings;
  /** Verified claims; undefined or empty on a public route (identity headers stripped, none added). */
  claims: JwtClaims | undefined;
  log?: Logger;
}

export function buildUpstreamRequest(request: Request, input: ForwardInput): Request {
  const headers = new Headers(request.headers);
  for (const name of identityHeaderNames(headers, input.forward)) headers.delete(name);
  if (input.upstream !== undefined) headers.delete("host");
  for (const [name, value] of Object.entries(claimHeaders(input.claims ?? {}, input.forward, input.log))) {
    headers.set(name, value);
  }
  const init: RequestInit & { duplex?: "half" } = {
    method: request.method,
    headers,
    // The stream itself, not a buffered copy: large uploads pass through without being held.
    body: request.body,
    // The Fetch standard asks for it with a stream body (Node enforces it; workerd ignores it).
    duplex: "half",
    // The origin's redirects go back to the client as they are; the Worker never follows them.
    redirect: "manual",
  };
  return new Request(upstreamUrl(request.url, input.rawPath, input.upstream), init);
}

/** The path and query as sent (no URL normalisation), so the origin sees what the core judged. */
export function rawPathOf(url: string): string {
  const afterScheme = url.indexOf("//");
  const pathStart = url.indexOf("/", afterScheme < 0 ? 0 : afterScheme + 2);
  if (pathStart < 0) return "/";
  const hash = url.indexOf("#", pathStart);
  return hash < 0 ? url.slice(pathStart) : url.slice(pathStart, hash);
}

/** `UPSTREAM_URL` must be an absolute http(s) URL; its path, if any, prefixes the request's path. */
export function parseUpstreamUrl(value: string | undefined): URL | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const url = new URL(value.trim());
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new TypeError("must be an http(s) URL");
  if (url.search !== "" || url.hash !== "") throw new TypeError("must not have a query or fragment");
  return url;
}

/** `UPSTREAM_URL` read as the Worker starts: the URL (undefined when unset), or what is wrong with it. */
export function readUpstreamUrl(value: string | undefined): { url: URL | undefined; problem?: undefined } | { url?: undefined; problem: string } {
  try {
    return { url: parseUpstreamUrl(value) };
  } catch (error) {
    return { problem: error instanceof TypeError && error.message.startsWith("must") ? error.message : "not a valid URL" };
  }
}

function upstreamUrl(requestUrl: string, rawPath: string, upstream: URL | undefined): string {
  if (upstream === undefined) return requestUrl;
  const basePath = upstream.pathname.replace(/\/+$/, "");
  return `${upstream.origin}${basePath}${rawPath}`;
}

/**
 * Inbound headers to remove: everything under the prefix, every configured claim header (even one
 * outside the prefix) and, unless kept on purpose, the bearer credential itself.
 */
function identityHeaderNames(headers: Headers, forward: ForwardSettings): string[] {
  const prefix = forward.headerPrefix.toLowerCase();
  const claimNames = new Set(Object.values(forward.claimHeaders).map((name) => name.toLowerCase()));
  const out: string[] = [];
  for (const name of headers.keys()) {
    const lower = name.toLowerCase();
    if ((prefix !== "" && lower.startsWith(prefix)) || claimNames.has(lower)) out.push(lower);
    else if (lower === "authorization" && !forward.keepAuthorization) out.push(lower);
  }
  return out;
}

/**
 * The configured claim headers for these claims. Only strings, numbers, booleans and arrays of
 * them (joined by spaces) are sent; objects are skipped; a value with a control character (CR, LF,
 * NUL...) or outside printable ASCII is skipped rather than altered, so the origin never receives a
 * header it could split or misread. Skips are logged by claim name, never by value.
 */
export function claimHeaders(claims: JwtClaims, forward: ForwardSettings, log?: Logger): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [claim, header] of Object.entries(forward.claimHeaders)) {
    if (!Object.hasOwn(claims, claim)) continue;
    const value = headerValue(claims[claim]);
    if (value === undefined) {
      log?.("warn", { event: "claim_header_skipped", claim, header });
      continue;
    }
    out[header.toLowerCase()] = value;
  }
  return out;
}

function headerValue(value: unknown): string | undefined {
  const text = Array.isArray(value) ? joinScalars(value) : scalar(value);
  if (text === undefined || !SAFE_HEADER_VALUE.test(text)) return undefined;
  return text;
}

// Printable ASCII and spaces only: no CR, LF, NUL or other control characters, nothing that a
// `Headers` object would reject or an origin could decode differently.
const SAFE_HEADER_VALUE = /^[\x20-\x7e]*$/;

function joinScalars(values: unknown[]): string | undefined {
  const parts: string[] = [];
  for (const item of values) {
    const text = scalar(item);
    if (text === undefined) return undefined;
    parts.push(text);
  }
  return parts.join(" ");
}

function scalar(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === "boolean") return String(value);
  return undefined;
}
