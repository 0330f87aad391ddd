/**
 * What `explain` says about each claim check and each route requirement: the values the user's
 * token holds, next to what the configuration asks. The verdicts come from the core
 * (`validateClaims`, `checkRoutePolicy`); this module only maps a verdict to its step and words it.
 */
import type { AuthorizerError } from "../shared/errors.js";
import { requiredClaimValue, type RouteCheckCode, type RoutePolicySubject } from "../shared/route-policy.js";
import type { IssuerConfig, JwtClaims, RouteConfig } from "../shared/types.js";
import type { StepId } from "./explain-steps.js";

export interface StepDetail {
  id: StepId;
  detail: string;
}

interface ClaimContext {
  issuer: IssuerConfig;
  claims: JwtClaims;
  nowSeconds: number;
}

/**
 * The step a `validateClaims` failure belongs to. validateClaims checks types and presence first
 * (sub, exp, nbf, iat, aud, scope, scp), then `requiredClaims`, then the time window.
 */
export function claimStep(error: AuthorizerError, issuer: IssuerConfig): StepId {
  switch (error.code) {
    case "ERR_JWT_EXPIRED": return "exp";
    case "ERR_JWT_NOT_YET_VALID": return "nbf";
    case "ERR_JWT_ISSUED_IN_FUTURE": return "iat";
    case "ERR_JWT_TOO_OLD": return "max-age";
    case "ERR_JWT_CLAIM_MISSING": {
      const typeChecked = error.claim === "exp" || (error.claim === "iat" && issuer.maxTokenAgeSeconds !== undefined);
      return typeChecked ? "claim-types" : "required-claims";
    }
    default: return "claim-types";
  }
}

/** The claim steps in the order validateClaims runs them, each worded with the token's values. */
export function describeClaimSteps({ issuer, claims, nowSeconds }: ClaimContext): StepDetail[] {
  const leeway = issuer.clockToleranceSeconds;
  const { exp, nbf, iat } = claims;
  const present = ["sub", "exp", "nbf", "iat", "aud", "scope", "scp"].filter((n) => claims[n] !== undefined);
  const required = issuer.requiredClaims;
  const maxAge = issuer.maxTokenAgeSeconds;
  return [
    { id: "claim-types", detail: `checked ${present.join(", ") || "(none present)"}: exp required; exp/nbf/iat NumericDates; aud a string or strings; scope a string; sub a string` },
    {
      id: "required-claims",
      detail: required.length === 0 ? "none configured" : required.map((n) => `${n} ${claims[n] === undefined || claims[n] === null ? "missing" : "present"}`).join(", "),
    },
    { id: "exp", detail: `exp ${dateOf(exp)}, ${relative(exp, nowSeconds, "expires in", "expired")} (leeway ${leeway} s)` },
    { id: "nbf", detail: nbf === undefined ? "not set" : `nbf ${dateOf(nbf)}, ${relative(nbf, nowSeconds, "valid from", "valid since")} (leeway ${leeway} s)` },
    { id: "iat", detail: iat === undefined ? "not set" : `iat ${dateOf(iat)}, ${relative(iat, nowSeconds, "issued in the future by", "issued")}` },
    {
      id: "max-age",
      detail: maxAge === undefined ? "not configured" : `age ${typeof iat === "number" ? `${Math.round(nowSeconds - iat)} s` : "unknown"}, at most ${maxAge} s (+ leeway ${leeway} s)`,
    },
  ];
}

export function routeStep(code: RouteCheckCode): StepId {
  switch (code) {
    case "ERR_JWT_ISSUER_NOT_ALLOWED": return "route-issuer";
    case "ERR_JWT_AUDIENCE_MISMATCH": return "audience";
    case "ERR_SCOPE_INSUFFICIENT": return "scopes";
    case "ERR_CLAIM_MISMATCH": return "claim-bindings";
  }
}

/** The route requirements in the order checkRoutePolicy checks them. */
export function describeRouteSteps(route: RouteConfig, subject: RoutePolicySubject, params: Readonly<Record<string, string>>): StepDetail[] {
  const aud = subject.audiences.length === 0 ? "(no aud)" : subject.audiences.join(", ");
  const has = [...subject.scopes];
  const missing = route.scopes.filter((s) => !subject.scopes.has(s));
  const scopeParts: string[] = [];
  if (route.scopes.length > 0) scopeParts.push(`all of [${route.scopes.join(", ")}]${missing.length > 0 ? `, missing ${missing.join(", ")}` : ""}`);
  if (route.anyScopes.length > 0) scopeParts.push(`one of [${route.anyScopes.join(", ")}]`);
  const bindings = Object.entries(route.claims).map(([name, expected]) => {
    const required = requiredClaimValue(expected, params);
    return `${name}: token has ${JSON.stringify(subject.claims[name]) ?? "(absent)"}, route needs ${required === undefined ? "(unbound parameter)" : JSON.stringify(required)}`;
  });
  return [
    { id: "route-issuer", detail: route.issuers === undefined ? "any configured issuer" : `${subject.issuer} in [${route.issuers.join(", ")}]` },
    { id: "audience", detail: `token aud ${aud}; route accepts ${route.audience.join(", ")}` },
    { id: "scopes", detail: scopeParts.length === 0 ? "none required" : `needs ${scopeParts.join(" and ")}; token has ${has.join(" ") || "(none)"}` },
    { id: "claim-bindings", detail: bindings.length === 0 ? "none configured" : bindings.join("; ") },
  ];
}

function dateOf(value: unknown): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return JSON.stringify(value) ?? "(absent)";
  const date = new Date(value * 1000);
  return Number.isNaN(date.getTime()) ? String(value) : `${value} (${date.toISOString().replace(".000Z", "Z")})`;
}

function relative(value: unknown, nowSeconds: number, future: string, past: string): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return "not a date";
  const delta = value - nowSeconds;
  return delta >= 0 ? `${future} ${duration(delta)}` : `${past} ${duration(-delta)} ago`;
}

export function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}
