/**
 * From a compiled route to the execute-api Resource patterns (after `{apiArn}/{stage}/`) that
 * cover its requests. Two directions with opposite safe sides:
 *
 * - `allowPatterns` may match fewer requests than the route owns (a false deny is safe) but
 *   never more, so a literal holding `*` (a legal path character, an IAM wildcard) makes the
 *   route inexpressible as an Allow;
 * - `denyPatterns` may match more (a false deny) but never fewer, so literals with characters that
 *   API Gateway might write percent-encoded in the ARN become `*`.
 *
 * Parameters become `*`, which in IAM also matches `/`: `GET/orders/*` covers `/orders/1/items`.
 * That over-reach is what the Deny statements of the policy builder exist for.
 */
import type { CompiledRoute } from "../shared/index.js";
import { ONE_SEGMENT_CHAR, SEGMENT_REST } from "./glob.js";

export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;

/** Characters that appear in an ARN exactly as in the route literal, whatever the encoding. */
const PLAIN_LITERAL = /^[A-Za-z0-9._~-]+$/;
/** Values safe to write into an Allow: no wildcard, no `/`, nothing an encoder would touch. */
export const SAFE_ARN_VALUE = /^[A-Za-z0-9._~!$&'()+,=:@-]+$/;

/** Path shape without method or parameter names: routes with equal shapes own the same paths. */
export function pathShape(route: CompiledRoute): string {
  return route.segments.map((s) => (s.kind === "literal" ? `=${s.value}` : s.kind === "param" ? "{}" : "{+}")).join("/");
}

export function hasGreedy(route: CompiledRoute): boolean {
  return route.segments.some((s) => s.kind === "greedy");
}

/**
 * The methods whose requests this route owns, as the core matches them: its own method, HEAD for a
 * GET route when no HEAD route has the same path, and for ANY the methods no sibling with the same
 * path claims. ANY is written method by method, never as `*`: in IAM a `*` method also swallows
 * path segments (a `*` method before `/admin/` also matches `GET/tenants/admin/orders`).
 */
export function routeMethods(route: CompiledRoute, all: readonly CompiledRoute[]): string[] {
  const shape = pathShape(route);
  const siblings = new Set<string>();
  for (const other of all) {
    if (other !== route && !other.isDefault && other.method !== undefined && other.method !== "ANY" && pathShape(other) === shape) {
      siblings.add(other.method);
    }
  }
  if (siblings.has("GET")) siblings.add("HEAD");
  if (route.method === "ANY") {
    return HTTP_METHODS.filter((m) => !siblings.has(m));
  }
  const method = route.method as string;
  return method === "GET" && !siblings.has("HEAD") ? ["GET", "HEAD"] : [method];
}

/** Path pattern for an Allow; `undefined` when a literal cannot be written exactly. */
export function allowPath(route: CompiledRoute, values: Readonly<Record<string, string>>): string | undefined {
  const parts: string[] = [];
  for (const segment of route.segments) {
    if (segment.kind === "literal") {
      if (segment.value.includes("*") || segment.value.includes("?")) return undefined;
      parts.push(segment.value);
    } else {
      parts.push(values[segment.name] ?? "*");
    }
  }
  return parts.join("/");
}

/** Path pattern for a Deny: covers every request of the route, however its ARN is encoded. */
export function denyPath(route: CompiledRoute): string {
  return route.segments.map((s) => (s.kind === "literal" && PLAIN_LITERAL.test(s.value) ? s.value : "*")).join("/");
}

/**
 * Forms of the same request path that the core treats as one: `/orders` and `/orders/` (one
 * trailing slash is ignored). A pattern ending in `*` already covers both.
 */
export function withTrailingSlash(pattern: string): string[] {
  return pattern.endsWith("*") || pattern.endsWith("/") ? [pattern] : [pattern, `${pattern}/`];
}

/**
 * Request paths the core refuses with 400 (see shared/request-path.ts). A wildcard Allow would
 * otherwise let a cached policy admit `/orders/..%2Fadmin` that the direct decision refuses.
 * Both spellings of each escape, because the ARN may carry the path raw or decoded.
 */
export const REFUSED_PATH_PATTERNS: readonly string[] = [
  "*;*", "*\\*", "*//*", "*/./*", "*/../*", "*/.", "*/..",
  "*%2F*", "*%2f*", "*%5C*", "*%5c*", "*%2E*", "*%2e*", "*%3B*", "*%3b*", "*%25*",
  "*%0?*", "*%1?*", "*%7F*", "*%7f*", "*%C2%8?*", "*%C2%9?*", "*%c2%8?*", "*%c2%9?*",
];

const SEGMENT = ONE_SEGMENT_CHAR + SEGMENT_REST;

/**
 * The requests a route owns, as a shape for `globReachesShape` (after `{apiArn}/{stage}/`): a
 * parameter is one segment, a greedy tail one segment then anything, a literal itself (or any
 * one segment when its ARN spelling is uncertain), with or without one trailing slash.
 */
export function ownedShapes(route: CompiledRoute, method: string): string[] {
  const path = route.segments
    .map((s) => (s.kind === "literal" ? (PLAIN_LITERAL.test(s.value) ? s.value : SEGMENT) : s.kind === "param" ? SEGMENT : `${SEGMENT}*`))
    .join("/");
  const head = method === "*" ? SEGMENT : method;
  return withTrailingSlash(`${head}/${path}`);
}
