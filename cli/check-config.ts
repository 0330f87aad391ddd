/**
 * `check-config`: the configuration judged exactly as the runtimes judge it at a cold start:
 * `parseConfig` on the same text (both runtimes), the Lambda's `readSettings` on the same
 * environment (HTTP_API_RESPONSE, AUTHORIZER_CACHE, CONTEXT_CLAIMS, ...), the Worker's
 * `parseUpstreamUrl` on UPSTREAM_URL when set. Plus the warnings worth a look before deploying:
 * the core's `configWarnings` and, for the Lambda, the policy builder's `policyWarnings`.
 */
import { configWarnings, parseConfig, type AuthorizerConfig } from "../shared/index.js";
import { ConfigError, type ConfigProblem } from "../shared/errors.js";
import { readSettings, type LambdaSettings } from "../lambdas/settings.js";
import { readUpstreamUrl } from "../workers/forward.js";
import { iamWarnings } from "./iam-warnings.js";

/** Which runtime a finding concerns. */
export type Runtime = "both" | "lambda" | "worker";

export interface Finding extends ConfigProblem {
  runtime: Runtime;
}

export interface RuntimeVerdict {
  starts: boolean;
  /** The runtime's own variables (besides AUTHORIZER_CONFIG) taken from the environment. */
  fromEnvironment: string[];
  /** Its variables not set, so judged at their defaults. */
  defaults: string[];
}

export interface CheckConfigReport {
  command: "check-config";
  source: string;
  ok: boolean;
  errors: Finding[];
  warnings: (Finding & { kind: "config" | "iam" })[];
  runtimes: { worker: RuntimeVerdict; lambda: RuntimeVerdict };
  /** What the report leaves out, and why. */
  notes: string[];
  exitCode: 0 | 1 | 2;
}

/** The Lambda's variables besides AUTHORIZER_CONFIG (lambdas/settings.ts), for the report only. */
export const LAMBDA_VARIABLES = ["HTTP_API_RESPONSE", "AUTHORIZER_CACHE", "CONTEXT_CLAIMS", "AUTHORIZER_METRICS"] as const;
export const WORKER_VARIABLES = ["UPSTREAM_URL"] as const;

type Environment = Record<string, string | undefined>;

export function checkConfig(text: string, source: string, strict: boolean, env: Environment = {}): CheckConfigReport {
  const errors: Finding[] = [];
  let config: AuthorizerConfig | undefined;
  try {
    config = parseConfig(text);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    errors.push(...error.problems.map((p) => ({ ...p, runtime: "both" as const })));
  }
  const lambda = lambdaFindings(text, env, config !== undefined);
  errors.push(...lambda.errors);
  const worker = workerFindings(env);
  errors.push(...worker);

  const report: CheckConfigReport = {
    command: "check-config",
    source,
    ok: errors.length === 0,
    errors,
    warnings: [],
    runtimes: {
      worker: verdict(WORKER_VARIABLES, env, config !== undefined && worker.length === 0),
      lambda: verdict(LAMBDA_VARIABLES, env, config !== undefined && lambda.errors.length === 0),
    },
    notes: [],
    exitCode: 1,
  };
  if (config === undefined) return report;

  report.warnings.push(...configWarnings(config).map((w) => ({ ...w, runtime: "both" as const, kind: "config" as const })));
  const settings = lambda.settings;
  const lambdaErrorPaths = new Set(lambda.errors.map((e) => e.path));
  for (const { concerns, ...w } of iamWarnings(config)) {
    // Already an error (HTTP_API_RESPONSE=simple said explicitly), or moot with these settings.
    if (lambdaErrorPaths.has(w.path)) continue;
    if (settings?.cacheScope === "per-request") continue;
    if (concerns === "simple-responses" && settings?.httpApiResponse === "iam") continue;
    report.warnings.push({ ...w, runtime: "lambda", kind: "iam" });
  }
  if (settings?.cacheScope === "per-request") {
    report.notes.push(
      "AUTHORIZER_CACHE=per-request: the Lambda answers each request exactly, so the IAM-wildcard and claim-template warnings do not apply; " +
        "this is safe only with an authorizer result TTL of 0 or identity sources that pin the path (check-config cannot see API Gateway's settings)",
    );
  }
  if (report.ok) report.exitCode = strict && report.warnings.length > 0 ? 2 : 0;
  return report;
}

/**
 * `readSettings` as the Lambda calls it at a cold start, on this environment with this
 * configuration text. Problems with the configuration itself are already reported (for both
 * runtimes) when parseConfig refused it; the rest are the Lambda's own.
 */
function lambdaFindings(text: string, env: Environment, configParsed: boolean): { errors: Finding[]; settings?: LambdaSettings } {
  try {
    return { errors: [], settings: readSettings({ ...env, AUTHORIZER_CONFIG: text }) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const errors: Finding[] = [];
    for (const p of error.problems) {
      const inConfig = p.path === "AUTHORIZER_CONFIG" || p.path.startsWith("AUTHORIZER_CONFIG ");
      if (inConfig && !configParsed) continue;
      // `AUTHORIZER_CONFIG routes[2].claims` is `routes[2].claims` of the file being checked.
      errors.push({ path: p.path.startsWith("AUTHORIZER_CONFIG ") ? p.path.slice("AUTHORIZER_CONFIG ".length) : p.path, message: p.message, runtime: "lambda" });
    }
    return { errors };
  }
}

/** The Worker's UPSTREAM_URL, judged (and worded) as workers/setup.ts does. */
function workerFindings(env: Environment): Finding[] {
  const { problem } = readUpstreamUrl(env.UPSTREAM_URL);
  return problem === undefined ? [] : [{ path: "UPSTREAM_URL", message: problem, runtime: "worker" }];
}

function verdict(names: readonly string[], env: Environment, starts: boolean): RuntimeVerdict {
  const set = (name: string): boolean => env[name] !== undefined && env[name] !== "";
  return { starts, fromEnvironment: names.filter(set), defaults: names.filter((n) => !set(n)) };
}
