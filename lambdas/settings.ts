/**
 * The Lambda's environment, read once per container. Every problem is a `ConfigError` naming the
 * variable, so a typo in `HTTP_API_RESPONSE` fails closed (every invocation throws) instead of
 * quietly answering in a format API Gateway then misreads.
 */
import { boundClaims, ConfigError, parseConfig, type AuthorizerConfig, type ConfigProblem } from "../shared/index.js";

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
  /** `emf` (default): CloudWatch Embedded Metric Format lines on stdout; `off`: none. */
  metrics: "emf" | "off";
  /** Route keys with a claim bound to a path parameter (`{ "tenant_id": "{tenant}" }`). */
  templatedRoutes: ReadonlySet<string>;
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
  const metrics = oneOf(env.AUTHORIZER_METRICS, "AUTHORIZER_METRICS", ["emf", "off"] as const, problems);
  const contextClaims = (env.CONTEXT_CLAIMS ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
  contextClaims.forEach((name, i) => {
    if (!CLAIM_NAME.test(name) || RESERVED_CONTEXT.has(name)) {
      problems.push({ path: `CONTEXT_CLAIMS[${i}]`, message: "a claim name is 1-64 letters, digits, _ : . -" });
    }
  });
  // Said explicitly, the combination is a configuration error; left to the default (REST-only
  // deployments never set it) it is refused per request instead (answers.ts).
  if (config !== undefined && env.HTTP_API_RESPONSE === "simple" && cacheScope === "per-token") {
    problems.push(...simpleAnswerTemplateProblems(config));
  }
  if (problems.length > 0 || config === undefined) throw new ConfigError(problems);
  const templatedRoutes = new Set(config.routes.filter((r) => boundClaims(r).length > 0).map((r) => r.route));
  return { config, httpApiResponse, cacheScope, contextClaims, metrics, templatedRoutes };
}

/**
 * A simple answer is one boolean, cached per token and route key: a "yes" for
 * `/tenants/acme/orders` would stand for `/tenants/globex/orders` too, so a claim bound to a path
 * parameter cannot be enforced: a false allow if it were only warned about.
 */
function simpleAnswerTemplateProblems(config: AuthorizerConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  config.routes.forEach((route, i) => {
    const bound = boundClaims(route);
    if (bound.length === 0) return;
    problems.push({
      path: `AUTHORIZER_CONFIG routes[${i}].claims`,
      message:
        `"${route.route}" binds ${bound.join(", ")} to a path parameter, which a cached HTTP API simple answer (one boolean per ` +
        `token and route key) cannot enforce: set HTTP_API_RESPONSE=iam (policies pin the value), or AUTHORIZER_CACHE=per-request ` +
        `with an authorizer result TTL of 0`,
    });
  });
  return problems;
}

/** The first listed value is the default (variable unset or empty). */
function oneOf<T extends string>(value: string | undefined, name: string, allowed: readonly T[], problems: ConfigProblem[]): T {
  if (value === undefined || value === "") return allowed[0] as T;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  problems.push({ path: name, message: `must be one of ${allowed.map((a) => `"${a}"`).join(", ")} (got another value)` });
  return allowed[0] as T;
}
