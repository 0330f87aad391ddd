/**
 * The decision pipeline: path -> route -> token -> issuer -> key -> signature -> claims -> route
 * policy -> decision. Everything that can be prepared is prepared once in `createAuthorizer`
 * (issuer lookup, compiled routes, key sources); `authorize` does only per-request work.
 */
import { audienceList, checkTokenTimes, checkTokenType, scopeSet, validateClaims, type VerifiedToken } from "./claims.js";
import { denyDecision } from "./decision.js";
import { AuthorizerError, type ErrorCode } from "./errors.js";
import { createJwksSource } from "./jwks-source.js";
import { parseCompactJws, verifyJwsSignature } from "./jws-verify.js";
import { createMemoryKeyStore } from "./memory-key-store.js";
import { checkRoutePolicy, type RouteCheckCode } from "./route-policy.js";
import { compileRoutes, type RouteTable } from "./routes.js";
import { normalizeRequestPath } from "./request-path.js";
import { parseJsonObject } from "./strict-json.js";
import { extractToken } from "./token-extraction.js";
import { headerValues } from "./headers.js";
import { hygieneKinds } from "./token-hygiene.js";
import type {
  Algorithm,
  AuthorizeOptions,
  AuthorizeRequest,
  AuthorizerConfig,
  Decision,
  FetchLike,
  IssuerConfig,
  JwtClaims,
  KeySet,
  KeyStore,
  LogEntry,
  Logger,
  RouteConfig,
} from "./types.js";
import { VerifiedTokenCache, type CachedToken } from "./verified-token-cache.js";

export interface AuthorizerOptions {
  fetch?: FetchLike;
  /** Milliseconds since the epoch, like `Date.now`. */
  now?: () => number;
  keyStore?: KeyStore;
  log?: Logger;
  /**
   * One JWKS fetch in flight per issuer, shared by every waiting request (default). workerd
   * forbids awaiting I/O started by another request, so the Worker turns this off.
   */
  shareInflightFetches?: boolean;
  /** Called with every decision log entry after it is written (metrics hang off this). */
  onDecision?: (entry: LogEntry) => void;
  /** Called with every JWKS event (fetch, failure, stale served, unknown-kid refetch). */
  onJwksEvent?: (entry: LogEntry) => void;
}

export interface Authorizer {
  readonly config: AuthorizerConfig;
  readonly routes: RouteTable;
  authorize(request: AuthorizeRequest, options?: AuthorizeOptions): Promise<Decision>;
  /** The route policy for an already verified token: undefined when satisfied, else the code. */
  checkRoute(route: RouteConfig, claims: JwtClaims, issuer: string, params: Readonly<Record<string, string>>): RouteCheckCode | undefined;
}

export const defaultLogger: Logger = (level, entry) => {
  const line = JSON.stringify({ level, ...entry });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
};

const ROUTE_CODES_401: ReadonlySet<ErrorCode> = new Set(["ERR_JWT_ISSUER_NOT_ALLOWED", "ERR_JWT_AUDIENCE_MISMATCH"]);

export function createAuthorizer(config: AuthorizerConfig, options: AuthorizerOptions = {}): Authorizer {
  const now = options.now ?? Date.now;
  const log = options.log ?? defaultLogger;
  const onDecision = options.onDecision;
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const routes = compileRoutes(config.routes);
  const issuersByName = new Map<string, IssuerConfig>(config.issuers.map((i) => [i.issuer, i]));
  const jwks = createJwksSource({
    issuers: config.issuers,
    settings: config.jwks,
    fetch: fetchImpl,
    now,
    keyStore: options.keyStore ?? createMemoryKeyStore(),
    log,
    shareInflightFetches: options.shareInflightFetches ?? true,
    onEvent: options.onJwksEvent,
  });
  const cache = new VerifiedTokenCache(config.verifiedTokenCacheSize);

  /** A hit is only as good as its key: the current key set must still pick that very key. */
  function sameKey(keys: KeySet, entry: CachedToken): boolean {
    return keys.keyFor(entry.alg, entry.headerKid)?.thumbprint === entry.thumbprint;
  }

  async function verifyToken(token: string, waitUntil: AuthorizeOptions["waitUntil"], trace: LogEntry): Promise<VerifiedToken> {
    const entry = cache.get(token);
    if (entry !== undefined) {
      const { verified } = entry;
      // A copy due for refresh goes the way a first-seen token's does (stale-while-revalidate,
      // single flight, cooldown): otherwise cached traffic alone would never notice a removed key.
      const keys = jwks.freshKeySet(verified.issuer) ?? (await jwks.getKeySet(verified.issuer, { kid: entry.headerKid, waitUntil }));
      if (sameKey(keys, entry)) {
        checkTokenTimes(verified, now() / 1000);
        return verified;
      }
      cache.delete(token);
    }
    const parsed = parseCompactJws(token);
    const claims = parseJsonObject(parsed.payload, "payload");
    const iss = claims.iss;
    if (typeof iss !== "string") {
      throw new AuthorizerError("ERR_JWT_CLAIM_INVALID", 'the "iss" claim must be a string', { claim: "iss" });
    }
    const issuer = issuersByName.get(iss);
    if (issuer === undefined) throw new AuthorizerError("ERR_JWT_ISSUER_UNKNOWN", "the token issuer is not configured", { claim: "iss" });
    // Refuse a disallowed algorithm before any key work, so such tokens cannot trigger fetches.
    if (!issuer.algorithms.includes(parsed.header.alg as Algorithm)) {
      throw new AuthorizerError("ERR_JWS_ALG_NOT_ALLOWED", "the token's signing algorithm is not accepted");
    }
    checkTokenType(issuer, parsed.header.typ);
    const keys = await jwks.getKeySet(issuer, { kid: parsed.header.kid, waitUntil });
    const key = await verifyJwsSignature(parsed, keys, { algorithms: issuer.algorithms });
    const verified = validateClaims(claims, { issuer, kid: key.kid, alg: key.alg, nowSeconds: now() / 1000 });
    // First-seen tokens only, so each distinct token is counted once per instance (kinds, no values).
    const hygiene = hygieneKinds({ alg: key.alg, claims, encodedLength: token.length });
    if (hygiene !== undefined) trace.hygiene = hygiene;
    cache.set(token, { verified, alg: key.alg, headerKid: parsed.header.kid, thumbprint: key.thumbprint });
    return verified;
  }

  function deny(code: ErrorCode, extra: { route?: RouteConfig; verified?: VerifiedToken; retryAfterSeconds?: number }): Decision {
    const status403 = code === "ERR_SCOPE_INSUFFICIENT" || code === "ERR_CLAIM_MISMATCH" || code === "ERR_ROUTE_NOT_FOUND";
    const decision = denyDecision(code, {
      realm: config.realm,
      scopes: code === "ERR_SCOPE_INSUFFICIENT" ? extra.route?.scopes : undefined,
      retryAfterSeconds: extra.retryAfterSeconds,
    });
    if (extra.route) decision.route = extra.route.route;
    if (status403 && extra.verified) {
      decision.claims = extra.verified.claims;
      decision.issuer = extra.verified.issuer.issuer;
    }
    return decision;
  }

  async function decide(request: AuthorizeRequest, options: AuthorizeOptions, trace: LogEntry): Promise<Decision> {
    const { segments, query } = normalizeRequestPath(request.path);
    const match = routes.match(request.method, segments);
    // Recorded before any token work, so that a 400 or 401 says which route it refused too.
    if (match !== undefined) trace.route = match.route.route;
    refuseMethodOverride(request);
    if (match?.route.public) {
      return { allow: true, route: match.route.route, public: true, claims: {}, issuer: undefined, params: match.params };
    }
    const token = extractToken({ headers: request.headers, query }, config.tokenSources);
    // The token is verified even when no route matches, so that an anonymous caller cannot map
    // the route table: no credentials is 401 everywhere, a valid token on no route is 403.
    const verified = await verifyToken(token, options.waitUntil, trace);
    trace.issuer = verified.issuer.issuer;
    trace.kid = verified.kid;
    trace.sub = verified.sub;
    if (match === undefined) return deny("ERR_ROUTE_NOT_FOUND", { verified });
    const failed = checkRoutePolicy(
      match.route,
      { issuer: verified.issuer.issuer, audiences: verified.audiences, scopes: verified.scopes, claims: verified.claims },
      match.params,
    );
    if (failed !== undefined) return deny(failed, { route: match.route, verified: ROUTE_CODES_401.has(failed) ? undefined : verified });
    return {
      allow: true,
      route: match.route.route,
      public: false,
      claims: verified.claims,
      issuer: verified.issuer.issuer,
      params: match.params,
    };
  }

  async function authorize(request: AuthorizeRequest, options: AuthorizeOptions = {}): Promise<Decision> {
    const started = performance.now();
    const trace: LogEntry = { event: "decision", method: request.method };
    let decision: Decision;
    try {
      decision = await decide(request, options, trace);
    } catch (error) {
      if (error instanceof AuthorizerError) {
        const retryAfterSeconds = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
        decision = deny(error.code, { retryAfterSeconds: typeof retryAfterSeconds === "number" ? retryAfterSeconds : undefined });
        if (error.claim !== undefined) trace.claim = error.claim;
      } else {
        // Never "allow" on a bug; log the failure's kind, not its message (it could quote input).
        decision = deny("ERR_INTERNAL", {});
        trace.failure = error instanceof Error ? error.name : typeof error;
      }
      if (typeof trace.route === "string") decision.route = trace.route;
    }
    trace.decision = decision.allow ? "allow" : "deny";
    trace.status = decision.allow ? 200 : decision.status;
    trace.code = decision.allow ? undefined : decision.code;
    trace.latencyMs = Math.round((performance.now() - started) * 1000) / 1000;
    log(decision.allow || decision.status < 500 ? "info" : "error", trace);
    onDecision?.(trace);
    return decision;
  }

  return {
    config,
    routes,
    authorize,
    checkRoute(route, claims, issuer, params) {
      if (!issuersByName.has(issuer)) return "ERR_JWT_ISSUER_NOT_ALLOWED";
      return checkRoutePolicy(route, { issuer, audiences: audienceList(claims), scopes: scopeSet(claims), claims }, params);
    },
  };
}

// Origins behind many frameworks (Express method-override, ASP.NET, Google APIs) serve a request
// as the method these headers name: routed as GET here, it would run as DELETE there. Like the
// path rule, a method the origin may read differently is refused (400) rather than guessed.
const METHOD_OVERRIDE_HEADERS = ["x-http-method-override", "x-http-method", "x-method-override"];

function refuseMethodOverride(request: AuthorizeRequest): void {
  const method = request.method.toUpperCase();
  for (const name of METHOD_OVERRIDE_HEADERS) {
    for (const value of headerValues(request.headers, name)) {
      if (value.trim().toUpperCase() !== method) {
        throw new AuthorizerError("ERR_REQUEST_INVALID", "a method-override header names another method");
      }
    }
  }
}
