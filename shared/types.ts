/**
 * The core's public types: the validated configuration, the request the adapters hand in, the
 * decision they get back, and the pluggable key store. Runtime-free on purpose.
 */
import type { ErrorCode } from "./errors.js";

export const ASYMMETRIC_ALGORITHMS = [
  "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
] as const;
export const HMAC_ALGORITHMS = ["HS256", "HS384", "HS512"] as const;
export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];
export type HmacAlgorithm = (typeof HMAC_ALGORITHMS)[number];
export type Algorithm = AsymmetricAlgorithm | HmacAlgorithm;

/** A JSON Web Key as found in a JWKS document (members we read; others are kept but ignored). */
export interface Jwk {
  kty?: unknown;
  kid?: unknown;
  use?: unknown;
  key_ops?: unknown;
  alg?: unknown;
  [member: string]: unknown;
}

export interface JwkSet {
  keys: Jwk[];
}

export interface IssuerConfig {
  /** Compared exactly (code point for code point) with the token's `iss`. */
  issuer: string;
  /** Where the issuer publishes its keys; exclusive with `jwks`. */
  jwksUri?: string;
  /** Static keys instead of `jwksUri` (public keys, or `oct` secrets for HS*). */
  jwks?: JwkSet;
  algorithms: Algorithm[];
  /** Accepted `typ` values, lower-cased and without an `application/` prefix; absent: any. */
  tokenTypes?: string[];
  clockToleranceSeconds: number;
  maxTokenAgeSeconds?: number;
  requiredClaims: string[];
}

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS";
export type RouteMethod = HttpMethod | "ANY";

export interface RouteConfig {
  /** The route key as written: `GET /orders/{id}` or `$default`. */
  route: string;
  public: boolean;
  /** Accepted audiences (at least one must be in `aud`); empty only on public routes. */
  audience: string[];
  /** All required. */
  scopes: string[];
  /** At least one required (when non-empty). */
  anyScopes: string[];
  /** Claim name -> required value; a value of `{param}` takes that path parameter. */
  claims: Record<string, string>;
  /** Issuers (by `issuer` string) this route accepts; absent: all configured issuers. */
  issuers?: string[];
}

export interface JwksSettings {
  cacheMaxAgeSeconds: number;
  cooldownSeconds: number;
  timeoutMs: number;
  maxStaleSeconds: number;
  maxBytes: number;
}

export type TokenSource =
  | { kind: "header"; name: string }
  | { kind: "cookie"; name: string }
  | { kind: "query"; name: string };

export interface ForwardSettings {
  headerPrefix: string;
  /** Claim name -> header name. */
  claimHeaders: Record<string, string>;
  keepAuthorization: boolean;
}

export interface AuthorizerConfig {
  issuers: IssuerConfig[];
  routes: RouteConfig[];
  jwks: JwksSettings;
  tokenSources: TokenSource[];
  forward: ForwardSettings;
  /** `realm` of the `WWW-Authenticate` challenge. */
  realm: string;
  /** Upper bound on entries in the verified-token cache; 0 disables it. */
  verifiedTokenCacheSize: number;
}

/** Claims of a verified token, as decoded from its payload. */
export type JwtClaims = Record<string, unknown>;

export type HeadersInput = Headers | Record<string, string | readonly string[] | undefined | null>;

export interface AuthorizeRequest {
  method: string;
  /** The request path, optionally with `?query` (query token sources read it). */
  path: string;
  headers: HeadersInput;
}

export interface AuthorizeOptions {
  /**
   * Where background work (a stale JWKS refresh) can be registered so that it outlives the
   * response (the Worker's `ctx.waitUntil`). Without it a stale JWKS is refreshed inline.
   */
  waitUntil?: (work: Promise<unknown>) => void;
}

export interface AllowDecision {
  allow: true;
  /** The configured route key that matched. */
  route: string;
  public: boolean;
  /** Verified claims; empty for a public route. */
  claims: JwtClaims;
  /** The issuer that signed the token; undefined on a public route. */
  issuer: string | undefined;
  /** Path parameters bound by the route. */
  params: Record<string, string>;
}

export type DenyStatus = 400 | 401 | 403 | 500 | 503;

export interface DenyDecision {
  allow: false;
  status: DenyStatus;
  /** The OAuth error for the body (`invalid_token`, `insufficient_scope`, ...). */
  error: string;
  /** A short, token-free explanation for the body. */
  description: string;
  /** The stable internal reason, such as `ERR_JWT_EXPIRED`. */
  code: ErrorCode;
  /** The whole `WWW-Authenticate` value for 400/401/403; undefined for 500/503. */
  wwwAuthenticate: string | undefined;
  /** Seconds for `Retry-After` on 503. */
  retryAfterSeconds?: number;
  /** The matched route, where one matched. */
  route?: string;
  /**
   * Verified claims on a 403 (the token was valid; the route was not satisfied), so that an IAM
   * answer can still list the routes this token may call. Never put these in a response body.
   */
  claims?: JwtClaims;
  issuer?: string;
}

export type Decision = AllowDecision | DenyDecision;

/** A JWKS document as cached: the raw document and when it was fetched (ms since the epoch). */
export interface StoredJwks {
  jwks: unknown;
  fetchedAt: number;
}

/**
 * The second-level JWKS cache (the first is the authorizer's own memory). Keyed by `jwksUri`.
 * The Worker puts Workers KV behind it so that new isolates start warm.
 */
export interface KeyStore {
  get(jwksUri: string): Promise<StoredJwks | undefined> | StoredJwks | undefined;
  put(jwksUri: string, value: StoredJwks): Promise<void> | void;
}

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** One line per decision and per JWKS event, as an object; the default logger prints JSON. */
export type LogEntry = Record<string, string | number | boolean | null | undefined>;
export type Logger = (level: "info" | "warn" | "error", entry: LogEntry) => void;

/** A verification key, imported once into WebCrypto for exactly one algorithm. */
export interface VerificationKey {
  kid: string | undefined;
  alg: Algorithm;
  /** RFC 7638 thumbprint of the key material: the same key has the same one across JWKS loads. */
  thumbprint: string;
  cryptoKey: CryptoKey;
}

/**
 * A trusted, validated, pre-imported set of keys built from one JWKS document (see key-set.ts).
 * Unusable keys (weak, wrong `use`, wrong type) are left out of it when it is built.
 */
export interface KeySet {
  readonly size: number;
  hasKid(kid: string): boolean;
  /** The key `select` would return, or undefined where it would throw (none, or ambiguous). */
  keyFor(alg: Algorithm, kid: string | undefined): VerificationKey | undefined;
  /** The one key for this algorithm and `kid`; throws ERR_JWKS_NO_MATCHING_KEY or ERR_JWKS_MULTIPLE_MATCHING_KEYS. */
  select(alg: Algorithm, kid: string | undefined): VerificationKey;
}
