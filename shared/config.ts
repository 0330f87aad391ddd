/**
 * `parseConfig`: the one place the configuration document becomes an `AuthorizerConfig`. It runs
 * once per cold start and reports every problem of the document in one `ConfigError`, each under
 * its JSON path, so that a bad deployment fails closed and is fixed in one round.
 */
import { readIssuers, isLoopbackHost } from "./config-issuers.js";
import {
  checkKnownFields, field, isObject, item, Problems, readBoolean, readInteger, readNonEmptyString, readObject,
  setOwn, TOKEN_CHARS,
} from "./config-reader.js";
import { readRoutes } from "./config-routes.js";
import { ConfigError, type ConfigProblem } from "./errors.js";
import { parseJsonObject } from "./strict-json.js";
import type { AuthorizerConfig, ForwardSettings, JwksSettings, TokenSource } from "./types.js";

const TOP_FIELDS = ["issuers", "routes", "jwks", "tokenSources", "forward", "realm", "verifiedTokenCacheSize"] as const;

/** Bounds keep a typo (`timeoutMs: 15000000`) from turning into an outage or an unbounded cache. */
const JWKS_RULES = {
  cacheMaxAgeSeconds: { min: 1, max: 604_800, default: 600 },
  cooldownSeconds: { min: 1, max: 3_600, default: 30 },
  timeoutMs: { min: 1, max: 60_000, default: 1_500 },
  maxStaleSeconds: { min: 0, max: 2_592_000, default: 86_400 },
  maxBytes: { min: 512, max: 10_000_000, default: 150_000 },
} as const;

export const DEFAULT_REALM = "edge-authorizer";
export const DEFAULT_HEADER_PREFIX = "x-auth-";
export const DEFAULT_VERIFIED_TOKEN_CACHE_SIZE = 10_000;

export function parseConfig(raw: unknown): AuthorizerConfig {
  const problems = new Problems();
  const doc = readDocument(raw, problems);
  if (doc === undefined) throw new ConfigError(problems.list);
  checkKnownFields(doc, TOP_FIELDS, "", problems);

  const issuers = readIssuers(doc.issuers, problems);
  const routes = readRoutes(doc.routes, new Set(issuers.map((i) => i.issuer)), problems);
  const config: AuthorizerConfig = {
    issuers,
    routes,
    jwks: readJwksSettings(doc.jwks, problems),
    tokenSources: readTokenSources(doc.tokenSources, problems),
    forward: readForward(doc.forward, problems),
    realm: readRealm(doc.realm, problems),
    verifiedTokenCacheSize: readInteger(
      doc.verifiedTokenCacheSize, "verifiedTokenCacheSize", problems, { min: 0, max: 1_000_000 }, DEFAULT_VERIFIED_TOKEN_CACHE_SIZE,
    ),
  };
  if (problems.count > 0) throw new ConfigError(problems.list);
  return config;
}

/** A JSON string (Lambda env, Worker string var) or an already-parsed object (Worker vars table). */
function readDocument(raw: unknown, problems: Problems): Record<string, unknown> | undefined {
  if (typeof raw !== "string") {
    if (isObject(raw)) return raw;
    problems.add("$", "the configuration must be a JSON object (or a string holding one)");
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    // V8's message quotes the text around the error, which may be an inline HMAC secret: keep only
    // where it is.
    const at = error instanceof SyntaxError ? /at position \d+(?: \(line \d+ column \d+\))?/.exec(error.message)?.[0] : undefined;
    problems.add("$", at === undefined ? "not valid JSON" : `not valid JSON (${at})`);
    return undefined;
  }
  if (!isObject(parsed)) {
    problems.add("$", "the configuration must be a JSON object");
    return undefined;
  }
  // JSON.parse keeps the last of two equal member names: `"public": false, "public": true`
  // must not pass silently either.
  try {
    parseJsonObject(new TextEncoder().encode(raw), "payload");
  } catch {
    problems.add("$", "the JSON document has a duplicate member name (or a __proto__ member)");
    return undefined;
  }
  return parsed;
}

function readJwksSettings(value: unknown, problems: Problems): JwksSettings {
  const obj = value === undefined ? {} : readObject(value, "jwks", problems) ?? {};
  checkKnownFields(obj, Object.keys(JWKS_RULES), "jwks", problems);
  const read = (name: keyof typeof JWKS_RULES): number => {
    const rule = JWKS_RULES[name];
    return readInteger(obj[name], field("jwks", name), problems, rule, rule.default);
  };
  return {
    cacheMaxAgeSeconds: read("cacheMaxAgeSeconds"),
    cooldownSeconds: read("cooldownSeconds"),
    timeoutMs: read("timeoutMs"),
    maxStaleSeconds: read("maxStaleSeconds"),
    maxBytes: read("maxBytes"),
  };
}

function readTokenSources(value: unknown, problems: Problems): TokenSource[] {
  if (value === undefined) return [{ kind: "header", name: "authorization" }];
  if (!Array.isArray(value) || value.length === 0) {
    problems.add("tokenSources", 'must be a non-empty list such as ["header:authorization"]');
    return [];
  }
  const out: TokenSource[] = [];
  const seen = new Set<string>();
  value.forEach((entry, i) => {
    const path = item("tokenSources", i);
    const match = typeof entry === "string" ? /^(header|cookie|query):(.+)$/.exec(entry) : null;
    if (match === null) {
      problems.add(path, 'must be "header:NAME", "cookie:NAME" or "query:NAME"');
      return;
    }
    const kind = match[1] as TokenSource["kind"];
    const name = kind === "header" ? (match[2] as string).toLowerCase() : (match[2] as string);
    if (!TOKEN_CHARS.test(name)) problems.add(path, "the name has characters a header, cookie or query name cannot hold");
    else if (kind === "header" && name === "cookie") problems.add(path, 'read cookies with "cookie:NAME"');
    else if (seen.has(`${kind}:${name}`)) problems.add(path, "duplicate token source");
    else {
      seen.add(`${kind}:${name}`);
      out.push({ kind, name });
    }
  });
  return out;
}

const FORWARD_FIELDS = ["headerPrefix", "claimHeaders", "keepAuthorization"] as const;

function readForward(value: unknown, problems: Problems): ForwardSettings {
  const obj = value === undefined ? {} : readObject(value, "forward", problems) ?? {};
  checkKnownFields(obj, FORWARD_FIELDS, "forward", problems);
  let headerPrefix = DEFAULT_HEADER_PREFIX;
  if (obj.headerPrefix !== undefined) {
    const prefix = obj.headerPrefix;
    if (typeof prefix !== "string" || prefix === "" || !TOKEN_CHARS.test(prefix) || prefix !== prefix.toLowerCase()) {
      problems.add("forward.headerPrefix", 'must be a non-empty lower-case header-name prefix such as "x-auth-"');
    } else headerPrefix = prefix;
  }
  const claimHeaders: Record<string, string> = {};
  if (obj.claimHeaders !== undefined) {
    if (!isObject(obj.claimHeaders)) problems.add("forward.claimHeaders", "must be an object of claim name -> header name");
    else {
      const used = new Set<string>();
      for (const [claim, header] of Object.entries(obj.claimHeaders)) {
        const at = field("forward.claimHeaders", claim);
        if (typeof header !== "string" || !TOKEN_CHARS.test(header)) {
          problems.add(at, "must be a valid header name");
          continue;
        }
        const name = header.toLowerCase();
        // Inbound headers with the prefix are stripped; a claim header outside it could be spoofed.
        if (!name.startsWith(headerPrefix) || name === headerPrefix) {
          problems.add(at, `must start with forward.headerPrefix "${headerPrefix}" so that a client cannot spoof it`);
        } else if (used.has(name)) problems.add(at, "header used for two claims");
        else {
          used.add(name);
          setOwn(claimHeaders, claim, name);
        }
      }
    }
  }
  return {
    headerPrefix,
    claimHeaders,
    keepAuthorization: readBoolean(obj.keepAuthorization, "forward.keepAuthorization", problems, false),
  };
}

function readRealm(value: unknown, problems: Problems): string {
  if (value === undefined) return DEFAULT_REALM;
  const realm = readNonEmptyString(value, "realm", problems);
  // It is written into a quoted-string of WWW-Authenticate: no quote, backslash or control character.
  if (realm !== undefined && /["\\\u0000-\u001f\u007f-\u009f]/.test(realm)) {
    problems.add("realm", "must not contain quotes, backslashes or control characters");
    return DEFAULT_REALM;
  }
  return realm ?? DEFAULT_REALM;
}

/** Non-fatal findings worth a look before deploying (printed by check-config; logged at start). */
export function configWarnings(config: AuthorizerConfig): ConfigProblem[] {
  const warnings: ConfigProblem[] = [];
  config.issuers.forEach((issuer, i) => {
    const path = item("issuers", i);
    if (issuer.algorithms.some((a) => a.startsWith("HS"))) {
      const routes = config.routes.filter((r) => !r.public && (r.issuers === undefined || r.issuers.includes(issuer.issuer)));
      const audiences = new Set(routes.flatMap((r) => r.audience));
      if (routes.length > 1 || audiences.size > 1) {
        warnings.push({
          path: field(path, "algorithms"),
          message:
            `HMAC (HS*) serves ${routes.length} routes and ${audiences.size} audiences: every holder of the shared secret ` +
            "can mint tokens for all of them; prefer asymmetric keys",
        });
      }
    }
    if (issuer.clockToleranceSeconds > 120) {
      warnings.push({ path: field(path, "clockToleranceSeconds"), message: "over 120 s: expired tokens stay usable that much longer" });
    }
    if (issuer.jwksUri !== undefined && new URL(issuer.jwksUri).protocol === "http:") {
      warnings.push({ path: field(path, "jwksUri"), message: "plain http on a loopback host: fine for development only" });
    }
  });
  if (config.jwks.maxStaleSeconds < config.jwks.cacheMaxAgeSeconds) {
    warnings.push({
      path: "jwks.maxStaleSeconds",
      message:
        "shorter than jwks.cacheMaxAgeSeconds, so it counts as that long: no stale-if-error, " +
        "a brief JWKS outage right after expiry fails every request",
    });
  }
  return warnings;
}

export { isLoopbackHost };
