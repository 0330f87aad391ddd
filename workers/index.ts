/**
 * The Worker entry: translate the request into the core's input, answer denials itself and send
 * allowed requests on to the origin. Everything that decides lives in `shared/`.
 */
import type { Env } from "./env.js";
import { buildUpstreamRequest, rawPathOf } from "./forward.js";
import { loadWorkerSetup, logLine, type WorkerSetup } from "./setup.js";
import { badGatewayResponse, denyResponse, serverErrorDecision } from "./responses.js";

// One authorizer per isolate, built on the first request (not at import) so that a bad
// configuration becomes a logged 500 on every request rather than a Worker that fails to load.
let setup: WorkerSetup | undefined;

async function fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  setup ??= loadWorkerSetup(env);
  if (setup.kind === "invalid") {
    logLine("error", { event: "config_invalid", code: "ERR_CONFIG_INVALID", problems: setup.summary });
    return denyResponse(serverErrorDecision("the authorizer is misconfigured", "ERR_CONFIG_INVALID"), request.method);
  }
  const rawPath = rawPathOf(request.url);
  let decision;
  try {
    decision = await setup.authorizer.authorize(
      { method: request.method, path: rawPath, headers: request.headers },
      { waitUntil: ctx.waitUntil.bind(ctx) },
    );
  } catch (error) {
    // Fail closed: an unexpected failure in the core is a 500, never a forward.
    logLine("error", { event: "authorize_failed", code: "ERR_INTERNAL", reason: error instanceof Error ? error.name : "unknown" });
    return denyResponse(serverErrorDecision("the authorizer failed", "ERR_INTERNAL"), request.method);
  }
  if (!decision.allow) return denyResponse(decision, request.method);

  const upstreamRequest = buildUpstreamRequest(request, {
    rawPath,
    upstream: setup.upstream,
    forward: setup.authorizer.config.forward,
    claims: decision.public ? undefined : decision.claims,
    log: logLine,
  });
  try {
    return await globalThis.fetch(upstreamRequest);
  } catch (error) {
    logLine("error", { event: "upstream_failed", reason: error instanceof Error ? error.message : "unknown" });
    return badGatewayResponse();
  }
}

export default { fetch } satisfies ExportedHandler<Env>;
