/**
 * For the configuration check: route pairs that IAM wildcards cannot tell apart, so that the
 * cache-safe policy sometimes denies a request the token could call (a false deny; never a false
 * allow). Found by running the real policy builder: for each route X, a token that satisfies every
 * route but X, and sample requests of every other route; a sample the policy denies names a pair.
 * Plus the routes whose claim templates a cached simple (boolean) HTTP API answer cannot carry.
 */
import { boundClaims, templateParam, type AuthorizerConfig, type CompiledRoute, type ConfigProblem, type RouteConfig } from "../shared/index.js";
import { compileRoutes } from "../shared/routes.js";
import { buildPolicyResources, policyAllows } from "./iam-policy.js";
import { routeMethods } from "./policy-patterns.js";

export interface PolicyOverlap {
  /** The route a token may call but can be denied by a cached policy. */
  route: string;
  /** The route whose Deny (or fencing) reaches it. */
  deniedBecauseOf: string;
  /** A request that shows it. */
  example: string;
}

const REMEDY =
  "set the authorizer result TTL to 0, or use a REQUEST authorizer with the resource path (REST) or the route key (HTTP API) " +
  "in its identity sources, and set AUTHORIZER_CACHE=per-request so answers are exact for each request";

const VALUE = "p1";
const API = "arn:aws:execute-api:us-east-1:000000000000:api";

export function policyOverlaps(config: AuthorizerConfig): PolicyOverlap[] {
  const table = compileRoutes(config.routes);
  const routes = table.routes;
  const literals = [...new Set(routes.flatMap((r) => r.segments.flatMap((s) => (s.kind === "literal" ? [s.value] : []))))];
  const samples = routes.flatMap((r) => samplesOf(r, routes, literals));
  const claims: Record<string, string> = { sub: "check" };
  for (const route of config.routes) for (const [name, expected] of Object.entries(route.claims)) if (templateParam(expected) !== undefined) claims[name] = VALUE;

  const found = new Map<string, PolicyOverlap>();
  for (const excluded of routes.filter((r) => !r.config.public)) {
    const satisfies = (route: RouteConfig, params: Readonly<Record<string, string>>): boolean =>
      route !== excluded.config && templatesHold(route, params);
    const resources = buildPolicyResources({ routes, apiArn: API, stage: "s", claims, satisfies });
    for (const sample of samples) {
      const owner = table.match(sample.method, sample.segments);
      if (owner === undefined || owner.route === excluded.config || !satisfies(owner.route, owner.params)) continue;
      if (policyAllows(resources, `${API}/s/${sample.method}/${sample.segments.join("/")}`)) continue;
      const key = `${owner.route.route}\n${excluded.config.route}`;
      if (!found.has(key)) {
        found.set(key, { route: owner.route.route, deniedBecauseOf: excluded.config.route, example: `${sample.method} /${sample.segments.join("/")}` });
      }
    }
  }
  return [...found.values()];
}

/**
 * Without a `$default` route, IAM's `*` (which spans `/`) lets an Allow for `GET /orders/{id}`
 * reach `GET /orders/1/x/y`, a request no route owns. The builder fences that reach with a Deny,
 * except where the Deny would also cover an allowed route (`GET /orders/{id}/items`), because a
 * Deny wins and would refuse that route's own requests. API Gateway only calls an authorizer for
 * the routes and resources the API has, so this matters only when the API has routes the
 * configuration does not list. Found by running the builder for a token that satisfies every
 * route (the widest policy): each route with a sample no route owns that the policy allows.
 */
export function unroutedReach(config: AuthorizerConfig): PolicyOverlap[] {
  const table = compileRoutes(config.routes);
  const routes = table.routes;
  if (routes.some((r) => r.isDefault)) return [];
  const claims: Record<string, string> = { sub: "check" };
  for (const route of config.routes) for (const [name, expected] of Object.entries(route.claims)) if (templateParam(expected) !== undefined) claims[name] = VALUE;
  const resources = buildPolicyResources({ routes, apiArn: API, stage: "s", claims, satisfies: (route, params) => templatesHold(route, params) });
  // The Allow that reaches an unrouted sample: the route whose policy alone allows it.
  const onlyThis = (owner: CompiledRoute) => buildPolicyResources({
    routes, apiArn: API, stage: "s", claims, satisfies: (route, params) => route === owner.config && templatesHold(route, params),
  });
  const perRoute = new Map(routes.map((r) => [r, onlyThis(r)]));
  const found = new Map<string, PolicyOverlap>();
  for (const route of routes) {
    const base = route.segments.map((seg) => (seg.kind === "literal" ? seg.value : VALUE));
    const deeper: string[][] = [[...base, VALUE, VALUE]];
    route.segments.forEach((seg, i) => {
      if (seg.kind !== "literal") deeper.push(base.flatMap((v, j) => (j === i ? [VALUE, VALUE] : [v])));
    });
    for (const method of routeMethods(route, routes)) {
      for (const segments of deeper) {
        const arn = `${API}/s/${method}/${segments.join("/")}`;
        if (table.match(method, segments) !== undefined || !policyAllows(resources, arn)) continue;
        const owner = routes.find((r) => policyAllows(perRoute.get(r)!, arn));
        const name = owner?.config.route ?? route.config.route;
        if (!found.has(name)) found.set(name, { route: name, deniedBecauseOf: "", example: `${method} /${segments.join("/")}` });
      }
    }
  }
  return [...found.values()];
}

/** Warnings in the configuration check's `{ path, message }` form. */
export function policyWarnings(config: AuthorizerConfig): ConfigProblem[] {
  const index = (route: string): number => config.routes.findIndex((r) => r.route === route);
  const unrouted: ConfigProblem[] = unroutedReach(config).map((o) => ({
    path: `routes[${index(o.route)}].route`,
    message:
      `a cached IAM policy that allows "${o.route}" also allows requests no configured route owns, such as ${o.example} ` +
      `(IAM's * spans "/", and fencing it would deny a deeper route you configured). API Gateway only calls the authorizer ` +
      `for routes the API has, so this is safe when the configuration lists every route of the API; otherwise add those ` +
      `routes, or a protected $default route`,
  }));
  const warnings: ConfigProblem[] = policyOverlaps(config).map((o) => ({
    path: `routes[${index(o.route)}].route`,
    message:
      `IAM wildcards cannot tell "${o.route}" from "${o.deniedBecauseOf}": a token allowed on the first but not the second ` +
      `can get a cached Deny on requests like ${o.example} (a false deny, never a false allow); to avoid it, ${REMEDY}`,
  }));
  warnings.push(...unrouted);
  config.routes.forEach((route, i) => {
    if (boundClaims(route).length > 0) {
      warnings.push({
        path: `routes[${i}].claims`,
        message:
          `HTTP API simple responses are cached per token and route key, not per path, so they cannot pin a claim to a ` +
          `${route.route} parameter: the Lambda refuses these requests (and refuses to start with HTTP_API_RESPONSE=simple ` +
          `set). Use HTTP_API_RESPONSE=iam (policies pin the value), or a result TTL of 0 with AUTHORIZER_CACHE=per-request`,
      });
    }
  });
  return warnings;
}

function templatesHold(route: RouteConfig, params: Readonly<Record<string, string>>): boolean {
  return Object.values(route.claims).every((expected) => {
    const param = templateParam(expected);
    return param === undefined || params[param] === VALUE;
  });
}

interface Sample {
  method: string;
  segments: string[];
}

/** Parameters as a plain value, then (one position at a time) as each literal of the table. */
function samplesOf(route: CompiledRoute, all: readonly CompiledRoute[], literals: readonly string[]): Sample[] {
  if (route.isDefault) return [];
  const base = route.segments.map((s) => (s.kind === "literal" ? s.value : VALUE));
  const variants: string[][] = [base];
  route.segments.forEach((s, i) => {
    if (s.kind === "literal") return;
    for (const literal of literals) variants.push(base.map((v, j) => (j === i ? literal : v)));
    if (s.kind === "greedy") variants.push([...base.slice(0, i), VALUE, VALUE]);
  });
  const methods = routeMethods(route, all);
  return variants.flatMap((segments) => methods.map((method) => ({ method, segments })));
}
