/** The verification core's public surface (CONTRACT.md §5). Runtime-free: WebCrypto, fetch, URL. */
export { parseConfig, configWarnings } from "./config.js";
export { createAuthorizer, defaultLogger, type Authorizer, type AuthorizerOptions } from "./authorizer.js";
export { verifyCompactJws } from "./jws-verify.js";
export { createKeySet } from "./key-set.js";
export { createMemoryKeyStore } from "./memory-key-store.js";
export { errorResponseBody } from "./decision.js";
export { AuthorizerError, ConfigError, JwksFetchError, isAuthorizerError, type ErrorCode, type ConfigProblem } from "./errors.js";
export { boundClaims, checkRoutePolicy, templateParam, type RouteCheckCode } from "./route-policy.js";
export type { RouteTable, CompiledRoute } from "./routes.js";
export type * from "./types.js";
