/**
 * Validation of `issuers[]`: where keys come from and which algorithms they may verify. The rules
 * follow RFC 8725: the algorithms come from here, never from a token; `none` never; HMAC secrets
 * and public keys never serve the same issuer (the classic RS256 -> HS256 key confusion).
 */
import { normalizeTokenType } from "./claims.js";
import { assessJwk, duplicatedKids } from "./jwk-policy.js";
import {
  checkKnownFields, field, isObject, item, Problems, quote, readInteger, readNonEmptyString, readObject,
  readStringList, type JsonObject,
} from "./config-reader.js";
import { ASYMMETRIC_ALGORITHMS, HMAC_ALGORITHMS, type Algorithm, type IssuerConfig, type Jwk, type JwkSet } from "./types.js";

const ISSUER_FIELDS = [
  "issuer", "jwksUri", "jwks", "algorithms", "tokenTypes", "clockToleranceSeconds", "maxTokenAgeSeconds", "requiredClaims",
] as const;

const KNOWN_ALGORITHMS: readonly string[] = [...ASYMMETRIC_ALGORITHMS, ...HMAC_ALGORITHMS];
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth"];

export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;

export function readIssuers(value: unknown, problems: Problems): IssuerConfig[] {
  if (value === undefined) {
    problems.add("issuers", "required: at least one issuer");
    return [];
  }
  if (!Array.isArray(value) || value.length === 0) {
    problems.add("issuers", "must be a non-empty list of issuers");
    return [];
  }
  const out: IssuerConfig[] = [];
  const seen = new Map<string, number>();
  value.forEach((entry, i) => {
    const path = item("issuers", i);
    const issuer = readIssuer(entry, path, problems);
    if (issuer === undefined || issuer.issuer === "") return;
    const first = seen.get(issuer.issuer);
    if (first !== undefined) problems.add(field(path, "issuer"), `duplicate of issuers[${first}].issuer`);
    else seen.set(issuer.issuer, i);
    out.push(issuer);
  });
  return out;
}

function readIssuer(value: unknown, path: string, problems: Problems): IssuerConfig | undefined {
  const obj = readObject(value, path, problems);
  if (obj === undefined) return undefined;
  checkKnownFields(obj, ISSUER_FIELDS, path, problems);
  const issuer = readNonEmptyString(obj.issuer, field(path, "issuer"), problems);
  const algorithms = readAlgorithms(obj.algorithms, field(path, "algorithms"), problems);
  const hmac = algorithms.filter((a) => a.startsWith("HS"));
  if (hmac.length > 0 && hmac.length < algorithms.length) {
    problems.add(field(path, "algorithms"), "HMAC (HS*) and asymmetric algorithms must not be mixed in one issuer");
  }
  const keys = readKeySource(obj, path, algorithms, problems);

  const result: IssuerConfig = {
    issuer: issuer ?? "",
    algorithms,
    clockToleranceSeconds: readInteger(
      obj.clockToleranceSeconds, field(path, "clockToleranceSeconds"), problems, { min: 0, max: 300 }, DEFAULT_CLOCK_TOLERANCE_SECONDS,
    ),
    requiredClaims:
      obj.requiredClaims === undefined ? [] : (readStringList(obj.requiredClaims, field(path, "requiredClaims"), problems) ?? []),
    ...keys,
  };
  if (obj.tokenTypes !== undefined) {
    const types = readStringList(obj.tokenTypes, field(path, "tokenTypes"), problems, { nonEmpty: true });
    if (types !== undefined) result.tokenTypes = [...new Set(types.map(normalizeTokenType))];
  }
  const maxAge = readInteger(obj.maxTokenAgeSeconds, field(path, "maxTokenAgeSeconds"), problems, { min: 1, max: 31_536_000 });
  if (maxAge !== undefined) result.maxTokenAgeSeconds = maxAge;
  // Returned even with problems, so that routes naming this issuer are not reported as well.
  return result;
}

function readAlgorithms(value: unknown, path: string, problems: Problems): Algorithm[] {
  if (value === undefined) {
    problems.add(path, "required: the algorithms this issuer signs with");
    return [];
  }
  if (!Array.isArray(value) || value.length === 0) {
    problems.add(path, "must be a non-empty list of algorithms");
    return [];
  }
  const out: Algorithm[] = [];
  value.forEach((alg, i) => {
    const at = item(path, i);
    if (typeof alg !== "string") problems.add(at, "must be a string");
    else if (alg.toLowerCase() === "none") problems.add(at, `"none" is never accepted`);
    else if (!KNOWN_ALGORITHMS.includes(alg)) {
      const hint = KNOWN_ALGORITHMS.find((known) => known.toLowerCase() === alg.toLowerCase());
      problems.add(at, `unknown algorithm ${quote(alg)}${hint === undefined ? "" : ` (did you mean "${hint}"?)`}`);
    } else if (out.includes(alg as Algorithm)) problems.add(at, `duplicate algorithm ${quote(alg)}`);
    else out.push(alg as Algorithm);
  });
  return out;
}

function readKeySource(obj: JsonObject, path: string, algorithms: readonly Algorithm[], problems: Problems): { jwksUri?: string; jwks?: JwkSet } {
  const hmac = algorithms.some((a) => a.startsWith("HS"));
  const hasUri = obj.jwksUri !== undefined;
  const hasJwks = obj.jwks !== undefined;
  if (hasUri === hasJwks) {
    problems.add(path, hasUri ? "set either jwksUri or jwks, not both" : "one of jwksUri or jwks is required");
    return {};
  }
  if (hasUri) {
    if (hmac) problems.add(field(path, "jwksUri"), "HMAC (HS*) secrets must never come from a JWKS URL; use an inline jwks with oct keys");
    const uri = readJwksUri(obj.jwksUri, field(path, "jwksUri"), problems);
    return uri === undefined ? {} : { jwksUri: uri };
  }
  const jwks = readInlineJwks(obj.jwks, field(path, "jwks"), algorithms, problems);
  return jwks === undefined ? {} : { jwks };
}

export function isLoopbackHost(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

function readJwksUri(value: unknown, path: string, problems: Problems): string | undefined {
  const text = readNonEmptyString(value, path, problems);
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    problems.add(path, "must be an absolute URL");
    return undefined;
  }
  const before = problems.count;
  if (url.protocol === "http:") {
    if (!isLoopbackHost(url.hostname)) problems.add(path, "must use https (http only for localhost, 127.0.0.0/8 or [::1])");
  } else if (url.protocol !== "https:") {
    problems.add(path, "must use https");
  }
  if (url.username !== "" || url.password !== "") problems.add(path, "must not contain credentials");
  if (text.includes("#")) problems.add(path, "must not contain a fragment");
  return problems.count === before ? text : undefined;
}

/**
 * Inline keys meet the policy a fetched JWKS meets, but here an unusable key is an error rather
 * than a skipped key: it is the operator's own typo, and would otherwise surface only as 401s.
 * What only WebCrypto can tell (an EC point off its curve) still shows on first use.
 */
function readInlineJwks(value: unknown, path: string, algorithms: readonly Algorithm[], problems: Problems): JwkSet | undefined {
  if (!isObject(value) || !Array.isArray(value.keys)) {
    problems.add(path, 'must be a JWK set: { "keys": [ ... ] }');
    return undefined;
  }
  checkKnownFields(value, ["keys"], path, problems);
  const keysPath = field(path, "keys");
  if (value.keys.length === 0) problems.add(keysPath, "must hold at least one key");
  const hmac = algorithms.some((a) => a.startsWith("HS"));
  const asymmetric = algorithms.some((a) => !a.startsWith("HS"));
  // With no algorithms, or mixed ones, that problem is already reported; every key would repeat it.
  const assess = algorithms.length > 0 && !(hmac && asymmetric);
  const ambiguous = duplicatedKids(value.keys);
  const before = problems.count;
  value.keys.forEach((key: unknown, i: number) => {
    const at = item(keysPath, i);
    if (!isObject(key) || typeof key.kty !== "string") {
      problems.add(at, "must be a JWK with a string kty");
      return;
    }
    const keyBefore = problems.count;
    if (key.kty === "oct") {
      if (asymmetric) problems.add(at, "an oct (HMAC secret) key must not serve asymmetric algorithms");
      else if (!hmac) problems.add(at, "an oct key needs HS* algorithms");
    } else {
      if (hmac) problems.add(at, `HMAC (HS*) algorithms must not be used beside public keys (kty ${quote(key.kty)})`);
      for (const member of PRIVATE_MEMBERS) {
        if (key[member] !== undefined) problems.add(field(at, member), "private key material must not be in the configuration");
      }
    }
    if (!assess || problems.count !== keyBefore) return;
    const assessment = assessJwk(key, algorithms);
    if (!assessment.usable) problems.add(at, assessment.reason);
    else if (assessment.kid !== undefined && ambiguous.has(assessment.kid)) {
      problems.add(field(at, "kid"), "another key of the same type has this kid: tokens naming it would match neither");
    }
  });
  return problems.count === before ? { keys: value.keys as Jwk[] } : undefined;
}
