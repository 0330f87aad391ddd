/**
 * Case-insensitive header reads over both input shapes the adapters hand in: a web `Headers`
 * object, or a plain object (Lambda events, tests) whose keys may differ only in case. Every
 * occurrence is returned so that callers can refuse duplicates instead of silently picking one.
 */
import type { HeadersInput } from "./types.js";

export function headerValues(headers: HeadersInput, name: string): string[] {
  const wanted = name.toLowerCase();
  if (isHeaders(headers)) {
    // `Headers.get` joins repeats with ", "; cookies are the exception the platform keeps apart.
    if (wanted === "set-cookie" && typeof headers.getSetCookie === "function") return headers.getSetCookie();
    const value = headers.get(wanted);
    return value === null ? [] : [value];
  }
  const out: string[] = [];
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    const value = headers[key];
    if (typeof value === "string") out.push(value);
    else if (Array.isArray(value)) {
      for (const item of value) if (typeof item === "string") out.push(item);
    }
  }
  return out;
}

/** Duck-typed so that a `Headers` from another realm or a polyfill is still read as one. */
function isHeaders(value: HeadersInput): value is Headers {
  return (
    (typeof Headers !== "undefined" && value instanceof Headers) ||
    (typeof (value as { get?: unknown }).get === "function" && typeof (value as { has?: unknown }).has === "function")
  );
}
