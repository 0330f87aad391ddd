/**
 * A stand-in backend for the example stacks in serverless/: answers with what the authorizer
 * passed on (principal and context), so a deployment can be tried with curl before wiring the
 * real integration. Not part of the authorizer.
 */
interface ProxyEvent {
  requestContext?: { authorizer?: Record<string, unknown> };
}

export async function handler(event: ProxyEvent): Promise<{ statusCode: number; headers: Record<string, string>; body: string }> {
  const authorizer = event.requestContext?.authorizer ?? {};
  // REST puts context values at the top level, HTTP API simple responses under `lambda`.
  const identity = (authorizer.lambda as Record<string, unknown> | undefined) ?? authorizer;
  return {
    statusCode: 200,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
    body: JSON.stringify({ ok: true, sub: identity.sub ?? identity.principalId ?? null }),
  };
}
