/**
 * HTTP API simple answers are one boolean that API Gateway caches per (token, route key). A route
 * that binds a claim to a path parameter (`{ "tenant_id": "{tenant}" }`) cannot be enforced by
 * such an answer: a "yes" for /tenants/acme would be replayed for /tenants/globex. The handler
 * refuses to start when HTTP_API_RESPONSE=simple is set explicitly, refuses those requests when it
 * is the default, and answers exactly with AUTHORIZER_CACHE=per-request or IAM responses.
 */
import { describe, expect, it } from "vitest";
import { createLambdaHandler, type AuthorizerEvent, type AuthorizerResult } from "../../lambdas/authorizer.js";
import type { LogEntry } from "../../shared/index.js";
import { mintToken } from "../support/keys.js";
import { useTestIssuer } from "./support/test-issuer.js";
import { FIXTURES_MISSING, requestV2Event } from "./fixtures.js";
import { evaluatePolicy, type Policy } from "./policy-evaluator.js";

const ROUTE_KEY = "GET /tenants/{tenant}/orders";

describe.skipIf(FIXTURES_MISSING !== undefined)("HTTP API simple answers and claim templates", () => {
  const issuer = useTestIssuer([
    { route: "GET /health", public: true },
    { route: ROUTE_KEY, audience: "orders-api", claims: { tenant_id: "{tenant}" } },
  ]);

  const acmeToken = () => mintToken(issuer.key, { claims: { tenant_id: "acme" } });
  const call = (handler: (e: AuthorizerEvent) => Promise<AuthorizerResult>, token: string, tenant: string) =>
    handler(requestV2Event(token, "GET", `/tenants/${tenant}/orders`, ROUTE_KEY) as AuthorizerEvent);

  it("refuses to start with HTTP_API_RESPONSE=simple set explicitly, naming the route and the remedy", async () => {
    const logs: LogEntry[] = [];
    const handler = createLambdaHandler({ env: { AUTHORIZER_CONFIG: issuer.config, HTTP_API_RESPONSE: "simple" }, log: (_l, e) => void logs.push(e), writeMetric: () => {} });
    const token = await acmeToken();
    for (let i = 0; i < 2; i++) {
      await expect(call(handler, token, "acme")).rejects.toThrow(/routes\[1\]\.claims.*tenant_id.*HTTP_API_RESPONSE=iam/);
    }
    // Every refused invocation points at the cause in its own log stream.
    expect(logs.filter((e) => e.event === "startup-failed")).toHaveLength(2);
  });

  it("with the default response format, refuses such a request (a false deny, never a cached false allow) and says why", async () => {
    const logs: { level: string; entry: LogEntry }[] = [];
    const handler = createLambdaHandler({ env: { AUTHORIZER_CONFIG: issuer.config }, log: (level, entry) => void logs.push({ level, entry }), writeMetric: () => {} });
    const token = await acmeToken();
    expect(await call(handler, token, "acme")).toEqual({ isAuthorized: false, context: {} });
    expect(await call(handler, token, "globex")).toEqual({ isAuthorized: false, context: {} });
    const warning = logs.find((l) => l.entry.event === "simple-answer-cannot-bind-claims");
    expect(warning?.level).toBe("warn");
    expect(warning?.entry.route).toBe(ROUTE_KEY);
    expect(JSON.stringify(logs)).not.toContain(token.split(".")[2]);
    // Routes without templates keep their simple answers.
    const health = await handler(requestV2Event(token, "GET", "/health", "GET /health") as AuthorizerEvent);
    expect(health).toMatchObject({ isAuthorized: true });
  });

  it("answers exactly per request with AUTHORIZER_CACHE=per-request (TTL 0)", async () => {
    const handler = createLambdaHandler({ env: { AUTHORIZER_CONFIG: issuer.config, HTTP_API_RESPONSE: "simple", AUTHORIZER_CACHE: "per-request" }, log: () => {}, writeMetric: () => {} });
    const token = await acmeToken();
    expect(await call(handler, token, "acme")).toMatchObject({ isAuthorized: true });
    expect(await call(handler, token, "globex")).toMatchObject({ isAuthorized: false });
  });

  it("with IAM responses, the cached policy allows the token's tenant and no other", async () => {
    const handler = createLambdaHandler({ env: { AUTHORIZER_CONFIG: issuer.config, HTTP_API_RESPONSE: "iam" }, log: () => {}, writeMetric: () => {} });
    const token = await acmeToken();
    const answer = (await call(handler, token, "acme")) as { policyDocument: Policy };
    const arnOf = (tenant: string): string => requestV2Event(token, "GET", `/tenants/${tenant}/orders`, ROUTE_KEY).routeArn as string;
    expect(evaluatePolicy(answer.policyDocument, arnOf("acme"))).toBe("allow");
    expect(evaluatePolicy(answer.policyDocument, arnOf("globex"))).toBe("deny");
  });
});
