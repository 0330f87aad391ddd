/**
 * API Gateway route keys (`GET /orders/{id}`, `ANY /admin/{proxy+}`, `$default`) compiled once
 * into a trie. Matching walks the request segments left to right and prefers, at every position,
 * a literal over `{name}` over `{name+}` (backtracking when a more specific branch has no route for
 * the method), then a route's own method over ANY; `$default` applies only when nothing matches.
 *
 * Methods: the request method is upper-cased before matching (a lower-case `get` must not dodge a
 * protected GET route); unknown methods match only ANY and `$default`. HEAD is served by origins
 * like GET, so a HEAD request takes a HEAD route, else a GET route, else ANY: otherwise HEAD would
 * slip past a protected GET route to a public ANY or `$default`.
 */
import { ConfigError } from "./errors.js";
import type { RouteConfig, RouteMethod } from "./types.js";

export const ROUTE_METHODS: readonly RouteMethod[] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"];

export type SegmentPattern =
  | { kind: "literal"; value: string }
  | { kind: "param"; name: string }
  | { kind: "greedy"; name: string };

export type ParsedRouteKey =
  | {
      ok: true;
      isDefault: boolean;
      /** `undefined` for `$default`. */
      method: RouteMethod | undefined;
      segments: SegmentPattern[];
      /** Names of the path parameters, in order. */
      params: string[];
      /** Equal for keys that match the same requests (`GET /a/{x}` and `GET /a/{y}`). */
      canonical: string;
    }
  | { ok: false; message: string };

export interface CompiledRoute {
  config: RouteConfig;
  isDefault: boolean;
  method: RouteMethod | undefined;
  segments: readonly SegmentPattern[];
}

export interface RouteMatch {
  route: RouteConfig;
  params: Record<string, string>;
}

export interface RouteTable {
  readonly routes: readonly CompiledRoute[];
  /** `segments` are the decoded request segments from `normalizeRequestPath`. */
  match(method: string, segments: readonly string[]): RouteMatch | undefined;
}

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// RFC 3986 pchar minus `%` (write literals decoded) and `;` (refused in request paths).
const LITERAL = /^[A-Za-z0-9\-._~!$&'()*+,=:@]+$/;

export function parseRouteKey(key: string): ParsedRouteKey {
  if (key === "$default") return { ok: true, isDefault: true, method: undefined, segments: [], params: [], canonical: "$default" };
  const space = key.indexOf(" ");
  if (space === -1) return fail(`expected "METHOD /path" or "$default"`);
  const method = key.slice(0, space);
  const path = key.slice(space + 1);
  if (!(ROUTE_METHODS as readonly string[]).includes(method)) {
    return fail(`unknown method "${method}" (expected one of ${ROUTE_METHODS.join(" ")}, upper case)`);
  }
  if (!path.startsWith("/")) return fail(`the path must start with "/" after one space`);
  if (path === "/") return { ok: true, isDefault: false, method: method as RouteMethod, segments: [], params: [], canonical: `${method} /` };
  if (path.endsWith("/")) return fail(`the path must not end with "/"`);

  const segments: SegmentPattern[] = [];
  const params: string[] = [];
  const parts = path.slice(1).split("/");
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (part === "") return fail(`empty path segment`);
    if (part.startsWith("{") && part.endsWith("}")) {
      const greedy = part.endsWith("+}");
      const name = part.slice(1, greedy ? -2 : -1);
      if (!PARAM_NAME.test(name)) return fail(`invalid path parameter "${part}" (a name is letters, digits and _)`);
      if (params.includes(name)) return fail(`path parameter "{${name}}" appears twice`);
      if (greedy && i !== parts.length - 1) return fail(`greedy parameter "${part}" must be the last segment`);
      params.push(name);
      segments.push(greedy ? { kind: "greedy", name } : { kind: "param", name });
    } else if (part.includes("{") || part.includes("}")) {
      return fail(`segment "${part}" mixes literal text and a parameter`);
    } else if (part === "." || part === "..") {
      return fail(`dot segment "${part}" can never match a request`);
    } else if (!LITERAL.test(part)) {
      return fail(`segment "${part}" has characters a route cannot match (write literals decoded, without % ; or spaces)`);
    } else {
      segments.push({ kind: "literal", value: part });
    }
  }
  const shape = segments.map((s) => (s.kind === "literal" ? s.value : s.kind === "param" ? "{}" : "{+}")).join("/");
  return { ok: true, isDefault: false, method: method as RouteMethod, segments, params, canonical: `${method} /${shape}` };
}

function fail(message: string): ParsedRouteKey {
  return { ok: false, message };
}

interface RouteEntry {
  config: RouteConfig;
  /** Parameter names by position, zipped with the captured values on a match. */
  params: readonly string[];
}

type MethodMap = Map<RouteMethod, RouteEntry>;

/** One branch per segment kind: routes that differ only in parameter names share a path here. */
interface TrieNode {
  literals: Map<string, TrieNode>;
  param: TrieNode | undefined;
  greedy: MethodMap;
  /** Routes ending exactly at this node, by method. */
  routes: MethodMap;
}

function newNode(): TrieNode {
  return { literals: new Map(), param: undefined, greedy: new Map(), routes: new Map() };
}

/** Expects routes that passed `parseConfig`; throws `ConfigError` otherwise. */
export function compileRoutes(routes: readonly RouteConfig[]): RouteTable {
  const root = newNode();
  const compiled: CompiledRoute[] = [];
  let fallback: RouteConfig | undefined;
  routes.forEach((config, index) => {
    const parsed = parseRouteKey(config.route);
    if (!parsed.ok) throw new ConfigError([{ path: `routes[${index}].route`, message: parsed.message }]);
    compiled.push({ config, isDefault: parsed.isDefault, method: parsed.method, segments: parsed.segments });
    const duplicate = (): never => {
      throw new ConfigError([{ path: `routes[${index}].route`, message: `duplicate route "${config.route}"` }]);
    };
    if (parsed.isDefault || parsed.method === undefined) {
      if (fallback !== undefined) duplicate();
      fallback = config;
      return;
    }
    let node = root;
    let target = node.routes;
    for (const segment of parsed.segments) {
      if (segment.kind === "literal") {
        let next = node.literals.get(segment.value);
        if (next === undefined) node.literals.set(segment.value, (next = newNode()));
        node = next;
        target = node.routes;
      } else if (segment.kind === "param") {
        node = node.param ??= newNode();
        target = node.routes;
      } else {
        target = node.greedy;
      }
    }
    if (target.has(parsed.method)) duplicate();
    target.set(parsed.method, { config, params: parsed.params });
  });

  const defaultRoute = fallback;
  return {
    routes: compiled,
    match(method, segments) {
      const values: string[] = [];
      const entry = walk(root, method.toUpperCase(), segments, 0, values);
      if (entry !== undefined) {
        const params: Record<string, string> = {};
        // defineProperty: a parameter named `__proto__` must stay an own data property.
        entry.params.forEach((name, i) => {
          Object.defineProperty(params, name, { value: values[i], enumerable: true, writable: true, configurable: true });
        });
        return { route: entry.config, params };
      }
      return defaultRoute === undefined ? undefined : { route: defaultRoute, params: {} };
    },
  };
}

function pick(routes: MethodMap, method: string): RouteEntry | undefined {
  if (routes.size === 0) return undefined;
  const own = routes.get(method as RouteMethod);
  if (own !== undefined) return own;
  if (method === "HEAD") {
    const get = routes.get("GET");
    if (get !== undefined) return get;
  }
  return routes.get("ANY");
}

/** Depth first, most specific branch first; `values` holds the captured parameters by position. */
function walk(node: TrieNode, method: string, segments: readonly string[], at: number, values: string[]): RouteEntry | undefined {
  if (at === segments.length) return pick(node.routes, method);
  const segment = segments[at] as string;
  const literal = node.literals.get(segment);
  if (literal !== undefined) {
    const found = walk(literal, method, segments, at + 1, values);
    if (found !== undefined) return found;
  }
  if (node.param !== undefined) {
    values.push(segment);
    const found = walk(node.param, method, segments, at + 1, values);
    if (found !== undefined) return found;
    values.pop();
  }
  const greedy = pick(node.greedy, method);
  if (greedy !== undefined) values.push(segments.slice(at).join("/"));
  return greedy;
}
