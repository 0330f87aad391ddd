/**
 * `explain`: why would this token be allowed or denied on this route? Runs the core's checks one
 * by one (explain-steps.ts) and the real `authorize()` with the same inputs, and refuses to answer
 * (exit 3) if they disagree: that would be a bug in one of them. The token goes nowhere but to the
 * signature check; the only network call is the JWKS fetch with `--fetch`, made once and replayed
 * to every consumer so all of them judge the same keys.
 */
import { createAuthorizer, parseConfig, type Decision, type LogEntry } from "../shared/index.js";
import { ConfigError, type ConfigProblem, type ErrorCode } from "../shared/errors.js";
import { tokenHygiene, type HygieneFinding } from "../shared/token-hygiene.js";
import type { AuthorizerConfig, FetchLike, TokenSource } from "../shared/types.js";
import { walkDecision, type Step, type StepId, type WalkRequest } from "./explain-steps.js";
import { lambdaAnswer, workerAnswer, type LambdaAnswer, type WorkerAnswer } from "./runtime-answers.js";
import { InputError } from "./inputs.js";

export interface ExplainInput {
  rawConfig: string;
  /** `"GET /orders/1"` (a query may follow the path). */
  route: string;
  token: string;
  /** The JWKS document from `--jwks FILE`, as text. */
  jwksText?: string;
  /** `--fetch`: fetch the issuer's JWKS from its jwksUri. */
  fetchJwks: boolean;
  nowMs: number;
  /** The real fetch, injected for tests. */
  fetch?: FetchLike;
}

export interface ExplainReport {
  command: "explain";
  request: { method: string; path: string; tokenBytes: number };
  steps: Step[];
  failedStep: StepId | null;
  decision: DecisionSummary;
  /** The authorizer's own decision log line for this request (what production would log). */
  decisionLog: LogEntry | undefined;
  hygiene: HygieneFinding[];
  worker: WorkerAnswer;
  lambda: LambdaAnswer;
  /** Empty when the step walk and `authorize()` agree. */
  disagreements: string[];
}

export interface DecisionSummary {
  allow: boolean;
  status: number;
  code: ErrorCode | null;
  route: string | null;
  error?: string;
  description?: string;
  wwwAuthenticate?: string;
  retryAfterSeconds?: number;
}

export async function explain(input: ExplainInput): Promise<ExplainReport> {
  const config = readConfig(input.rawConfig);
  const { method, path } = parseRouteArgument(input.route);
  const request: WalkRequest = requestWithToken(method, path, input.token, config.tokenSources);
  const jwks = jwksFetch(input, config);
  const now = (): number => input.nowMs;

  const logs: LogEntry[] = [];
  const authorizer = createAuthorizer(config, { fetch: jwks.fetch, now, log: (_level, entry) => logs.push(entry) });
  const walk = await walkDecision({ config, routes: authorizer.routes, request, nowMs: input.nowMs, fetch: jwks.fetch });
  if (jwks.missingSource !== undefined) {
    throw new InputError(`the issuer publishes its keys at ${jwks.missingSource}: pass --jwks FILE (a saved copy) or --fetch`);
  }
  const decision = await authorizer.authorize({ method, path, headers: request.headers });

  const hygiene = walk.signatureVerified && walk.header !== undefined && walk.claims !== undefined
    ? tokenHygiene({ alg: walk.header.alg, claims: walk.claims, encodedLength: input.token.length })
    : [];
  return {
    command: "explain",
    request: { method, path, tokenBytes: input.token.length },
    steps: walk.steps,
    failedStep: walk.failedStep ?? null,
    decision: summarize(decision),
    decisionLog: logs.find((entry) => entry.event === "decision"),
    hygiene,
    worker: await workerAnswer(decision, request, config),
    lambda: await lambdaAnswer({ rawConfig: input.rawConfig, request, decision, routes: authorizer.routes, fetch: jwks.fetch, now }),
    disagreements: compare(walk.outcome, decision),
  };
}

function readConfig(raw: string): AuthorizerConfig {
  try {
    return parseConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) throw new InputError("the configuration is invalid (run check-config)", error.problems);
    throw error;
  }
}

export function parseRouteArgument(route: string): { method: string; path: string } {
  const match = /^([A-Za-z]+) +(\/\S*)$/.exec(route.trim());
  if (match === null) throw new InputError(`--route takes "METHOD /path", such as "GET /orders/1"`);
  return { method: match[1] as string, path: match[2] as string };
}

/** The request as a client would send it: the token where the configuration looks first. */
function requestWithToken(method: string, path: string, token: string, sources: readonly TokenSource[]): WalkRequest {
  const source = sources[0];
  if (token === "" || source === undefined) return { method, path, headers: {} };
  switch (source.kind) {
    case "header":
      return { method, path, headers: { [source.name]: source.name === "authorization" ? `Bearer ${token}` : token } };
    case "cookie":
      return { method, path, headers: { cookie: `${source.name}=${token}` } };
    case "query":
      return { method, path: `${path}${path.includes("?") ? "&" : "?"}${encodeURIComponent(source.name)}=${token}`, headers: {} };
  }
}

interface JwksFetch {
  fetch: FetchLike;
  /** Set when a jwksUri was needed but neither --jwks nor --fetch was given. */
  readonly missingSource: string | undefined;
}

/**
 * One fetch function for the walk, the authorizer and the Lambda handler: `--jwks` serves the
 * file at every configured jwksUri; `--fetch` fetches each URL once for real and replays the bytes.
 */
function jwksFetch(input: ExplainInput, config: AuthorizerConfig): JwksFetch {
  const uris = new Set(config.issuers.flatMap((i) => (i.jwksUri === undefined ? [] : [i.jwksUri])));
  const notFound = (): Response => new Response("not a configured jwksUri", { status: 404 });
  const state: { missingSource: string | undefined } = { missingSource: undefined };
  if (input.jwksText !== undefined) {
    const body = input.jwksText;
    return {
      fetch: async (url) => (uris.has(String(url)) ? new Response(body, { status: 200, headers: { "content-type": "application/json" } }) : notFound()),
      missingSource: undefined,
    };
  }
  if (input.fetchJwks) {
    const realFetch = input.fetch ?? ((url, init) => fetch(url, init));
    const recorded = new Map<string, Promise<{ status: number; headers: [string, string][]; body: ArrayBuffer } | Error>>();
    return {
      fetch: async (url, init) => {
        const key = String(url);
        if (!uris.has(key)) return notFound();
        let record = recorded.get(key);
        if (record === undefined) {
          record = realFetch(key, init).then(
            async (response) => ({ status: response.status, headers: [...response.headers], body: await response.arrayBuffer() }),
            (error: unknown) => (error instanceof Error ? error : new Error("fetch failed")),
          );
          recorded.set(key, record);
        }
        const result = await record;
        if (result instanceof Error) throw result;
        return new Response(result.body.slice(0), { status: result.status, headers: result.headers });
      },
      missingSource: undefined,
    };
  }
  return {
    fetch: async (url) => {
      state.missingSource ??= String(url);
      throw new TypeError("no JWKS source given");
    },
    get missingSource() {
      return state.missingSource;
    },
  };
}

function summarize(decision: Decision): DecisionSummary {
  if (decision.allow) return { allow: true, status: 200, code: null, route: decision.route };
  return {
    allow: false,
    status: decision.status,
    code: decision.code,
    route: decision.route ?? null,
    error: decision.error,
    description: decision.description,
    ...(decision.wwwAuthenticate === undefined ? {} : { wwwAuthenticate: decision.wwwAuthenticate }),
    ...(decision.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: decision.retryAfterSeconds }),
  };
}

function compare(walk: Awaited<ReturnType<typeof walkDecision>>["outcome"], decision: Decision): string[] {
  const out: string[] = [];
  if (walk.allow !== decision.allow) {
    out.push(`the step walk says ${walk.allow ? "allow" : "deny"}, authorize() says ${decision.allow ? "allow" : "deny"}`);
  } else if (!walk.allow && !decision.allow && walk.code !== decision.code) {
    out.push(`the step walk failed with ${walk.code}, authorize() with ${decision.code}`);
  } else if (walk.allow && decision.allow && walk.route !== decision.route) {
    out.push(`the step walk matched ${walk.route}, authorize() matched ${decision.route}`);
  }
  return out;
}

export type { ConfigProblem };
