/**
 * The three ways API Gateway calls an authorizer, one small processor each, chosen by type guards
 * (the shape of hono's Lambda adapter). A processor only translates: the event into the core's
 * `{ method, path, headers }` plus the ARN the answer is about. Anything malformed is refused by
 * the guards, and an event no guard accepts is never allowed (the handler throws).
 */
import type {
  APIGatewayRequestAuthorizerEvent,
  APIGatewayRequestAuthorizerEventV2,
  APIGatewayTokenAuthorizerEvent,
} from "aws-lambda";
import type { AuthorizeRequest, AuthorizerConfig } from "../shared/index.js";
import { parseExecuteApiArn, type ExecuteApiArn } from "./arn.js";

export type EventKind = "token" | "request-v1" | "request-v2";

export interface AuthorizerInput {
  kind: EventKind;
  /** The request's own ARN (`methodArn` / `routeArn`), parsed. */
  arn: ExecuteApiArn;
  request: AuthorizeRequest;
  /** HTTP API only: the route key API Gateway matched (part of the simple-response cache key). */
  routeKey?: string;
}

export interface EventProcessor<E> {
  kind: EventKind;
  is(event: unknown): event is E;
  toInput(event: E, config: AuthorizerConfig): AuthorizerInput | undefined;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isStringMap(value: unknown): value is Record<string, string> {
  return isObject(value) && Object.values(value).every((v) => typeof v === "string");
}

/** REST `TOKEN`: only the identity-source header value and `methodArn`. */
export const tokenEvents: EventProcessor<APIGatewayTokenAuthorizerEvent> = {
  kind: "token",
  is: (event): event is APIGatewayTokenAuthorizerEvent =>
    isObject(event) && event.type === "TOKEN" && typeof event.authorizationToken === "string" && typeof event.methodArn === "string",
  toInput(event, config) {
    const arn = parseExecuteApiArn(event.methodArn);
    if (arn === undefined || arn.method === "$default") return undefined;
    // API Gateway read the token from the header configured as the identity source; hand it to
    // the core under the name the configuration reads tokens from.
    const header = config.tokenSources.find((s) => s.kind === "header")?.name ?? "authorization";
    return { kind: "token", arn, request: { method: arn.method, path: arn.path, headers: { [header]: event.authorizationToken } } };
  },
};

/** REST `REQUEST` (payload 1.0): headers (single and multi-value), query, `methodArn`. */
export const requestV1Events: EventProcessor<APIGatewayRequestAuthorizerEvent> = {
  kind: "request-v1",
  is: (event): event is APIGatewayRequestAuthorizerEvent =>
    isObject(event) && event.type === "REQUEST" && (event.version === undefined || event.version === "1.0") && typeof event.methodArn === "string" &&
    isStringMap(event.headers) && (event.multiValueHeaders === undefined || event.multiValueHeaders === null || isObject(event.multiValueHeaders)),
  toInput(event) {
    const arn = parseExecuteApiArn(event.methodArn);
    if (arn === undefined || arn.method === "$default") return undefined;
    const headers = mergeHeaders(event.headers as Record<string, string>, event.multiValueHeaders ?? undefined);
    if (headers === undefined) return undefined;
    const query = queryString(event.multiValueQueryStringParameters, event.queryStringParameters);
    return { kind: "request-v1", arn, request: { method: arn.method, path: withQuery(arn.path, query), headers } };
  },
};

/** HTTP API `REQUEST` payload 2.0: lower-case headers, `cookies` apart, `routeArn`, `routeKey`. */
export const requestV2Events: EventProcessor<APIGatewayRequestAuthorizerEventV2> = {
  kind: "request-v2",
  is: (event): event is APIGatewayRequestAuthorizerEventV2 =>
    isObject(event) && event.version === "2.0" && event.type === "REQUEST" && typeof event.routeArn === "string" &&
    typeof event.routeKey === "string" && isStringMap(event.headers) &&
    isObject(event.requestContext) && isObject(event.requestContext.http) && typeof event.requestContext.http.method === "string" &&
    (event.cookies === undefined || (Array.isArray(event.cookies) && event.cookies.every((c) => typeof c === "string"))) &&
    (event.rawQueryString === undefined || typeof event.rawQueryString === "string"),
  toInput(event) {
    const arn = parseExecuteApiArn(event.routeArn);
    if (arn === undefined) return undefined;
    const method = event.requestContext.http.method.toUpperCase();
    // The routeArn path is the concrete path without the stage (rawPath carries `/{stage}` on
    // named stages); a `$default` routeArn without a method falls back to the request's own.
    if (arn.method !== "$default" && arn.method !== method) return undefined;
    const path = arn.method === "$default" ? stripStage(event.rawPath, arn.stage) : arn.path;
    if (path === undefined) return undefined;
    const headers: Record<string, string> = { ...(event.headers as Record<string, string>) };
    // Payload 2.0 moves cookies out of the headers; a cookie token source needs them back.
    if (event.cookies !== undefined && event.cookies.length > 0) headers.cookie = event.cookies.join("; ");
    return {
      kind: "request-v2",
      arn,
      routeKey: event.routeKey,
      request: { method, path: withQuery(path, event.rawQueryString ?? ""), headers },
    };
  },
};

export const EVENT_PROCESSORS = [tokenEvents, requestV1Events, requestV2Events] as const;

/**
 * Multi-value headers are the truth (two Authorization headers must reach the core as two, so it
 * can answer 400); single-value ones fill in names the multi-value map lacks.
 */
function mergeHeaders(single: Record<string, string>, multi: Json | undefined): Record<string, string[]> | undefined {
  const out: Record<string, string[]> = {};
  if (multi !== undefined) {
    for (const [name, values] of Object.entries(multi)) {
      if (values === null) continue;
      if (!Array.isArray(values) || !values.every((v) => typeof v === "string")) return undefined;
      out[name] = values as string[];
    }
  }
  const seen = new Set(Object.keys(out).map((n) => n.toLowerCase()));
  for (const [name, value] of Object.entries(single)) {
    if (!seen.has(name.toLowerCase())) out[name] = [value];
  }
  return out;
}

function queryString(multi: unknown, single: unknown): string {
  const params = new URLSearchParams();
  if (isObject(multi)) {
    for (const [name, values] of Object.entries(multi)) {
      if (Array.isArray(values)) for (const v of values) if (typeof v === "string") params.append(name, v);
    }
  } else if (isObject(single)) {
    for (const [name, value] of Object.entries(single)) if (typeof value === "string") params.append(name, value);
  }
  return params.toString();
}

function withQuery(path: string, query: string): string {
  return query === "" ? path : `${path}?${query}`;
}

function stripStage(rawPath: unknown, stage: string): string | undefined {
  if (typeof rawPath !== "string" || !rawPath.startsWith("/")) return undefined;
  if (stage === "$default") return rawPath;
  const prefix = `/${stage}`;
  if (rawPath === prefix) return "/";
  return rawPath.startsWith(`${prefix}/`) ? rawPath.slice(prefix.length) : rawPath;
}
