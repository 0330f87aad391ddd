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

export function simpleAnswer(decision: Decision, input: AuthorizerInput, ctx: AnswerContext): SimpleResult {
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
  // Every request through an HTTP API `$default` route has the same ARN (`…/{stage}/$default`) and
  // the same cache entry, so an allow for a route the configuration matched (not its `$default`)
  // would stand for all of them: refuse it, as the simple answer does.
  if (decision.allow && input.arn.method === "$default" && ctx.settings.cacheScope === "per-token" && decision.route !== "$default") {
    ctx.warn({ event: "route-key-mismatch", routeKey: input.routeKey ?? "$default", route: decision.route });
    resources.deny.push(current);
  }
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

async function identityOf(decision: Decision, input: AuthorizerInput, ctx: AnswerContext): Promise<Identity | undefined> {
  if (decision.allow) {
    if (!decision.public && decision.issuer !== undefined) return { claims: decision.claims, issuer: decision.issuer };
    return ctx.identify(input);
  }
  return decision.claims !== undefined && decision.issuer !== undefined ? { claims: decision.claims, issuer: decision.issuer } : undefined;
}
