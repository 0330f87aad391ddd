/**
 * The Lambda handler writes its CloudWatch EMF lines itself: one per decision and per JWKS event,
 * each a valid EMF document, never with the token in it; AUTHORIZER_METRICS=off writes none.
 */
import { describe, expect, it } from "vitest";
import { createLambdaHandler, type AuthorizerEvent } from "../../lambdas/authorizer.js";
import { mintToken, TEST_ISSUER } from "../support/keys.js";
import { useTestIssuer } from "./support/test-issuer.js";
import { FIXTURES_MISSING, tokenEvent } from "./fixtures.js";
import { emfProblems } from "./support/emf.js";

describe.skipIf(FIXTURES_MISSING !== undefined)("Lambda handler metrics (CloudWatch EMF)", () => {
  const issuer = useTestIssuer([
    { route: "GET /health", public: true },
    { route: "GET /orders/{id}", audience: "orders-api", scopes: ["orders:read"] },
  ]);

  it("writes a valid EMF line per decision and per JWKS fetch, with outcome and code", async () => {
    const lines: string[] = [];
    const handler = createLambdaHandler({ env: { AUTHORIZER_CONFIG: issuer.config }, log: () => {}, writeMetric: (line) => void lines.push(line) });
    const good = await mintToken(issuer.key);
    const expired = await mintToken(issuer.key, { nowSeconds: Date.now() / 1000 - 7200 });
    await handler(tokenEvent(good, "GET", "/orders/42") as AuthorizerEvent);
    await expect(handler(tokenEvent(expired, "GET", "/orders/42") as AuthorizerEvent)).rejects.toThrow("Unauthorized");

    for (const line of lines) expect(emfProblems(line)).toEqual([]);
    const docs = lines.map((line) => JSON.parse(line));
    expect(docs.filter((d) => d.Event === "jwks_fetch")).toHaveLength(1);
    const decisions = docs.filter((d) => d.Decisions === 1);
    expect(decisions.map((d) => [d.Outcome, d.Code, d.Route])).toEqual([
      ["allow", "OK", "GET /orders/{id}"],
      ["deny", "ERR_JWT_EXPIRED", "GET /orders/{id}"],
    ]);
    for (const token of [good, expired]) {
      for (const segment of token.split(".")) expect(lines.join("\n")).not.toContain(segment);
    }
  });

  it("counts an internal failure (keys unavailable) as Outcome=error", async () => {
    const lines: string[] = [];
    const down = JSON.stringify({ ...JSON.parse(issuer.config), issuers: [{ issuer: TEST_ISSUER, jwksUri: "http://127.0.0.1:9/jwks.json", algorithms: ["ES256"] }] });
    const handler = createLambdaHandler({ env: { AUTHORIZER_CONFIG: down }, log: () => {}, writeMetric: (line) => void lines.push(line) });
    await expect(handler(tokenEvent(await mintToken(issuer.key), "GET", "/orders/42") as AuthorizerEvent)).rejects.not.toThrow("Unauthorized");
    const docs = lines.map((line) => JSON.parse(line));
    expect(docs.find((d) => d.Decisions === 1)).toMatchObject({ Outcome: "error", Status: 503 });
    expect(docs.some((d) => d.JwksFailures === 1)).toBe(true);
  });

  it("counts a configuration that keeps the handler from starting as Outcome=error on every invocation", async () => {
    const lines: string[] = [];
    const logs: string[] = [];
    // Not JSON, with an inline secret in it: neither the log nor the error may quote the text.
    const broken = '{"issuers": [{"issuer": "x", "jwks": {"keys": [{"kty": "oct", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQ"} oops';
    const handler = createLambdaHandler({ env: { AUTHORIZER_CONFIG: broken }, log: (_l, e) => void logs.push(JSON.stringify(e)), writeMetric: (line) => void lines.push(line) });
    for (let i = 0; i < 2; i++) {
      const error = await handler(tokenEvent(await mintToken(issuer.key), "GET", "/orders/42") as AuthorizerEvent).catch((e: Error) => e);
      expect((error as Error).message).toMatch(/not valid JSON \(at position \d+/);
      expect((error as Error).message).not.toContain("c2VjcmV0");
    }
    expect(logs.join("\n")).not.toContain("c2VjcmV0");
    for (const line of lines) expect(emfProblems(line)).toEqual([]);
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ Outcome: "error", Code: "ERR_CONFIG_INVALID", Status: 500, Decisions: 1 }),
      expect.objectContaining({ Outcome: "error", Code: "ERR_CONFIG_INVALID", Status: 500, Decisions: 1 }),
    ]);
  });

  it("writes nothing with AUTHORIZER_METRICS=off, and refuses to start on an unknown value", async () => {
    const lines: string[] = [];
    const off = createLambdaHandler({ env: { AUTHORIZER_CONFIG: issuer.config, AUTHORIZER_METRICS: "off" }, log: () => {}, writeMetric: (line) => void lines.push(line) });
    await off(tokenEvent(await mintToken(issuer.key), "GET", "/orders/42") as AuthorizerEvent);
    expect(lines).toEqual([]);

    const typo = createLambdaHandler({ env: { AUTHORIZER_CONFIG: issuer.config, AUTHORIZER_METRICS: "cloudwatch" }, log: () => {}, writeMetric: () => {} });
    await expect(typo(tokenEvent(await mintToken(issuer.key), "GET", "/orders/42") as AuthorizerEvent)).rejects.toThrow(/AUTHORIZER_METRICS/);
  });
});
