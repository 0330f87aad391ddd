/**
 * AWS Lambda entry: `handler` answers REST TOKEN, REST REQUEST (1.0) and HTTP API REQUEST (2.0)
 * events. The authorizer is built once per container, lazily, from `AUTHORIZER_CONFIG`; its JWKS
 * cache lives in memory across invocations. A bad configuration throws (and logs) on every
 * invocation, so API Gateway answers 500 and never allows.
 */
import type {
  APIGatewayAuthorizerResult,
  APIGatewayRequestAuthorizerEvent,
  APIGatewayRequestAuthorizerEventV2,
  APIGatewayTokenAuthorizerEvent,
} from "aws-lambda";
import {
  createAuthorizer,
  createMemoryKeyStore,
  defaultLogger,
  type AuthorizerConfig,
  type AuthorizerOptions,
  type Logger,
  type RouteConfig,
} from "../shared/index.js";
import { failOnServerError, iamAnswer, simpleAnswer, type AnswerContext, type Identity, type SimpleResult } from "./answers.js";
import { createEmfMetrics, type MetricsHooks } from "./emf-metrics.js";
import { EVENT_PROCESSORS, type AuthorizerInput } from "./event-kinds.js";
import { readSettings, type Env } from "./settings.js";

export type AuthorizerEvent = APIGatewayTokenAuthorizerEvent | APIGatewayRequestAuthorizerEvent | APIGatewayRequestAuthorizerEventV2;
export type AuthorizerResult = APIGatewayAuthorizerResult | SimpleResult;

export interface LambdaHandlerOptions extends Pick<AuthorizerOptions, "fetch" | "now"> {
  /** Read on the first invocation (default `process.env`). */
  env?: Env;
  log?: Logger;
  /** Where the CloudWatch EMF metric lines go (default: stdout, one JSON document a line). */
  writeMetric?: (line: string) => void;
}

/** A handler with its own container state; `handler` below is the one Lambda runs. */
export function createLambdaHandler(options: LambdaHandlerOptions = {}): (event: AuthorizerEvent) => Promise<AuthorizerResult> {
  const log = options.log ?? defaultLogger;
  let context: AnswerContext | undefined;
  let startupError: unknown;

  function start(): AnswerContext {
    if (context !== undefined) return context;
    if (startupError === undefined) {
      try {
        context = createContext(readSettings(options.env ?? process.env), options, log);
        return context;
      } catch (error) {
        startupError = error;
      }
    }
    // Logged every time: each refused request should point at the cause in its own log stream,
    // and counted as an error decision, so an alarm on Outcome=error catches a broken deployment.
    log("error", { event: "startup-failed", error: startupError instanceof Error ? startupError.message : String(startupError) });
    const env = options.env ?? process.env;
    if (env.AUTHORIZER_METRICS !== "off") {
      createEmfMetrics(options.writeMetric === undefined ? {} : { write: options.writeMetric })
        .onDecision({ event: "decision", decision: "deny", status: 500, code: "ERR_CONFIG_INVALID", latencyMs: 0 });
    }
    throw startupError;
  }

  return async function handle(event: AuthorizerEvent): Promise<AuthorizerResult> {
    const ctx = start();
    const input = toInput(event, ctx.settings.config);
    if (input === undefined) {
      log("error", { event: "malformed-event", type: typeof (event as { type?: unknown })?.type === "string" ? String((event as { type: string }).type) : "" });
      throw new Error("malformed authorizer event");
    }
    const decision = await ctx.authorizer.authorize(input.request);
    failOnServerError(decision);
    if (input.kind === "request-v2" && ctx.settings.httpApiResponse === "simple") return simpleAnswer(decision, input, ctx);
    return iamAnswer(decision, input, ctx);
  };
}

export const handler = createLambdaHandler();

function toInput(event: unknown, config: AuthorizerConfig): AuthorizerInput | undefined {
  for (const processor of EVENT_PROCESSORS) {
    // Each guard narrows to its own event type; the cast only re-joins the union for the call.
    if (processor.is(event)) return (processor.toInput as (e: unknown, c: AuthorizerConfig) => AuthorizerInput | undefined)(event, config);
  }
  return undefined;
}

function createContext(settings: ReturnType<typeof readSettings>, options: LambdaHandlerOptions, log: Logger): AnswerContext {
  const keyStore = createMemoryKeyStore();
  const base = { fetch: options.fetch, now: options.now, keyStore };
  const metrics: Partial<MetricsHooks> = settings.metrics === "off"
    ? {}
    : createEmfMetrics({ ...(options.writeMetric === undefined ? {} : { write: options.writeMetric }) });
  const authorizer = createAuthorizer(settings.config, { ...base, log, ...metrics });
  // A public route is allowed without looking at the token, but an IAM answer is cached for that
  // token and must list what it may call elsewhere. A second authorizer over the same key store,
  // with one protected catch-all route, verifies the token for that (its decisions are not logged:
  // they are not decisions about a request).
  const probeRoute = catchAllRoute(settings.config.routes);
  const probe =
    probeRoute === undefined
      ? undefined
      : createAuthorizer(
          { ...settings.config, routes: [probeRoute] },
          // Its key fetches are real (counted); its decisions are not about a request (not counted).
          { ...base, log: (level, entry) => entry.event !== "decision" && log(level, entry), onJwksEvent: metrics.onJwksEvent },
        );
  return {
    settings,
    authorizer,
    async identify(input): Promise<Identity | undefined> {
      if (probe === undefined) return undefined;
      const q = input.request.path.indexOf("?");
      const path = q === -1 ? "/" : `/${input.request.path.slice(q)}`;
      const result = await probe.authorize({ method: "GET", path, headers: input.request.headers });
      return result.allow && result.issuer !== undefined ? { claims: result.claims, issuer: result.issuer } : undefined;
    },
    warn: (entry) => log("warn", entry),
  };
}

/** `$default` accepting any audience some route accepts; undefined when no route is protected. */
function catchAllRoute(routes: readonly RouteConfig[]): RouteConfig | undefined {
  const audience = [...new Set(routes.flatMap((r) => (r.public ? [] : r.audience)))];
  if (audience.length === 0) return undefined;
  return { route: "$default", public: false, audience, scopes: [], anyScopes: [], claims: {} };
}
