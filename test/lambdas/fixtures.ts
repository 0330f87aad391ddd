/**
 * The real API Gateway events of ../shared/fixtures/aws-events/, loaded as they are; helpers change
 * only the token and the route (method and path), as the fixtures' README asks.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const FIXTURES_DIR = join(dirname(fileURLToPath(import.meta.url)), "../../../shared/fixtures/aws-events");
export const FIXTURES_MISSING = existsSync(join(FIXTURES_DIR, "rest-token-authorizer.json"))
  ? undefined
  : `AWS event fixtures not found at ${FIXTURES_DIR} (the read-only handout ../shared/fixtures/aws-events/)`;

export function loadFixture(name: "rest-token-authorizer" | "rest-request-authorizer" | "http-api-v2-request-authorizer"): Record<string, any> {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, `${name}.json`), "utf8")) as Record<string, any>;
}

/** `arn:...:{apiId}/{stage}` of an ARN from a fixture. */
export function stageArnOf(arn: string): string {
  const parts = arn.split("/");
  return `${parts[0]}/${parts[1]}`;
}

/** REST TOKEN: `authorizationToken` and the method/path of `methodArn`. */
export function tokenEvent(token: string | undefined, method: string, path: string): Record<string, any> {
  const event = loadFixture("rest-token-authorizer");
  event.authorizationToken = token === undefined ? "" : `Bearer ${token}`;
  event.methodArn = `${stageArnOf(event.methodArn)}/${method}/${path.slice(1)}`;
  return event;
}

/** REST REQUEST 1.0: the Authorization header (both maps), method and path everywhere they appear. */
export function requestV1Event(token: string | undefined, method: string, path: string): Record<string, any> {
  const event = loadFixture("rest-request-authorizer");
  const stage = event.requestContext.stage as string;
  event.methodArn = `${stageArnOf(event.methodArn)}/${method}/${path.slice(1)}`;
  event.httpMethod = method;
  event.path = path;
  event.resource = path;
  event.requestContext.httpMethod = method;
  event.requestContext.resourcePath = path;
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

/** HTTP API 2.0: the authorization header and identitySource, method, path and route key. */
export function requestV2Event(token: string | undefined, method: string, path: string, routeKey: string): Record<string, any> {
  const event = loadFixture("http-api-v2-request-authorizer");
  event.routeArn = `${stageArnOf(event.routeArn)}/${method}/${path.slice(1)}`;
  event.routeKey = routeKey;
  event.rawPath = path;
  event.requestContext.http.method = method;
  event.requestContext.http.path = path;
  event.requestContext.routeKey = routeKey;
  if (token === undefined) {
    delete event.headers.authorization;
    event.identitySource = [];
  } else {
    event.headers.authorization = `Bearer ${token}`;
    event.identitySource = [`Bearer ${token}`];
  }
  return event;
}
