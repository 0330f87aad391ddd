/**
 * Token hygiene: properties of a *valid* token that make it riskier than it needs to be (RFC 8725,
 * RFC 9068 advice). Nothing here decides; `explain` shows the findings with claim names, and the
 * authorizer counts them by kind in its decision log (names of kinds only, never claim values).
 *
 * Pure and cheap (one pass over the claim names, no allocation for a clean token), because the
 * authorizer runs it once per first-seen token.
 */
import type { JwtClaims } from "./types.js";

export type HygieneKind = "long_lived" | "large" | "personal_data" | "secret_claim" | "no_jti" | "hmac";

/** Every kind, in the order findings are reported (also the order of the log value). */
export const HYGIENE_KINDS: readonly HygieneKind[] = ["long_lived", "large", "personal_data", "secret_claim", "no_jti", "hmac"];

/** Tokens that live longer than this (`exp - iat`) are worth shortening: a leak lasts that long. */
export const LONG_LIVED_SECONDS = 3600;
/** Over 1 KB encoded, a token costs on every request and often carries more than access needs. */
export const LARGE_TOKEN_BYTES = 1024;

/** OpenID Connect profile claims that identify a person (OIDC Core §5.1). */
const PERSONAL_CLAIMS: ReadonlySet<string> = new Set([
  "email", "phone_number", "name", "given_name", "family_name", "middle_name", "nickname",
  "address", "birthdate",
]);
const SECRET_LIKE = /pass(word)?|secret|ssn|credit/i;

export interface HygieneInput {
  /** The verified token's algorithm (`alg`). */
  alg: string;
  claims: JwtClaims;
  /** Length of the compact token in characters (= bytes: base64url is ASCII). */
  encodedLength: number;
}

export interface HygieneFinding {
  kind: HygieneKind;
  /** Claim names involved (never values), for personal_data and secret_claim. */
  claims?: string[];
  /** A token-free, value-free explanation with the remedy. */
  message: string;
}

interface Detected {
  lifetimeSeconds: number | undefined;
  personal: string[] | undefined;
  secret: string[] | undefined;
}

function detect(input: HygieneInput): Detected {
  const { exp, iat } = input.claims;
  let personal: string[] | undefined;
  let secret: string[] | undefined;
  for (const name in input.claims) {
    if (PERSONAL_CLAIMS.has(name)) (personal ??= []).push(name);
    else if (SECRET_LIKE.test(name)) (secret ??= []).push(name);
  }
  const lifetime = typeof exp === "number" && typeof iat === "number" ? exp - iat : undefined;
  return { lifetimeSeconds: lifetime !== undefined && lifetime > LONG_LIVED_SECONDS ? lifetime : undefined, personal, secret };
}

/** The findings, in HYGIENE_KINDS order; empty for a clean token. */
export function tokenHygiene(input: HygieneInput): HygieneFinding[] {
  const found = detect(input);
  const findings: HygieneFinding[] = [];
  if (found.lifetimeSeconds !== undefined) {
    findings.push({
      kind: "long_lived",
      message: `lives ${Math.round(found.lifetimeSeconds)} s (exp - iat), over ${LONG_LIVED_SECONDS} s: a leaked token stays usable that long; issue shorter tokens and refresh them`,
    });
  }
  if (input.encodedLength > LARGE_TOKEN_BYTES) {
    findings.push({
      kind: "large",
      message: `is ${input.encodedLength} bytes encoded, over ${LARGE_TOKEN_BYTES}: it travels with every request; keep access tokens to what access control needs`,
    });
  }
  if (found.personal !== undefined) {
    findings.push({
      kind: "personal_data",
      claims: found.personal,
      message: `carries personal data (${found.personal.join(", ")}): a JWS is signed, not encrypted, and anyone holding it can read them; use the userinfo endpoint instead`,
    });
  }
  if (found.secret !== undefined) {
    findings.push({
      kind: "secret_claim",
      claims: found.secret,
      message: `has claims named like secrets (${found.secret.join(", ")}): a JWS is readable by anyone holding it; never put secrets in a token`,
    });
  }
  if (input.claims.jti === undefined) {
    findings.push({ kind: "no_jti", message: "has no jti: it cannot be told apart from others in logs or revoked individually (RFC 9068 §2.2)" });
  }
  if (input.alg.startsWith("HS")) {
    findings.push({
      kind: "hmac",
      message: `is signed with ${input.alg} (a shared secret): every verifier can also mint tokens; asymmetric keys (ES256, EdDSA, RS256) would serve without that risk`,
    });
  }
  return findings;
}

/**
 * The kinds as one log value (`"long_lived,no_jti"`), or undefined for a clean token. The request
 * path uses this one: no messages are built.
 */
export function hygieneKinds(input: HygieneInput): string | undefined {
  const found = detect(input);
  let kinds = "";
  const add = (kind: HygieneKind): void => {
    kinds = kinds === "" ? kind : `${kinds},${kind}`;
  };
  if (found.lifetimeSeconds !== undefined) add("long_lived");
  if (input.encodedLength > LARGE_TOKEN_BYTES) add("large");
  if (found.personal !== undefined) add("personal_data");
  if (found.secret !== undefined) add("secret_claim");
  if (input.claims.jti === undefined) add("no_jti");
  if (input.alg.startsWith("HS")) add("hmac");
  return kinds === "" ? undefined : kinds;
}
