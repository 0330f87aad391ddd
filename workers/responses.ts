/**
 * The Worker's own answers (400/401/403/500/503): a token-free JSON body, the RFC 6750 challenge,
 * `Retry-After` on 503, and `Cache-Control: no-store` so that no cache keeps a denial (or reuses it
 * for a request that carries a good token).
 */
import { errorResponseBody } from "../shared/index.js";
import type { DenyDecision } from "../shared/types.js";

export function denyResponse(decision: DenyDecision, method: string): Response {
  const headers = new Headers({
    "content-type": "application/json",
    "cache-control": "no-store",
  });
  if (decision.wwwAuthenticate !== undefined) headers.set("www-authenticate", decision.wwwAuthenticate);
  if (decision.status === 503) headers.set("retry-after", String(decision.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS));
  const body = method.toUpperCase() === "HEAD" ? null : errorResponseBody(decision);
  return new Response(body, { status: decision.status, headers });
}

/** When the core gives no hint, a short pause: the JWKS may well be back by then. */
const DEFAULT_RETRY_AFTER_SECONDS = 30;

/** A 500 of the Worker's own (bad configuration, unexpected failure): never a forward. */
export function serverErrorDecision(description: string, code: DenyDecision["code"]): DenyDecision {
  return {
    allow: false,
    status: 500,
    error: "server_error",
    description,
    code,
    wwwAuthenticate: undefined,
  };
}

/** The origin could not be reached: a gateway error of the Worker's own, never cached. */
export function badGatewayResponse(): Response {
  const body = JSON.stringify({ error: "bad_gateway", error_description: "the origin could not be reached" });
  return new Response(body, {
    status: 502,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
}
