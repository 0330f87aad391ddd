/**
 * The decision of `authorize()`, taken apart: the core's own modules called one after another in
 * the order the authorizer calls them (path, route, token, header, issuer, algorithm, keys,
 * signature, claims, route policy), stopping at the first failure. Each step records what it saw,
 * so a user can read which check failed and why. `explain.ts` runs the real `authorize()` beside
 * this walk and refuses to answer if the two disagree.
 */
import { checkTokenType, validateClaims, type VerifiedToken } from "../shared/claims.js";
import { AuthorizerError, JwksFetchError, type ErrorCode } from "../shared/errors.js";
import { fetchJwks } from "../shared/jwks-fetch.js";
import { parseCompactJws, verifyJwsSignature, type JwsHeader, type ParsedJws } from "../shared/jws-verify.js";
import { createKeySet, isKeySet } from "../shared/key-set.js";
import { normalizeRequestPath } from "../shared/request-path.js";
import { checkRoutePolicy } from "../shared/route-policy.js";
import type { RouteMatch, RouteTable } from "../shared/routes.js";
import { parseJsonObject } from "../shared/strict-json.js";
import { extractToken } from "../shared/token-extraction.js";
import type { Algorithm, AuthorizerConfig, FetchLike, IssuerConfig, JwtClaims, KeySet } from "../shared/types.js";
import { claimStep, describeClaimSteps, routeStep, describeRouteSteps, type StepDetail } from "./explain-details.js";

export type StepId =
  | "path" | "route" | "token" | "header" | "payload" | "issuer" | "algorithm" | "token-type" | "keys" | "key"
  | "signature" | "claim-types" | "required-claims" | "exp" | "nbf" | "iat" | "max-age" | "route-found"
  | "route-issuer" | "audience" | "scopes" | "claim-bindings";

export interface Step {
  id: StepId;
  title: string;
  outcome: "ok" | "fail" | "info";
  detail: string;
  /** The core's error code, on the failing step. */
  code?: ErrorCode;
}

export interface WalkRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
}

export interface WalkInput {
  config: AuthorizerConfig;
  routes: RouteTable;
  request: WalkRequest;
  nowMs: number;
  /** Serves the issuer's JWKS (from --jwks, or a recorded real fetch with --fetch). */
  fetch: FetchLike;
}

export type WalkOutcome =
  | { allow: true; route: string; public: boolean }
  | { allow: false; code: ErrorCode; retryAfterSeconds?: number };

export interface WalkResult {
  steps: Step[];
  outcome: WalkOutcome;
  failedStep?: StepId;
  match?: RouteMatch;
  header?: JwsHeader;
  claims?: JwtClaims;
  issuer?: IssuerConfig;
  /** Set when the signature verified (hygiene applies from then on). */
  signatureVerified: boolean;
  verified?: VerifiedToken;
}

/** Thrown to end the walk at the failing step (already recorded). */
class Stop {
  constructor(readonly code: ErrorCode, readonly retryAfterSeconds?: number) {}
}

const TITLES: Record<StepId, string> = {
  path: "request path", route: "route lookup", token: "token found", header: "JWS header", payload: "payload",
  issuer: "issuer matched", algorithm: "algorithm allowed", "token-type": "token type (typ)", keys: "issuer keys",
  key: "key found", signature: "signature", "claim-types": "claim types", "required-claims": "required claims",
  exp: "not expired (exp)", nbf: "not before (nbf)", iat: "issued at (iat)", "max-age": "max token age",
  "route-found": "route matched", "route-issuer": "issuer allowed on route", audience: "audience", scopes: "scopes",
  "claim-bindings": "claim bindings",
};

export async function walkDecision(input: WalkInput): Promise<WalkResult> {
  const steps: Step[] = [];
  const result: WalkResult = { steps, outcome: { allow: false, code: "ERR_INTERNAL" }, signatureVerified: false };
  const ok = (id: StepId, detail: string): void => void steps.push({ id, title: TITLES[id], outcome: "ok", detail });
  const info = (id: StepId, detail: string): void => void steps.push({ id, title: TITLES[id], outcome: "info", detail });
  // Annotated with the alias so that TypeScript treats calls as ending the flow (`never`).
  const fail: Fail = (id, code, detail, retryAfterSeconds) => {
    steps.push({ id, title: TITLES[id], outcome: "fail", detail, code });
    result.failedStep = id;
    throw new Stop(code, retryAfterSeconds);
  };
  /** Runs one core call; a coded failure ends the walk at `id`. */
  async function step<T>(id: StepId, run: () => T | Promise<T>, detail?: (error: AuthorizerError) => string): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof Stop) throw error;
      if (!(error instanceof AuthorizerError)) throw error;
      return fail(id, error.code, detail ? detail(error) : error.message);
    }
  }

  try {
    const { request, config } = input;
    const { segments, query } = await step("path", () => normalizeRequestPath(request.path));
    ok("path", `${request.method} /${segments.join("/")}`);
    const match = input.routes.match(request.method, segments);
    result.match = match;
    if (match?.route.public) {
      ok("route", `"${match.route.route}" is public: allowed without a token`);
      result.outcome = { allow: true, route: match.route.route, public: true };
      return result;
    }
    if (match === undefined) info("route", "no configured route matches; the token is still checked, then the answer is 403");
    else ok("route", `"${match.route.route}" (protected)${formatParams(match.params)}`);

    const token = await step("token", () => extractToken({ headers: request.headers, query }, config.tokenSources));
    ok("token", `one token, ${token.length} bytes, from ${config.tokenSources.map((s) => `${s.kind}:${s.name}`).join(", ")}`);

    const parsed = await step("header", () => parseCompactJws(token));
    result.header = parsed.header;
    ok("header", `alg ${parsed.header.alg}, kid ${parsed.header.kid ?? "(none)"}, typ ${parsed.header.typ ?? "(none)"}`);

    const claims = await step("payload", () => parseJsonObject(parsed.payload, "payload"));
    result.claims = claims;
    ok("payload", `a JSON object with claims: ${Object.keys(claims).join(", ") || "(none)"}`);

    const issuer = await findIssuer(claims, config, fail);
    result.issuer = issuer;
    ok("issuer", `${issuer.issuer} (issuers[${config.issuers.indexOf(issuer)}])`);

    if (!issuer.algorithms.includes(parsed.header.alg as Algorithm)) {
      fail("algorithm", "ERR_JWS_ALG_NOT_ALLOWED", `${parsed.header.alg} is not in this issuer's algorithms [${issuer.algorithms.join(", ")}]`);
    }
    ok("algorithm", `${parsed.header.alg} is in [${issuer.algorithms.join(", ")}]`);

    await step("token-type", () => checkTokenType(issuer, parsed.header.typ), () =>
      `typ ${parsed.header.typ ?? "(none)"} is not one of [${issuer.tokenTypes?.join(", ")}]`);
    ok("token-type", issuer.tokenTypes === undefined ? "any typ accepted (tokenTypes not set)" : `${parsed.header.typ} accepted`);

    const keys = await loadKeys(issuer, config, input.fetch, ok, fail);
    const key = await step("key", () => keys.select(parsed.header.alg as Algorithm, parsed.header.kid), (error) =>
      `${error.message}; usable kids: ${isKeySet(keys) ? keys.kids.join(", ") || "(none)" : "?"}`);
    ok("key", `kid ${key.kid ?? "(none)"} for ${key.alg}`);

    await step("signature", () => verifyJwsSignature(parsed as ParsedJws, keys, { algorithms: issuer.algorithms }));
    result.signatureVerified = true;
    ok("signature", `valid (${key.alg}, kid ${key.kid ?? "(none)"})`);

    const nowSeconds = input.nowMs / 1000;
    const context = { issuer, claims, nowSeconds };
    let verified: VerifiedToken;
    try {
      verified = validateClaims(claims, { issuer, kid: key.kid, alg: key.alg, nowSeconds });
    } catch (error) {
      if (!(error instanceof AuthorizerError)) throw error;
      const failed = claimStep(error, issuer);
      for (const d of describeClaimSteps(context)) {
        if (d.id === failed) fail(d.id, error.code, `${error.message}: ${d.detail}`);
        ok(d.id, d.detail);
      }
      fail("claim-types", error.code, error.message);
    }
    result.verified = verified;
    for (const d of describeClaimSteps(context)) ok(d.id, d.detail);

    if (match === undefined) fail("route-found", "ERR_ROUTE_NOT_FOUND", `no route matches ${request.method} ${request.path.split("?")[0]} and there is no $default`);
    const subject = { issuer: issuer.issuer, audiences: verified.audiences, scopes: verified.scopes, claims };
    const failed = checkRoutePolicy(match.route, subject, match.params);
    const described: StepDetail[] = describeRouteSteps(match.route, subject, match.params);
    for (const d of described) {
      if (failed !== undefined && d.id === routeStep(failed)) fail(d.id, failed, d.detail);
      ok(d.id, d.detail);
    }
    result.outcome = { allow: true, route: match.route.route, public: false };
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    result.outcome = { allow: false, code: error.code, ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }) };
  }
  return result;
}

type Fail = (id: StepId, code: ErrorCode, detail: string, retryAfterSeconds?: number) => never;

function findIssuer(claims: JwtClaims, config: AuthorizerConfig, fail: Fail): IssuerConfig {
  const iss = claims.iss;
  if (typeof iss !== "string") return fail("issuer", "ERR_JWT_CLAIM_INVALID", `the "iss" claim must be a string (it is ${JSON.stringify(iss) ?? "absent"})`);
  const issuer = config.issuers.find((i) => i.issuer === iss);
  if (issuer === undefined) {
    return fail("issuer", "ERR_JWT_ISSUER_UNKNOWN", `iss ${JSON.stringify(iss)} is not configured (configured: ${config.issuers.map((i) => i.issuer).join(", ")})`);
  }
  return issuer;
}

/**
 * The keys the authorizer would verify with on a cold start: the inline `jwks`, or one fetch of
 * `jwksUri` through the same `fetchJwks` (limits, validation) the JWKS source uses. A failed cold
 * fetch is the core's 503 "keys unavailable".
 */
async function loadKeys(
  issuer: IssuerConfig,
  config: AuthorizerConfig,
  fetch: FetchLike,
  ok: (id: StepId, detail: string) => void,
  fail: Fail,
): Promise<KeySet> {
  let keys: KeySet;
  let source: string;
  try {
    if (issuer.jwks !== undefined) {
      keys = await createKeySet(issuer.jwks, { algorithms: issuer.algorithms });
      source = "the inline jwks of the configuration";
    } else {
      const uri = issuer.jwksUri as string;
      const fetched = await fetchJwks({ url: uri, fetch, timeoutMs: config.jwks.timeoutMs, maxBytes: config.jwks.maxBytes, algorithms: issuer.algorithms });
      keys = fetched.keySet;
      source = uri;
    }
  } catch (error) {
    if (error instanceof JwksFetchError) {
      return fail("keys", "ERR_KEYS_UNAVAILABLE", `${error.message} (${error.reason ?? "failed"}): with nothing cached the authorizer answers 503`, config.jwks.cooldownSeconds);
    }
    if (error instanceof AuthorizerError) return fail("keys", error.code, error.message);
    throw error;
  }
  const skipped = isKeySet(keys) && keys.skipped.length > 0
    ? `; left out: ${keys.skipped.map((s) => `keys[${s.index}]${s.kid === undefined ? "" : ` (kid ${s.kid})`}: ${s.reason}`).join("; ")}`
    : "";
  ok("keys", `${keys.size} usable key${keys.size === 1 ? "" : "s"} from ${source}${isKeySet(keys) ? ` (kids: ${keys.kids.join(", ") || "none"})` : ""}${skipped}`);
  return keys;
}

function formatParams(params: Record<string, string>): string {
  const entries = Object.entries(params);
  return entries.length === 0 ? "" : `, ${entries.map(([k, v]) => `${k}=${v}`).join(", ")}`;
}
