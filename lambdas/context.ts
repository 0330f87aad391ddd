/**
 * The authorizer `context` API Gateway passes to the integration. API Gateway rejects anything but
 * strings, numbers and booleans, and the context is cached with the policy for every later route
 * the token calls, so it holds only what the token says, never anything about this request.
 */
import type { JwtClaims } from "../shared/index.js";

export type AuthorizerContext = Record<string, string | number | boolean>;

const STANDARD = ["sub", "iss", "scope", "client_id", "aud"] as const;

export function authorizerContext(claims: JwtClaims | undefined, extra: readonly string[]): AuthorizerContext {
  const context: AuthorizerContext = {};
  if (claims === undefined) return context;
  for (const name of STANDARD) {
    const value = scalar(name === "scope" && claims.scope === undefined ? claims.scp : claims[name]);
    if (value !== undefined) context[name] = value;
  }
  // Extra claims pass only as they are: joining a list (`["admin", "read only"]`) would lose where
  // one value ends, so lists, objects and null are left out.
  for (const name of extra) {
    const value = claims[name];
    if (typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value))) context[name] = value;
  }
  return context;
}

/** Arrays of scalars join with spaces (`aud`, `scp`); objects and nested arrays are left out. */
function scalar(value: unknown): string | number | boolean | undefined {
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (Array.isArray(value) && value.every((v) => typeof v === "string" || typeof v === "number" || typeof v === "boolean")) {
    return value.join(" ");
  }
  return undefined;
}

/** `sub` when the token has one; API Gateway requires a non-empty principal. */
export function principalId(claims: JwtClaims | undefined): string {
  const sub = claims?.sub;
  return typeof sub === "string" && sub !== "" ? sub : "anonymous";
}
