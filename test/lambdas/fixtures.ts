/**
 * The real API Gateway events of ../shared/fixtures/aws-events/, loaded as they are; helpers change
 * only the token and the route (method, path, route key or resource template, stage), as the
 * fixtures' README asks, and keep every field that names the route in agreement with the others
 * (an event API Gateway could never send proves nothing).
 *
 * Without the handout folder the fixture-based suites skip with a message naming it; under CI
 * (`CI` set) a missing folder fails the run instead, so a green CI always ran them.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "vitest";

export const FIXTURES_DIR = join(dirname(fileURLToPath(import.meta.url)), "../../../shared/fixtures/aws-events");
export const FIXTURE_NAMES = ["rest-token-authorizer", "rest-request-authorizer", "http-api-v2-request-authorizer"] as const;
export type FixtureName = (typeof FIXTURE_NAMES)[number];

/** `CI` set to anything but empty, `0` or `false`. */
export function isCi(env: Record<string, string | undefined> = process.env): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== "" && value !== "0" && value !== "false";
}

/**
 * `undefined` when every fixture is in `dir`; otherwise the skip message (naming the folder and
 * the missing files), warned about, or under CI thrown: a CI run that silently skipped the
 * fixture-based suites would pass without having tested the handler on real events.
 */
export function fixturesGate(dir: string, env: Record<string, string | undefined> = process.env, warn: (message: string) => void = console.warn): string | undefined {
  const missing = FIXTURE_NAMES.filter((name) => !existsSync(join(dir, `${name}.json`)));
  if (missing.length === 0) return undefined;
  const message = `AWS event fixtures not found in ${dir} (missing ${missing.map((m) => `${m}.json`).join(", ")}; the read-only handout ../shared/fixtures/aws-events/)`;
  if (isCi(env)) throw new Error(`${message}. CI is set: the fixture-based Lambda suites must run there, not skip.`);
  warn(`skipped: ${message}`);
  return message;
}

export const FIXTURES_MISSING = fixturesGate(FIXTURES_DIR);

/** A visible skipped test carrying the reason, beside a suite skipped for missing fixtures. */
export function reportMissingFixtures(suite: string): void {
  if (FIXTURES_MISSING === undefined) return;
  describe(suite, () => it.skip(`skipped: ${FIXTURES_MISSING}`, () => undefined));
}

export function loadFixture(name: FixtureName): Record<string, any> {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, `${name}.json`), "utf8")) as Record<string, any>;
}

/** `arn:...:{apiId}/{stage}` of an ARN from a fixture. */
export function stageArnOf(arn: string): string {
  const parts = arn.split("/");
  return `${parts[0]}/${parts[1]}`;
}

/**
 * The path parameters a route template (`/orders/{id}`, `/admin/{proxy+}`) binds for a concrete
 * path, or `undefined` when the template does not match it (one trailing slash is ignored).
 */
export function templateParams(template: string, path: string): Record<string, string> | undefined {
  const bare = (p: string): string[] => (p === "/" ? [] : p.replace(/\/$/, "").slice(1).split("/"));
  const want = bare(template);
  const have = bare(path.split("?")[0] as string);
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const segment = want[i] as string;
    const greedy = /^\{([^{}]+)\+\}$/.exec(segment);
    if (greedy !== null && i === want.length - 1) {
      if (have.length <= i || have.slice(i).some((s) => s === "")) return undefined;
      params[greedy[1] as string] = have.slice(i).join("/");
      return params;
    }
    const value = have[i];
    if (value === undefined || value === "") return undefined;
    const param = /^\{([^{}]+)\}$/.exec(segment);
    if (param !== null) params[param[1] as string] = value;
    else if (segment !== value) return undefined;
  }
  return have.length === want.length ? params : undefined;
}

/** Whether API Gateway could have matched `routeKey` (`$default`, `ANY /x`, `GET /x/{id}`) for this request. */
export function routeKeyFits(routeKey: string, method: string, path: string): boolean {
  if (routeKey === "$default") return true;
  const match = /^([A-Z]+) (\/\S*)$/.exec(routeKey);
  return match !== null && (match[1] === "ANY" || match[1] === method) && templateParams(match[2] as string, path) !== undefined;
}

export function assertRouteKeyFits(routeKey: string, method: string, path: string): void {
  if (!routeKeyFits(routeKey, method, path)) throw new Error(`inconsistent test event: route key "${routeKey}" cannot match ${method} ${path}`);
}

/** REST TOKEN: `authorizationToken` and the method/path of `methodArn`. */
export function tokenEvent(token: string | undefined, method: string, path: string): Record<string, any> {
  const event = loadFixture("rest-token-authorizer");
  event.authorizationToken = token === undefined ? "" : `Bearer ${token}`;
  event.methodArn = `${stageArnOf(event.methodArn)}/${method}/${path.slice(1)}`;
  return event;
}

/**
 * REST REQUEST 1.0: the Authorization header (both maps; `undefined` removes it), the method and
 * concrete path everywhere they appear, and the API's resource template (`resource`,
 * `requestContext.resourcePath`, with the `pathParameters` it binds). Without a template the
 * request is taken to reach a greedy proxy resource (`/{proxy+}`, `/` for the root), which matches
 * any path.
 */
export function requestV1Event(token: string | undefined, method: string, path: string, resource?: string): Record<string, any> {
  const template = resource ?? (path === "/" ? "/" : "/{proxy+}");
  const params = templateParams(template, path);
  if (params === undefined) throw new Error(`inconsistent test event: resource "${template}" cannot match ${path}`);
  const event = loadFixture("rest-request-authorizer");
  const stage = event.requestContext.stage as string;
  event.methodArn = `${stageArnOf(event.methodArn)}/${method}/${path.slice(1)}`;
  event.httpMethod = method;
  event.path = path;
  event.resource = template;
  event.pathParameters = params;
  event.requestContext.httpMethod = method;
  event.requestContext.resourcePath = template;
  event.requestContext.path = `/${stage}${path}`;
  if (token === undefined) {
    delete event.headers.Authorization;
    delete event.multiValueHeaders.Authorization;
  } else {
    event.headers.Authorization = `Bearer ${token}`;
    event.multiValueHeaders.Authorization = [`Bearer ${token}`];
  }
  return event;
}

/** The REST resource template that goes with an HTTP-API-style route key (`$default`: a proxy resource). */
export function resourceOf(routeKey: string, path: string): string {
  if (routeKey === "$default") return path === "/" ? "/" : "/{proxy+}";
  return routeKey.slice(routeKey.indexOf(" ") + 1);
}

export interface V2Options {
  /** A named stage: `routeArn`, `requestContext.stage`, and `rawPath` / `http.path` prefixed with `/{stage}`. Default: the fixture's `$default`. */
  stage?: string;
  /** The `.../{stage}/$default` routeArn (no method, no path) some deployments send for the `$default` route. */
  defaultRouteArn?: boolean;
}

/**
 * HTTP API 2.0: the authorization header and identitySource (`undefined` removes both), method,
 * path and route key; the route key must be one API Gateway could have matched for the request.
 */
export function requestV2Event(token: string | undefined, method: string, path: string, routeKey: string, options: V2Options = {}): Record<string, any> {
  assertRouteKeyFits(routeKey, method, path);
  if (options.defaultRouteArn && routeKey !== "$default") throw new Error(`inconsistent test event: a $default routeArn with route key "${routeKey}"`);
  const event = loadFixture("http-api-v2-request-authorizer");
  const stage = options.stage ?? (event.requestContext.stage as string);
  const rawPath = stage === "$default" ? path : `/${stage}${path}`;
  const stageArn = `${(event.routeArn as string).split("/")[0]}/${stage}`;
  event.routeArn = options.defaultRouteArn ? `${stageArn}/$default` : `${stageArn}/${method}/${path.slice(1)}`;
  event.routeKey = routeKey;
  event.rawPath = rawPath;
  event.requestContext.http.method = method;
  event.requestContext.http.path = rawPath;
  event.requestContext.routeKey = routeKey;
  event.requestContext.stage = stage;
  if (token === undefined) {
    delete event.headers.authorization;
    event.identitySource = [];
  } else {
    event.headers.authorization = `Bearer ${token}`;
    event.identitySource = [`Bearer ${token}`];
  }
  return event;
}
