/**
 * Every failure the core reports is an `AuthorizerError` with a stable `code`. Messages describe
 * the problem in general terms and never contain the token, its signature or its claim values:
 * errors end up in logs.
 */

export type ErrorCode =
  // request shape
  | "ERR_TOKEN_MISSING"
  | "ERR_REQUEST_INVALID"
  | "ERR_PATH_INVALID"
  // JWS format and key selection
  | "ERR_JWS_INVALID"
  | "ERR_JWS_ALG_NOT_ALLOWED"
  | "ERR_JWS_UNSUPPORTED_HEADER"
  | "ERR_JWS_SIGNATURE_INVALID"
  | "ERR_JWKS_NO_MATCHING_KEY"
  | "ERR_JWKS_MULTIPLE_MATCHING_KEYS"
  | "ERR_JWK_INVALID"
  | "ERR_JWKS_INVALID"
  // claims
  | "ERR_JWT_CLAIM_INVALID"
  | "ERR_JWT_CLAIM_MISSING"
  | "ERR_JWT_EXPIRED"
  | "ERR_JWT_NOT_YET_VALID"
  | "ERR_JWT_ISSUED_IN_FUTURE"
  | "ERR_JWT_TOO_OLD"
  | "ERR_JWT_ISSUER_UNKNOWN"
  | "ERR_JWT_ISSUER_NOT_ALLOWED"
  | "ERR_JWT_AUDIENCE_MISMATCH"
  | "ERR_JWT_TYPE_MISMATCH"
  // route policy
  | "ERR_ROUTE_NOT_FOUND"
  | "ERR_SCOPE_INSUFFICIENT"
  | "ERR_CLAIM_MISMATCH"
  // operations
  | "ERR_KEYS_UNAVAILABLE"
  | "ERR_JWKS_FETCH_FAILED"
  | "ERR_CONFIG_INVALID"
  | "ERR_INTERNAL";

export class AuthorizerError extends Error {
  readonly code: ErrorCode;
  /** The claim or header member the failure is about, where there is one (a name, never a value). */
  readonly claim: string | undefined;

  constructor(code: ErrorCode, message: string, options: { claim?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AuthorizerError";
    this.code = code;
    this.claim = options.claim;
  }
}

/** Why a JWKS fetch failed, for logs and metrics. */
export type JwksFetchFailureReason =
  | "network"
  | "timeout"
  | "redirect"
  | "status"
  | "too_large"
  | "not_json"
  | "invalid_jwks"
  | "no_usable_keys";

/** A JWKS fetch or parse failure; the message names the URL and the reason, never key material. */
export class JwksFetchError extends AuthorizerError {
  readonly reason: JwksFetchFailureReason | undefined;
  /** The HTTP status when a response arrived. */
  readonly status: number | undefined;

  constructor(
    message: string,
    options: { cause?: unknown; reason?: JwksFetchFailureReason; status?: number } = {},
  ) {
    super("ERR_JWKS_FETCH_FAILED", message, options);
    this.name = "JwksFetchError";
    this.reason = options.reason;
    this.status = options.status;
  }
}

/**
 * No usable keys for an issuer (JWKS unreachable and nothing cached, or the cache is past
 * `maxStaleSeconds`): the authorizer answers 503 with `Retry-After: retryAfterSeconds`.
 */
export class KeysUnavailableError extends AuthorizerError {
  readonly retryAfterSeconds: number;

  constructor(message: string, options: { retryAfterSeconds: number; cause?: unknown }) {
    super("ERR_KEYS_UNAVAILABLE", message, { cause: options.cause });
    this.name = "KeysUnavailableError";
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export interface ConfigProblem {
  /** JSON path of the offending field, such as `routes[2].audience`. */
  path: string;
  message: string;
}

/** Thrown by `parseConfig` with every problem found, so one run shows them all. */
export class ConfigError extends AuthorizerError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(
      "ERR_CONFIG_INVALID",
      `invalid authorizer configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  ${p.path}: ${p.message}`).join("\n"),
    );
    this.name = "ConfigError";
    this.problems = problems;
  }
}

export function isAuthorizerError(value: unknown): value is AuthorizerError {
  return value instanceof AuthorizerError;
}
