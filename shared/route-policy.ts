/**
 * The per-route requirements of CONTRACT.md §1, checked on every request (cache hits included):
 * which issuers, which audience, which scopes, which claim values. A token for service A must
 * never pass at service B, so none of this is cached with the token.
 */
import type { JwtClaims, RouteConfig } from "./types.js";

export interface RoutePolicySubject {
  issuer: string;
  audiences: readonly string[];
  scopes: ReadonlySet<string>;
  claims: JwtClaims;
}

export type RouteCheckCode =
  | "ERR_JWT_ISSUER_NOT_ALLOWED"
  | "ERR_JWT_AUDIENCE_MISMATCH"
  | "ERR_SCOPE_INSUFFICIENT"
  | "ERR_CLAIM_MISMATCH";

const TEMPLATE = /^\{([^{}]+)\}$/;

/** The path parameter a `claims` value names (`"{tenant}"` is `tenant`); undefined for a literal. */
export function templateParam(expected: string): string | undefined {
  return TEMPLATE.exec(expected)?.[1];
}

/** The claims a route binds to a path parameter (`{ "tenant_id": "{tenant}" }` gives `tenant_id`). */
export function boundClaims(route: RouteConfig): string[] {
  return Object.entries(route.claims).filter(([, expected]) => templateParam(expected) !== undefined).map(([name]) => name);
}

/** The value a `claims` entry requires: a literal, or the path parameter it names. */
export function requiredClaimValue(expected: string, params: Readonly<Record<string, string>>): string | undefined {
  const param = templateParam(expected);
  return param === undefined ? expected : params[param];
}

function claimMatches(actual: unknown, required: string): boolean {
  if (typeof actual === "string") return actual === required;
  // Numbers and booleans compare by their JSON text, so `"tenant": 42` binds `/tenants/42`.
  if (typeof actual === "number" || typeof actual === "boolean") return String(actual) === required;
  if (Array.isArray(actual)) return actual.some((item) => claimMatches(item, required));
  return false;
}

/** `undefined` when the route is satisfied, else the code of the first unmet requirement. */
export function checkRoutePolicy(
  route: RouteConfig,
  subject: RoutePolicySubject,
  params: Readonly<Record<string, string>>,
): RouteCheckCode | undefined {
  if (route.public) return undefined;
  if (route.issuers !== undefined && !route.issuers.includes(subject.issuer)) return "ERR_JWT_ISSUER_NOT_ALLOWED";
  if (!route.audience.some((a) => subject.audiences.includes(a))) return "ERR_JWT_AUDIENCE_MISMATCH";
  for (const scope of route.scopes) {
    if (!subject.scopes.has(scope)) return "ERR_SCOPE_INSUFFICIENT";
  }
  if (route.anyScopes.length > 0 && !route.anyScopes.some((s) => subject.scopes.has(s))) return "ERR_SCOPE_INSUFFICIENT";
  for (const [name, expected] of Object.entries(route.claims)) {
    const required = requiredClaimValue(expected, params);
    if (required === undefined || !claimMatches(subject.claims[name], required)) return "ERR_CLAIM_MISMATCH";
  }
  return undefined;
}
