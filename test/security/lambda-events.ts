/**
 * Lambda events for the security suite, built from the real API Gateway events in
 * ../shared/fixtures/aws-events/ (read, never copied), and an IAM policy evaluator of our own, so
 * that an answer is judged the way API Gateway judges it, independently of the policy builder.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
// One gate for every fixture-based suite: without the handout folder they skip with a message
// naming it, and under CI (`CI` set) importing this module fails the run instead.
import { FIXTURES_DIR, FIXTURES_MISSING } from "../lambdas/fixtures.js";

export const FIXTURES = FIXTURES_DIR;
export const FIXTURES_PRESENT = FIXTURES_MISSING === undefined;
export const MISSING_FIXTURES = `skipped: ${FIXTURES_MISSING ?? `the AWS event fixtures are missing (expected ${FIXTURES})`}`;

export type Json = Record<string, unknown>;

export function fixture(name: "rest-token-authorizer" | "rest-request-authorizer" | "http-api-v2-request-authorizer"): Json {
  return JSON.parse(readFileSync(resolve(FIXTURES, `${name}.json`), "utf8")) as Json;
}

const REST_API = "arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/prod";
const HTTP_API = "arn:aws:execute-api:eu-west-1:123456789012:lsw1ro4ipb/$default";

export interface RequestShape {
  method: string;
  /** Path and optional query. */
  path: string;
  headers: Record<string, string | string[]>;
}

function splitQuery(path: string): { path: string; query: string } {
  const q = path.indexOf("?");
  return q < 0 ? { path, query: "" } : { path: path.slice(0, q), query: path.slice(q + 1) };
}

/** The fixture's headers without its credential (`Authorization: Bearer foo`). */
function baseHeaders(headers: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(headers as Record<string, string>).filter(([name]) => name.toLowerCase() !== "authorization"));
}

/** REST REQUEST (payload 1.0): both header maps as API Gateway fills them (single = last value). */
export function restRequestEvent(request: RequestShape): Json {
  const event = fixture("rest-request-authorizer");
  const { path, query } = splitQuery(request.path);
  const headers = baseHeaders(event.headers);
  const multi: Record<string, string[]> = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]]));
  for (const [name, value] of Object.entries(request.headers)) {
    const values = Array.isArray(value) ? value : [value];
    multi[name] = values;
    headers[name] = values[values.length - 1] as string;
  }
  const params = new URLSearchParams(query);
  const multiQuery: Record<string, string[]> = {};
  for (const [k, v] of params) (multiQuery[k] ??= []).push(v);
  // The request reaches the API's greedy proxy resource (any path does), so `resource` is that
  // template, never the concrete path; the request context agrees with the method and path.
  const resource = path === "/" ? "/" : "/{proxy+}";
  const context = event.requestContext as Json;
  return {
    ...event,
    methodArn: `${REST_API}/${request.method}${path}`,
    resource,
    path,
    httpMethod: request.method,
    pathParameters: path === "/" ? {} : { proxy: path.slice(1) },
    requestContext: { ...context, httpMethod: request.method, resourcePath: resource, path: `/${String(context.stage)}${path}` },
    headers,
    multiValueHeaders: multi,
    queryStringParameters: query === "" ? null : Object.fromEntries(Object.entries(multiQuery).map(([k, v]) => [k, v[v.length - 1]])),
    multiValueQueryStringParameters: query === "" ? null : multiQuery,
  };
}

/** REST TOKEN: only the identity source's value. */
export function restTokenEvent(method: string, path: string, authorization: string): Json {
  return { ...fixture("rest-token-authorizer"), methodArn: `${REST_API}/${method}${path}`, authorizationToken: authorization };
}

/** HTTP API payload 2.0: lower-case headers, repeats joined by commas, raw query string. */
export function httpApiEvent(request: RequestShape, routeKey: string): Json {
  const event = fixture("http-api-v2-request-authorizer");
  const { path, query } = splitQuery(request.path);
  const headers: Record<string, string> = Object.fromEntries(Object.entries(baseHeaders(event.headers)).map(([k, v]) => [k.toLowerCase(), v]));
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(",") : value;
  const context = event.requestContext as Json;
  return {
    ...event,
    routeArn: `${HTTP_API}/${request.method}${path}`,
    routeKey,
    rawPath: path,
    rawQueryString: query,
    identitySource: headers.authorization === undefined ? [] : [headers.authorization],
    headers,
    requestContext: { ...context, routeKey, http: { ...(context.http as Json), method: request.method, path } },
  };
}

export function methodArnOf(event: Json): string {
  return String(event.methodArn ?? event.routeArn);
}

interface Statement {
  Effect?: unknown;
  Action?: unknown;
  Resource?: unknown;
}

function globRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split("").map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))).join("")}$`, "s");
}

/** IAM as API Gateway applies an authorizer's policy to one ARN: an explicit Deny wins, then Allow. */
export function policyAllows(result: unknown, arn: string): boolean {
  const statements = ((result as { policyDocument?: { Statement?: unknown } })?.policyDocument?.Statement ?? []) as Statement[];
  let allowed = false;
  for (const statement of statements) {
    const actions = ([] as unknown[]).concat(statement.Action);
    if (!actions.some((a) => a === "execute-api:Invoke" || a === "execute-api:*" || a === "*")) continue;
    const resources = ([] as unknown[]).concat(statement.Resource).filter((r): r is string => typeof r === "string");
    if (!resources.some((r) => globRegExp(r).test(arn))) continue;
    if (statement.Effect === "Deny") return false;
    if (statement.Effect === "Allow") allowed = true;
  }
  return allowed;
}

/** Whether the answer holds any Allow at all (a malformed event must not get one). */
export function hasAnyAllow(result: unknown): boolean {
  const statements = ((result as { policyDocument?: { Statement?: unknown } })?.policyDocument?.Statement ?? []) as Statement[];
  return statements.some((s) => s.Effect === "Allow") || (result as { isAuthorized?: unknown })?.isAuthorized === true;
}
