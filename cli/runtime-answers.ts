/**
 * What each runtime would answer for a decision. The Worker's answer comes from the Worker's own
 * modules (`denyResponse`, `claimHeaders`); the Lambda's from the real Lambda handler, called with
 * the events API Gateway would send for the same request (REST REQUEST 1.0 for the IAM policy,
 * HTTP API 2.0 for the simple answer), so `explain` shows exactly what the deployed code returns.
 */
import type { Decision, FetchLike, RouteTable } from "../shared/index.js";
import type { AuthorizerConfig } from "../shared/types.js";
import { createLambdaHandler } from "../lambdas/authorizer.js";
import { globMatches } from "../lambdas/glob.js";
import { claimHeaders } from "../workers/forward.js";
import { denyResponse } from "../workers/responses.js";
import type { WalkRequest } from "./explain-steps.js";

export interface WorkerAnswer {
  action: "forward" | "answer";
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Identity headers added before forwarding (claim values the token holds). */
  identityHeaders?: Record<string, string>;
  note: string;
}

export async function workerAnswer(decision: Decision, request: WalkRequest, config: AuthorizerConfig): Promise<WorkerAnswer> {
  const stripped = `inbound ${config.forward.headerPrefix}* headers${config.forward.keepAuthorization ? "" : " and Authorization"} removed`;
  if (decision.allow) {
    const identityHeaders = decision.public ? {} : claimHeaders(decision.claims, config.forward);
    return { action: "forward", identityHeaders, note: `forwarded to the origin (UPSTREAM_URL or the request's own URL); ${stripped}` };
  }
  const response = denyResponse(decision, request.method);
  return {
    action: "answer",
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body: await response.text(),
    note: "answered by the Worker; the origin never sees the request",
  };
}

/** A made-up API: the policy's shape does not depend on the account or API id. */
export const EXAMPLE_API_ARN = "arn:aws:execute-api:us-east-1:123456789012:example1234";
export const EXAMPLE_STAGE = "prod";

export interface LambdaRoutePreview {
  route: string;
  /** The concrete request the route was tried with (parameters filled in). */
  request: string;
  allowed: boolean;
}

export interface LambdaAnswer {
  /** REST TOKEN / REQUEST and HTTP API with IAM responses. */
  iam: { outcome: "policy"; result: unknown; routes: LambdaRoutePreview[] } | { outcome: "error"; error: string; note: string };
  /** HTTP API payload 2.0 with simple responses. */
  simple: { outcome: "result"; result: unknown } | { outcome: "error"; error: string; note: string };
}

export interface LambdaAnswerInput {
  /** The configuration exactly as the Lambda reads it (`AUTHORIZER_CONFIG`). */
  rawConfig: string;
  request: WalkRequest;
  decision: Decision;
  routes: RouteTable;
  fetch: FetchLike;
  now: () => number;
}

export async function lambdaAnswer(input: LambdaAnswerInput): Promise<LambdaAnswer> {
  const { request } = input;
  const [pathOnly, query = ""] = splitQuery(request.path);
  // Quiet: no log lines and no EMF metric lines (the handler writes those to stdout by default).
  const log = (): void => {};
  const writeMetric = (): void => {};
  // Simple answers are the default (HTTP_API_RESPONSE unset): said explicitly, a configuration with
  // claim templates would not start at all (check-config reports that).
  const handler = (httpApiResponse: "simple" | "iam") =>
    createLambdaHandler({
      env: { AUTHORIZER_CONFIG: input.rawConfig, ...(httpApiResponse === "iam" ? { HTTP_API_RESPONSE: "iam" } : {}) },
      fetch: input.fetch,
      now: input.now,
      log,
      writeMetric,
    });
  const methodArn = `${EXAMPLE_API_ARN}/${EXAMPLE_STAGE}/${request.method}${pathOnly}`;
  const restEvent = {
    type: "REQUEST",
    methodArn,
    resource: pathOnly,
    path: pathOnly,
    httpMethod: request.method,
    headers: request.headers,
    multiValueHeaders: null,
    queryStringParameters: query === "" ? null : Object.fromEntries(new URLSearchParams(query)),
    multiValueQueryStringParameters: null,
    pathParameters: {},
    stageVariables: null,
    requestContext: {},
  };
  const routeKey = input.decision.route ?? "$default";
  const httpEvent = {
    version: "2.0",
    type: "REQUEST",
    routeArn: methodArn,
    identitySource: [],
    routeKey,
    rawPath: pathOnly,
    rawQueryString: query,
    headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v])),
    requestContext: { http: { method: request.method, path: pathOnly } },
  };

  let iam: LambdaAnswer["iam"];
  try {
    const result = await handler("iam")(restEvent as never);
    iam = { outcome: "policy", result, routes: previewRoutes(result, input.routes, input.decision) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    iam = {
      outcome: "error",
      error: message,
      note: message === "Unauthorized" ? "API Gateway answers 401 Unauthorized" : "API Gateway answers 500 (never an allow)",
    };
  }
  let simple: LambdaAnswer["simple"];
  try {
    simple = { outcome: "result", result: await handler("simple")(httpEvent as never) };
  } catch (error) {
    simple = { outcome: "error", error: error instanceof Error ? error.message : String(error), note: "API Gateway answers 500 (never an allow)" };
  }
  return { iam, simple };
}

/**
 * API Gateway caches the policy per token and evaluates it on every later call: for each
 * configured route, one concrete request (parameters filled in with sample values) checked
 * against the policy the way IAM does (explicit Deny wins, then an Allow is required).
 */
function previewRoutes(result: unknown, routes: RouteTable, decision: Decision): LambdaRoutePreview[] {
  const claims = decision.claims ?? {};
  const statements = (result as { policyDocument?: { Statement?: { Effect: string; Resource: string[] | string }[] } }).policyDocument?.Statement ?? [];
  const resources = (effect: string): string[] =>
    statements.filter((s) => s.Effect === effect).flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));
  const allow = resources("Allow");
  const deny = resources("Deny");
  return routes.routes.map((route) => {
    const method = route.method === undefined || route.method === "ANY" ? "GET" : route.method;
    const path = route.isDefault
      ? "/no-configured-route"
      : `/${route.segments.map((s) => (s.kind === "literal" ? s.value : s.kind === "param" ? sampleValue(route.config.claims, s.name, claims) : "sample/path")).join("/")}`;
    const arn = `${EXAMPLE_API_ARN}/${EXAMPLE_STAGE}/${method}${path}`;
    const allowed = !deny.some((d) => globMatches(d, arn)) && allow.some((a) => globMatches(a, arn));
    return { route: route.config.route, request: `${method} ${path}`, allowed };
  });
}

/** A parameter bound to a claim (`"tenant_id": "{tenant}"`) takes the token's value: the call it may make. */
function sampleValue(bindings: Record<string, string>, param: string, claims: Record<string, unknown>): string {
  for (const [claim, expected] of Object.entries(bindings)) {
    if (expected !== `{${param}}`) continue;
    const value = Array.isArray(claims[claim]) ? (claims[claim] as unknown[])[0] : claims[claim];
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return encodeURIComponent(String(value));
  }
  return "sample";
}

function splitQuery(path: string): [string, string?] {
  const q = path.indexOf("?");
  return q === -1 ? [path] : [path.slice(0, q), path.slice(q + 1)];
}
