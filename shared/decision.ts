/**
 * Turns an error code into the answer of CONTRACT.md §2: status, OAuth error, a fixed
 * description (never the token or a claim value) and the RFC 6750 challenge.
 */
import type { ErrorCode } from "./errors.js";
import type { DenyDecision, DenyStatus } from "./types.js";

interface Answer {
  status: DenyStatus;
  error: string;
  description: string;
}

const INVALID_TOKEN = (description: string): Answer => ({ status: 401, error: "invalid_token", description });
const FORBIDDEN = (description: string): Answer => ({ status: 403, error: "insufficient_scope", description });

const ANSWERS: Record<ErrorCode, Answer> = {
  ERR_TOKEN_MISSING: { status: 401, error: "unauthorized", description: "a Bearer access token is required" },
  ERR_REQUEST_INVALID: { status: 400, error: "invalid_request", description: "the request must carry exactly one Bearer token" },
  ERR_PATH_INVALID: { status: 400, error: "invalid_request", description: "the request path is not in canonical form" },
  ERR_JWS_INVALID: INVALID_TOKEN("the access token is malformed"),
  ERR_JWS_ALG_NOT_ALLOWED: INVALID_TOKEN("the token's signing algorithm is not accepted"),
  ERR_JWS_UNSUPPORTED_HEADER: INVALID_TOKEN("the token uses an unsupported header parameter"),
  ERR_JWS_SIGNATURE_INVALID: INVALID_TOKEN("the token signature is invalid"),
  ERR_JWKS_NO_MATCHING_KEY: INVALID_TOKEN("no trusted key matches the token"),
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: INVALID_TOKEN("the token does not identify a single trusted key"),
  ERR_JWK_INVALID: INVALID_TOKEN("the key for this token is not acceptable"),
  ERR_JWKS_INVALID: INVALID_TOKEN("the issuer's key set is not acceptable"),
  ERR_JWT_CLAIM_INVALID: INVALID_TOKEN("a token claim has an invalid value"),
  ERR_JWT_CLAIM_MISSING: INVALID_TOKEN("a required token claim is missing"),
  ERR_JWT_EXPIRED: INVALID_TOKEN("the access token expired"),
  ERR_JWT_NOT_YET_VALID: INVALID_TOKEN("the access token is not valid yet"),
  ERR_JWT_ISSUED_IN_FUTURE: INVALID_TOKEN("the access token was issued in the future"),
  ERR_JWT_TOO_OLD: INVALID_TOKEN("the access token is too old"),
  ERR_JWT_ISSUER_UNKNOWN: INVALID_TOKEN("the token issuer is not trusted"),
  ERR_JWT_ISSUER_NOT_ALLOWED: INVALID_TOKEN("the token issuer is not accepted for this route"),
  ERR_JWT_AUDIENCE_MISMATCH: INVALID_TOKEN("the token is not intended for this API"),
  ERR_JWT_TYPE_MISMATCH: INVALID_TOKEN("the token type is not accepted"),
  ERR_ROUTE_NOT_FOUND: FORBIDDEN("no route allows this request"),
  ERR_SCOPE_INSUFFICIENT: FORBIDDEN("the token lacks a required scope"),
  ERR_CLAIM_MISMATCH: FORBIDDEN("the token is not authorized for this resource"),
  ERR_KEYS_UNAVAILABLE: { status: 503, error: "temporarily_unavailable", description: "the issuer's signing keys are unavailable" },
  ERR_JWKS_FETCH_FAILED: { status: 503, error: "temporarily_unavailable", description: "the issuer's signing keys are unavailable" },
  ERR_CONFIG_INVALID: { status: 500, error: "server_error", description: "the authorizer is misconfigured" },
  ERR_INTERNAL: { status: 500, error: "server_error", description: "the authorizer failed" },
};

/** RFC 7230 quoted-string: escape the two characters that would end or break it. */
function quoted(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export interface DenyContext {
  realm: string;
  /** Scopes to advertise on a 403 (RFC 6750 §3 `scope` attribute). */
  scopes?: readonly string[];
  retryAfterSeconds?: number;
}

export function denyDecision(code: ErrorCode, context: DenyContext): DenyDecision {
  const answer = ANSWERS[code] ?? ANSWERS.ERR_INTERNAL;
  let wwwAuthenticate: string | undefined;
  if (answer.status === 401 && code === "ERR_TOKEN_MISSING") {
    // RFC 6750 §3.1: a request without credentials gets a challenge with no error attribute.
    wwwAuthenticate = `Bearer realm=${quoted(context.realm)}`;
  } else if (answer.status === 400 || answer.status === 401 || answer.status === 403) {
    wwwAuthenticate =
      `Bearer realm=${quoted(context.realm)}, error=${quoted(answer.error)}, error_description=${quoted(answer.description)}` +
      (answer.status === 403 && context.scopes && context.scopes.length > 0 ? `, scope=${quoted(context.scopes.join(" "))}` : "");
  }
  const decision: DenyDecision = {
    allow: false,
    status: answer.status,
    error: answer.error,
    description: answer.description,
    code,
    wwwAuthenticate,
  };
  if (answer.status === 503) decision.retryAfterSeconds = context.retryAfterSeconds ?? 30;
  return decision;
}

/** The JSON body of a denial: only the OAuth error and the fixed description. */
export function errorResponseBody(decision: DenyDecision): string {
  return JSON.stringify({ error: decision.error, error_description: decision.description });
}
