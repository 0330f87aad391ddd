/**
 * Token-level claim checks (RFC 7519, RFC 9068), run after the signature is verified: the
 * registered claims' types, the time window, the issuer's own requirements. Route-level checks
 * (audience, scopes, claim bindings) live in route-policy.ts because they differ per request.
 */
import { AuthorizerError } from "./errors.js";
import type { IssuerConfig, JwtClaims } from "./types.js";

/** What the authorizer keeps of a verified token, derived once and reused on every cache hit. */
export interface VerifiedToken {
  claims: JwtClaims;
  issuer: IssuerConfig;
  kid: string | undefined;
  alg: string;
  exp: number;
  nbf: number | undefined;
  iat: number | undefined;
  audiences: readonly string[];
  scopes: ReadonlySet<string>;
  sub: string | undefined;
}

// NumericDate (RFC 7519 §2): seconds, fractions allowed. Values outside the safe-integer range
// (1e308, negative) are not dates any system issues; refusing them keeps the arithmetic exact.
function numericDate(claims: JwtClaims, name: string, required: boolean): number | undefined {
  const value = claims[name];
  if (value === undefined) {
    if (required) throw new AuthorizerError("ERR_JWT_CLAIM_MISSING", `the "${name}" claim is required`, { claim: name });
    return undefined;
  }
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > Number.MAX_SAFE_INTEGER) {
    throw new AuthorizerError("ERR_JWT_CLAIM_INVALID", `the "${name}" claim must be a NumericDate`, { claim: name });
  }
  return value;
}

export function audienceList(claims: JwtClaims): readonly string[] {
  const aud = claims.aud;
  if (aud === undefined) return [];
  if (typeof aud === "string") return [aud];
  if (Array.isArray(aud) && aud.every((a) => typeof a === "string")) return aud as string[];
  throw new AuthorizerError("ERR_JWT_CLAIM_INVALID", 'the "aud" claim must be a string or an array of strings', { claim: "aud" });
}

function spaceDelimited(value: string): string[] {
  return value.split(" ").filter((s) => s.length > 0);
}

/** Scopes from `scope` (RFC 8693/9068 space-delimited string) and `scp` (array or string). */
export function scopeSet(claims: JwtClaims): ReadonlySet<string> {
  const scopes = new Set<string>();
  const { scope, scp } = claims;
  if (scope !== undefined) {
    if (typeof scope !== "string") {
      throw new AuthorizerError("ERR_JWT_CLAIM_INVALID", 'the "scope" claim must be a space-delimited string', { claim: "scope" });
    }
    for (const s of spaceDelimited(scope)) scopes.add(s);
  }
  if (scp !== undefined) {
    if (typeof scp === "string") {
      for (const s of spaceDelimited(scp)) scopes.add(s);
    } else if (Array.isArray(scp) && scp.every((s) => typeof s === "string")) {
      for (const s of scp as string[]) scopes.add(s);
    } else {
      throw new AuthorizerError("ERR_JWT_CLAIM_INVALID", 'the "scp" claim must be a string or an array of strings', { claim: "scp" });
    }
  }
  return scopes;
}

/** `at+jwt` and `application/at+jwt` are the same media type (RFC 7515 §4.1.9). */
export function normalizeTokenType(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith("application/") ? lower.slice("application/".length) : lower;
}

export function checkTokenType(issuer: IssuerConfig, typ: unknown): void {
  if (issuer.tokenTypes === undefined) return;
  if (typeof typ !== "string" || !issuer.tokenTypes.includes(normalizeTokenType(typ))) {
    throw new AuthorizerError("ERR_JWT_TYPE_MISMATCH", "the token type (typ) is not accepted", { claim: "typ" });
  }
}

/**
 * The time window, checked on the first verification and again on every cache hit: a cached
 * token must stop working the second it expires.
 */
export function checkTokenTimes(token: Pick<VerifiedToken, "exp" | "nbf" | "iat" | "issuer">, nowSeconds: number): void {
  const leeway = token.issuer.clockToleranceSeconds;
  if (nowSeconds - leeway >= token.exp) {
    throw new AuthorizerError("ERR_JWT_EXPIRED", "the access token expired", { claim: "exp" });
  }
  if (token.nbf !== undefined && nowSeconds + leeway < token.nbf) {
    throw new AuthorizerError("ERR_JWT_NOT_YET_VALID", "the access token is not valid yet", { claim: "nbf" });
  }
  if (token.iat !== undefined && nowSeconds + leeway < token.iat) {
    throw new AuthorizerError("ERR_JWT_ISSUED_IN_FUTURE", "the access token was issued in the future", { claim: "iat" });
  }
  const maxAge = token.issuer.maxTokenAgeSeconds;
  if (maxAge !== undefined && token.iat !== undefined && nowSeconds - leeway - token.iat > maxAge) {
    throw new AuthorizerError("ERR_JWT_TOO_OLD", "the access token is older than the issuer allows", { claim: "iat" });
  }
}

/** Validates the claims of a token whose signature was verified, and derives what route checks need. */
export function validateClaims(
  claims: JwtClaims,
  context: { issuer: IssuerConfig; kid: string | undefined; alg: string; nowSeconds: number },
): VerifiedToken {
  const { issuer } = context;
  if (claims.iss !== issuer.issuer) {
    // The issuer was chosen by this very claim; a mismatch here would be a bug, so fail closed.
    throw new AuthorizerError("ERR_JWT_ISSUER_UNKNOWN", "the token issuer is not configured", { claim: "iss" });
  }
  const sub = claims.sub;
  if (sub !== undefined && typeof sub !== "string") {
    throw new AuthorizerError("ERR_JWT_CLAIM_INVALID", 'the "sub" claim must be a string', { claim: "sub" });
  }
  const token: VerifiedToken = {
    claims,
    issuer,
    kid: context.kid,
    alg: context.alg,
    exp: numericDate(claims, "exp", true) as number,
    nbf: numericDate(claims, "nbf", false),
    iat: numericDate(claims, "iat", issuer.maxTokenAgeSeconds !== undefined),
    audiences: audienceList(claims),
    scopes: scopeSet(claims),
    sub,
  };
  for (const name of issuer.requiredClaims) {
    if (claims[name] === undefined || claims[name] === null) {
      throw new AuthorizerError("ERR_JWT_CLAIM_MISSING", `the "${name}" claim is required`, { claim: name });
    }
  }
  checkTokenTimes(token, context.nowSeconds);
  return token;
}
