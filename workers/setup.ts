/**
 * Turns the Worker's bindings into a ready authorizer, or into the list of problems that keep it
 * from starting (reported as a 500 with a log line on every request: fail closed, loudly).
 */
import { ConfigError, type ConfigProblem } from "../shared/errors.js";
import { createAuthorizer, defaultLogger, parseConfig, type Authorizer } from "../shared/index.js";
import type { AuthorizerConfig, Logger } from "../shared/types.js";
import type { Env } from "./env.js";
import { readUpstreamUrl } from "./forward.js";
import { createAnalyticsMetrics } from "./analytics-metrics.js";
import { createKvKeyStore } from "./kv-key-store.js";
import { staleLimitSeconds } from "../shared/jwks-source.js";

export type WorkerSetup =
  | { kind: "ready"; authorizer: Authorizer; upstream: URL | undefined }
  | { kind: "invalid"; problems: ConfigProblem[]; summary: string };

/** The core's one-JSON-line logger, so the Worker's own events read like its decisions. */
export const logLine: Logger = defaultLogger;

export function loadWorkerSetup(env: Env): WorkerSetup {
  const problems: ConfigProblem[] = [];
  const { url: upstream, problem: upstreamProblem } = readUpstreamUrl(env.UPSTREAM_URL);
  if (upstreamProblem !== undefined) problems.push({ path: "UPSTREAM_URL", message: upstreamProblem });
  const config = readConfig(env.AUTHORIZER_CONFIG, problems);
  if (config === undefined || problems.length > 0) return invalid(problems);
  const keyStore = env.JWKS_CACHE === undefined
    ? undefined
    // Kept in KV as long as the core would still use the copy (fresh, or stale-if-error).
    : createKvKeyStore(env.JWKS_CACHE, { maxStaleSeconds: staleLimitSeconds(config.jwks), log: logLine });
  try {
    const authorizer = createAuthorizer(config, {
      fetch: (input, init) => fetch(input, init),
      ...(keyStore === undefined ? {} : { keyStore }),
      log: logLine,
      ...createAnalyticsMetrics(env.METRICS, logLine),
      // workerd forbids awaiting I/O started by another request: every request fetches for itself.
      shareInflightFetches: false,
    });
    return { kind: "ready", authorizer, upstream };
  } catch (error) {
    // Whatever stops the core from starting is reported like a bad configuration: 500, never allow.
    const late = error instanceof ConfigError
      ? [...error.problems]
      : [{ path: "AUTHORIZER_CONFIG", message: "the authorizer could not be created" }];
    return invalid(late);
  }
}

function invalid(problems: ConfigProblem[]): WorkerSetup {
  // One line for the log: every problem, by JSON path.
  return { kind: "invalid", problems, summary: problems.map((p) => `${p.path}: ${p.message}`).join("; ") };
}

function readConfig(raw: Env["AUTHORIZER_CONFIG"], problems: ConfigProblem[]): AuthorizerConfig | undefined {
  if (raw === undefined || raw === "") {
    problems.push({ path: "AUTHORIZER_CONFIG", message: "required (a JSON string or a [vars] table)" });
    return undefined;
  }
  let document: unknown = raw;
  if (typeof raw === "string") {
    try {
      document = JSON.parse(raw);
    } catch {
      // The parser's message quotes the text, which may hold an inline HMAC secret: leave it out.
      problems.push({ path: "AUTHORIZER_CONFIG", message: "not valid JSON" });
      return undefined;
    }
  }
  try {
    return parseConfig(document);
  } catch (error) {
    if (error instanceof ConfigError) problems.push(...error.problems);
    else problems.push({ path: "AUTHORIZER_CONFIG", message: "could not be read" });
    return undefined;
  }
}
