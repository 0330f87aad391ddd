/**
 * The Lambda's environment, read once per container. Every problem is a `ConfigError` naming the
 * variable, so a typo in `HTTP_API_RESPONSE` fails closed (every invocation throws) instead of
 * quietly answering in a format API Gateway then misreads.
 */
import { ConfigError, parseConfig, type AuthorizerConfig, type ConfigProblem } from "../shared/index.js";

export type HttpApiResponse = "simple" | "iam";
/**
 * What API Gateway's result cache is keyed by. `per-token` (the default: TOKEN authorizers, and
 * REQUEST authorizers keyed by the token and route key): answers must hold for every request the
 * key covers, so IAM policies span the route table. `per-request` (TTL 0, or identity sources
 * that pin the concrete path): answers may be exact for this one request.
 */
export type CacheScope = "per-token" | "per-request";

export interface LambdaSettings {
  config: AuthorizerConfig;
  httpApiResponse: HttpApiResponse;
  cacheScope: CacheScope;
  /** Extra claims copied into the authorizer context (scalars only), from `CONTEXT_CLAIMS`. */
  contextClaims: string[];
}

export type Env = Record<string, string | undefined>;

const CLAIM_NAME = /^[A-Za-z0-9_:.-]{1,64}$/;
const RESERVED_CONTEXT = new Set(["principalId", "integrationLatency"]);

export function readSettings(env: Env): LambdaSettings {
  const problems: ConfigProblem[] = [];
  let config: AuthorizerConfig | undefined;
  const raw = env.AUTHORIZER_CONFIG;
  if (raw === undefined || raw.trim() === "") {
    problems.push({ path: "AUTHORIZER_CONFIG", message: "the environment variable is missing or empty" });
  } else {
    try {
      config = parseConfig(raw);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems.map((p) => ({ path: `AUTHORIZER_CONFIG ${p.path}`, message: p.message })));
    }
  }
  const httpApiResponse = oneOf(env.HTTP_API_RESPONSE, "HTTP_API_RESPONSE", ["simple", "iam"] as const, problems);
  const cacheScope = oneOf(env.AUTHORIZER_CACHE, "AUTHORIZER_CACHE", ["per-token", "per-request"] as const, problems);
  const contextClaims = (env.CONTEXT_CLAIMS ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
  contextClaims.forEach((name, i) => {
    if (!CLAIM_NAME.test(name) || RESERVED_CONTEXT.has(name)) {
      problems.push({ path: `CONTEXT_CLAIMS[${i}]`, message: "a claim name is 1-64 letters, digits, _ : . -" });
    }
  });
  if (problems.length > 0 || config === undefined) throw new ConfigError(problems);
  return { config, httpApiResponse, cacheScope, contextClaims };
}

/** The first listed value is the default (variable unset or empty). */
function oneOf<T extends string>(value: string | undefined, name: string, allowed: readonly T[], problems: ConfigProblem[]): T {
  if (value === undefined || value === "") return allowed[0] as T;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  problems.push({ path: name, message: `must be one of ${allowed.map((a) => `"${a}"`).join(", ")} (got another value)` });
  return allowed[0] as T;
}
