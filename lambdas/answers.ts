/**
 * From the core's decision to the answer API Gateway expects (CONTRACT.md §2 and §4):
 * 400/401 -> `Error("Unauthorized")`, 5xx -> another error (API Gateway answers 500), allow and
 * 403 -> an IAM policy, or for HTTP API simple responses `{ isAuthorized, context }`.
 */
import type { APIGatewayAuthorizerResult, APIGatewaySimpleAuthorizerWithContextResult } from "aws-lambda";
import type { Authorizer, Decision, JwtClaims } from "../shared/index.js";
import { requestArn, routeKeyShape } from "./arn.js";
import { authorizerContext, principalId, type AuthorizerContext } from "./context.js";
import type { AuthorizerInput } from "./event-kinds.js";
import { buildPolicyResources, policyAllows, policyDocument, type PolicyResources } from "./iam-policy.js";
import type { LambdaSettings } from "./settings.js";

export type SimpleResult = APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>;

export interface Identity {
  claims: JwtClaims;
  issuer: string;
}

export interface AnswerContext {
  settings: LambdaSettings;
  authorizer: Authorizer;
  /** Verifies the token of a request that hit a public route (see authorizer.ts). */
  identify(input: AuthorizerInput): Promise<Identity | undefined>;
  warn(entry: Record<string, string>): void;
}

/** Thrown for 5xx decisions: anything but "Unauthorized" makes API Gateway answer 500. */
export class AuthorizerUnavailableError extends Error {
  constructor(code: string) {
    super(`authorizer unavailable (${code})`);
    this.name = "AuthorizerUnavailableError";
  }
}

export function failOnServerError(decision: Decision): void {
  if (!decision.allow && decision.status >= 500) throw new AuthorizerUnavailableError(decision.code);
}

export async function simpleAnswer(decision: Decision, input: AuthorizerInput, ctx: AnswerContext): Promise<SimpleResult> {
  if (!decision.allow) return { isAuthorized: false, context: {} };
  // The simple answer is cached per (token, routeKey). If the configuration routed this request
  // to a different route than API Gateway did, one cached answer would stand for requests the
  // configuration treats differently: refuse rather than guess.
  if (ctx.settings.cacheScope === "per-token" && routeKeyShape(input.routeKey ?? "") !== routeKeyShape(decision.route)) {
    ctx.warn({ event: "route-key-mismatch", routeKey: input.routeKey ?? "", route: decision.route });
    return { isAuthorized: false, context: {} };
  }
  // One cached boolean per (token, route key) cannot pin a claim to a path parameter: a "yes" for
  // one tenant would answer for every tenant. Refused here when the configuration did not say
  // HTTP_API_RESPONSE=simple explicitly (then it does not start at all; settings.ts).
  if (ctx.settings.cacheScope === "per-token" && ctx.settings.templatedRoutes.has(decision.route)) {
    ctx.warn({ event: "simple-answer-cannot-bind-claims", route: decision.route, remedy: "HTTP_API_RESPONSE=iam, or AUTHORIZER_CACHE=per-request with a result TTL of 0" });
    return { isAuthorized: false, context: {} };
  }
  // A simple answer is cached per token and route key: shared by every `$default` request.
  if (input.routeKey === "$default" && !(await holdsForDefaultTraffic(decision, input, ctx))) return { isAuthorized: false, context: {} };
  return { isAuthorized: true, context: authorizerContext(decision.public ? undefined : decision.claims, ctx.settings.contextClaims) };
}

export async function iamAnswer(decision: Decision, input: AuthorizerInput, ctx: AnswerContext): Promise<APIGatewayAuthorizerResult> {
  if (!decision.allow && decision.status !== 403) throw new Error("Unauthorized");
  const identity = await identityOf(decision, input, ctx);
  const current = requestArn(input.arn);
  const stageArn = `${input.arn.apiArn}/${input.arn.stage}`;
  const resources: PolicyResources =
    ctx.settings.cacheScope === "per-request"
      ? { allow: [], deny: [] }
      : buildPolicyResources({
          routes: ctx.authorizer.routes.routes,
          apiArn: input.arn.apiArn,
          stage: input.arn.stage,
          claims: identity?.claims,
          satisfies: (route, params) =>
            identity !== undefined && ctx.authorizer.checkRoute(route, identity.claims, identity.issuer, params) === undefined,
        });
  // A policy is judged against the ARN: shared only when API Gateway reports `…/{stage}/$default`.
  if (decision.allow && input.arn.method === "$default" && !(await holdsForDefaultTraffic(decision, input, ctx))) resources.deny.push(current);
  // The answer must hold for this request first. A deny the table policy would let through (a
  // path no route owns) gets its own Deny; an allow it cannot express exactly is added as an
  // exact Allow unless a Deny wins anyway (a false deny on an overlapping table; warned about).
  if (!decision.allow && policyAllows(resources, current)) resources.deny.push(current);
  if (decision.allow && !policyAllows(resources, current) && !/[*?]/.test(current)) {
    if (policyAllows({ allow: [current], deny: resources.deny }, current)) resources.allow.push(current);
  }
  return {
    principalId: principalId(identity?.claims),
    policyDocument: policyDocument(resources, stageArn),
    context: authorizerContext(identity?.claims, ctx.settings.contextClaims),
  };
}

/**
 * API Gateway sends every HTTP API request that matches none of its declared routes through its
 * `$default` route: one route key (and, in some deployments, one `…/{stage}/$default` ARN), so one
 * cached answer per token stands for all of them, whatever their path. Under per-token caching an allow there holds only
 * if the configuration has a `$default` of its own (else unmatched paths are denied) and the token
 * passes every protected route, none of them bound to a path parameter; otherwise it is refused
 * (and logged), a false deny rather than a "yes" for one path that opens another.
 */
async function holdsForDefaultTraffic(decision: Decision & { allow: true }, input: AuthorizerInput, ctx: AnswerContext): Promise<boolean> {
  if (ctx.settings.cacheScope !== "per-token") return true;
  const routes = ctx.authorizer.routes.routes;
  let holds = routes.some((r) => r.isDefault);
  const identity = holds ? await identityOf(decision, input, ctx) : undefined;
  for (const route of routes) {
    if (!holds) break;
    if (route.config.public) continue;
    holds =
      identity !== undefined &&
      !ctx.settings.templatedRoutes.has(route.config.route) &&
      ctx.authorizer.checkRoute(route.config, identity.claims, identity.issuer, {}) === undefined;
  }
  if (!holds) {
    ctx.warn({
      event: "default-route-answer-refused",
      route: decision.route,
      remedy: "declare the API's routes in API Gateway, or AUTHORIZER_CACHE=per-request with a result TTL of 0",
    });
  }
  return holds;
}

async function identityOf(decision: Decision, input: AuthorizerInput, ctx: AnswerContext): Promise<Identity | undefined> {
  if (decision.allow) {
    if (!decision.public && decision.issuer !== undefined) return { claims: decision.claims, issuer: decision.issuer };
    return ctx.identify(input);
  }
  return decision.claims !== undefined && decision.issuer !== undefined ? { claims: decision.claims, issuer: decision.issuer } : undefined;
}
