/**
 * Cache-safe IAM policies. API Gateway caches an authorizer's policy per token (REST: up to an
 * hour) and evaluates it against every route that token calls later, so the policy has to answer
 * for the whole route table, not just the request at hand:
 *
 * - Allow every route the token satisfies (parameters and greedy as `*`, ANY as `*` or the
 *   methods no sibling claims; claim templates such as `{ "tenant_id": "{tenant}" }` pinned to the
 *   token's value where it can be written exactly);
 * - Deny every route it does not satisfy wherever an Allow could reach it (explicit Deny wins in
 *   IAM), so `GET/orders/*` allowed never leaks into `GET /orders/{id}/refunds` denied;
 * - Deny request paths the core refuses (encoded slashes, dot segments...) under any wildcard;
 * - with a protected `$default` the token does not satisfy, also Deny what a `*` reaches beyond
 *   its own segment (that traffic belongs to `$default`).
 *
 * Where wildcards overlap (literal beside a parameter, a deeper route under a parameter) the Deny
 * may also cover requests the token could call: a false deny, never a false allow. The
 * configuration check lists those route pairs (policy-warnings.ts).
 */
import { templateParam, type CompiledRoute, type JwtClaims, type RouteConfig } from "../shared/index.js";
import { globMatches, globReachesShape, globsIntersect, globSubsumes } from "./glob.js";
import {
  allowPath,
  denyPath,
  hasGreedy,
  ownedShapes,
  REFUSED_PATH_PATTERNS,
  routeMethods,
  SAFE_ARN_VALUE,
  withTrailingSlash,
} from "./policy-patterns.js";

/** API Gateway refuses a Resource longer than this. */
export const MAX_RESOURCE_LENGTH = 512;
/** Bound on Allow statements per templated route (an array claim with many tenants). */
const MAX_TEMPLATE_BINDINGS = 32;

export interface PolicyRequest {
  /** Compiled routes of the authorizer (`authorizer.routes.routes`). */
  routes: readonly CompiledRoute[];
  /** `arn:{partition}:execute-api:{region}:{account}:{apiId}` */
  apiArn: string;
  stage: string;
  /** Verified claims; `undefined` when no valid token was seen (only public routes then). */
  claims: JwtClaims | undefined;
  /** The core's route policy for this token: true when satisfied with these path parameters. */
  satisfies: (route: RouteConfig, params: Readonly<Record<string, string>>) => boolean;
}

export interface PolicyResources {
  allow: string[];
  deny: string[];
}

interface Pattern {
  /** Everything after `{apiArn}/{stage}/`. */
  glob: string;
  /** The route it came from (undefined for the stage-wide ones). */
  route: CompiledRoute | undefined;
  /** For a route's Deny: the requests it must cover (a Deny nobody else's Allow reaches is dropped). */
  owned?: string[];
}

export function buildPolicyResources(request: PolicyRequest): PolicyResources {
  const { routes, claims, satisfies } = request;
  const allows: Pattern[] = [];
  const unsatisfied: CompiledRoute[] = [];
  const defaultRoute = routes.find((r) => r.isDefault);

  for (const route of routes) {
    if (route.isDefault) continue;
    const bindings = satisfiedBindings(route, claims, satisfies);
    if (bindings.length === 0 || bindings.some((b) => b.partial)) unsatisfied.push(route);
    for (const binding of bindings) {
      const path = allowPath(route, binding.values);
      if (path === undefined) continue;
      for (const method of routeMethods(route, routes)) {
        for (const glob of withTrailingSlash(`${method}/${path}`)) allows.push({ glob, route });
      }
    }
  }

  const denies: Pattern[] = [];
  if (defaultRoute !== undefined) {
    if (defaultSatisfied(defaultRoute, claims, satisfies)) {
      allows.push({ glob: "*", route: defaultRoute });
    } else {
      // Some deployments report a `$default` route as `.../{stage}/$default`.
      denies.push({ glob: "$default", route: defaultRoute });
      for (const allow of allows) denies.push(...beyondOwnSegments(allow));
    }
  } else {
    // No `$default`: paths no route owns never reach the authorizer when the configuration lists
    // the API's routes. Still fence a `*` in where that costs no allowed route anything.
    const allowedShapes = allows.flatMap((a) => (a.route === undefined ? [] : ownedShapes(a.route, a.glob.slice(0, a.glob.indexOf("/")))));
    for (const allow of allows) {
      for (const guard of beyondOwnSegments(allow)) {
        if (!allowedShapes.some((shape) => globReachesShape(guard.glob, shape))) denies.push(guard);
      }
    }
  }
  for (const route of unsatisfied) {
    for (const method of routeMethods(route, routes)) {
      const owned = ownedShapes(route, method);
      for (const glob of withTrailingSlash(`${method}/${denyPath(route)}`)) denies.push({ glob, route, owned });
    }
  }
  if (allows.some((a) => a.glob.includes("*"))) {
    for (const glob of REFUSED_PATH_PATTERNS) denies.push({ glob, route: undefined });
  }

  const prefix = `${request.apiArn}/${request.stage}/`;
  const allowGlobs = compact(allows.map((a) => a.glob).filter((g) => prefix.length + g.length <= MAX_RESOURCE_LENGTH));
  // A Deny matters only where some Allow from another route could reach.
  const needed = denies.filter((d) =>
    allows.some((a) => a.route !== d.route && (d.owned ? d.owned.some((shape) => globReachesShape(a.glob, shape)) : globsIntersect(a.glob, d.glob))),
  );
  const denyGlobs = compact(needed.map((d) => fitDeny(d.glob, MAX_RESOURCE_LENGTH - prefix.length)));
  return { allow: allowGlobs.map((g) => prefix + g), deny: denyGlobs.map((g) => prefix + g) };
}

/** The policy's own verdict on one request ARN: explicit Deny wins, else an Allow is required. */
export function policyAllows(resources: PolicyResources, arn: string): boolean {
  if (resources.deny.some((d) => globMatches(d, arn))) return false;
  return resources.allow.some((a) => globMatches(a, arn));
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: { Action: "execute-api:Invoke"; Effect: "Allow" | "Deny"; Resource: string[] }[];
}

/** Nothing allowed means a single Deny of the whole stage (a statement list cannot be empty). */
export function policyDocument(resources: PolicyResources, stageArn: string): PolicyDocument {
  const statement: PolicyDocument["Statement"] = [];
  if (resources.allow.length > 0) statement.push({ Action: "execute-api:Invoke", Effect: "Allow", Resource: resources.allow });
  if (resources.deny.length > 0) statement.push({ Action: "execute-api:Invoke", Effect: "Deny", Resource: resources.deny });
  if (resources.allow.length === 0) return { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: "Deny", Resource: [`${stageArn}/*`] }] };
  return { Version: "2012-10-17", Statement: statement };
}

interface Binding {
  values: Record<string, string>;
  /** True when the route is satisfied only for these parameter values (a claim template). */
  partial: boolean;
}

/** The parameter values for which the token satisfies the route (`[]`: none). */
function satisfiedBindings(route: CompiledRoute, claims: JwtClaims | undefined, satisfies: PolicyRequest["satisfies"]): Binding[] {
  if (route.config.public) return [{ values: {}, partial: false }];
  if (claims === undefined) return [];
  const paramNames = new Set(route.segments.flatMap((s) => (s.kind === "literal" ? [] : [s.name])));
  const candidates = new Map<string, string[]>();
  for (const [claim, expected] of Object.entries(route.config.claims)) {
    const param = templateParam(expected);
    if (param === undefined || !paramNames.has(param)) continue;
    const values = claimValues(claims[claim]).filter((v) => SAFE_ARN_VALUE.test(v));
    const previous = candidates.get(param);
    candidates.set(param, previous === undefined ? values : previous.filter((v) => values.includes(v)));
  }
  if (candidates.size === 0) return satisfies(route.config, {}) ? [{ values: {}, partial: false }] : [];
  const bindings: Binding[] = [];
  for (const values of combinations([...candidates.entries()])) {
    if (bindings.length >= MAX_TEMPLATE_BINDINGS) break;
    if (satisfies(route.config, values)) bindings.push({ values, partial: true });
  }
  // No binding: still "partial" in spirit, the route is denied where others' Allows reach it.
  return bindings;
}

function claimValues(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (typeof value === "number" || typeof value === "boolean") return [String(value)];
  if (Array.isArray(value)) return value.flatMap((item) => (Array.isArray(item) ? [] : claimValues(item)));
  return [];
}

function* combinations(entries: [string, string[]][]): Generator<Record<string, string>> {
  const [first, ...rest] = entries;
  if (first === undefined) {
    yield {};
    return;
  }
  const [name, values] = first;
  for (const value of values) {
    for (const tail of combinations(rest)) yield { ...tail, [name]: value };
  }
}

function defaultSatisfied(route: CompiledRoute, claims: JwtClaims | undefined, satisfies: PolicyRequest["satisfies"]): boolean {
  return route.config.public || (claims !== undefined && satisfies(route.config, {}));
}

/**
 * Requests an Allow's `*` reaches beyond the route's own segments: a `*` standing for one
 * segment (or for the method) that swallows a `/` followed by more, and a trailing `*` matching
 * nothing. Such a string has one non-empty segment more than a request of the route (one
 * trailing slash included) or an empty one, so these Denies do not cover the route's own requests,
 * with one known exception kept on the safe side: a trailing parameter equal to the literal before
 * it, with a trailing slash (`GET /a/{x}/items/{y}` at `/a/1/items/items/`), is a false deny. Skipped with a greedy tail, whose requests have any count.
 */
function beyondOwnSegments(allow: Pattern): Pattern[] {
  const route = allow.route;
  if (route === undefined || route.isDefault) return [];
  const out: Pattern[] = [];
  const glob = allow.glob;
  if (glob.endsWith("/*")) out.push({ glob: glob.slice(0, -1), route: undefined });
  if (hasGreedy(route)) return out;
  // `*/?*`, not `*/*`: the `?` needs a character after the extra `/`, so the route's own requests
  // with one trailing slash (`GET/orders/1/`, the same route) are never covered.
  for (let i = 0; i < glob.length; i++) {
    if (glob[i] === "*") out.push({ glob: `${glob.slice(0, i)}*/?*${glob.slice(i + 1)}`, route: undefined });
  }
  return out;
}

/** A Deny too long for API Gateway is cut and ended with `*`: wider, so still safe. */
function fitDeny(glob: string, room: number): string {
  return glob.length <= room ? glob : `${glob.slice(0, room - 1)}*`;
}

/** Sorted, without duplicates and without patterns another one already covers. */
function compact(globs: string[]): string[] {
  const unique = [...new Set(globs)].sort();
  return unique.filter((g) => !unique.some((other) => other !== g && globSubsumes(other, g)));
}
