/**
 * The attack corpus end to end through the Lambda handler, with events built from the real API
 * Gateway events: REST REQUEST (every case), REST TOKEN (cases that a TOKEN authorizer can see:
 * one Authorization value, no query) and HTTP API 2.0 simple responses. Per CONTRACT.md §2:
 * 400/401 -> `Error("Unauthorized")`; 403 -> a policy that does not allow this request's ARN;
 * allow -> a policy that allows it; HTTP API simple -> `isAuthorized` true only for an allow.
 */
import { afterAll, describe, expect, it } from "vitest";
import { createLambdaHandler } from "../../lambdas/authorizer.js";
import { corpusConfig, startCorpus, type AttackCase } from "./attack-corpus.js";
import { FIXTURES_PRESENT, httpApiEvent, methodArnOf, MISSING_FIXTURES, policyAllows, restRequestEvent, restTokenEvent } from "./lambda-events.js";

const clock = Date.now();
const { keys, urls, attackerServer, corpus, close } = await startCorpus(clock / 1000);
const config = JSON.stringify(corpusConfig(keys, urls));
const options = { now: () => clock, log: () => undefined };
const rest = createLambdaHandler({ ...options, env: { AUTHORIZER_CONFIG: config, HTTP_API_RESPONSE: "iam" } });
const simple = createLambdaHandler({ ...options, env: { AUTHORIZER_CONFIG: config, HTTP_API_RESPONSE: "simple" } });

afterAll(close);

async function expectIamAnswer(event: Record<string, unknown>, c: AttackCase): Promise<void> {
  const arn = methodArnOf(event);
  if (c.expected.allow) {
    expect(policyAllows(await rest(event as never), arn)).toBe(true);
  } else if (c.expected.status === 403) {
    expect(policyAllows(await rest(event as never), arn)).toBe(false);
  } else {
    await expect(rest(event as never)).rejects.toThrow(/^Unauthorized$/);
  }
}

// A TOKEN authorizer sees only the Authorization value: cases with a query or other headers are out.
const tokenCases = corpus.filter((c) => !c.path.includes("?") && typeof c.headers.authorization === "string" && Object.keys(c.headers).length === 1);

describe.skipIf(!FIXTURES_PRESENT)("attack corpus through the Lambda handler", () => {
  it.each(corpus.map((c) => [c.id, c] as const))("REST REQUEST: %s", async (_id, c) => {
    await expectIamAnswer(restRequestEvent(c), c);
  });

  it.each(tokenCases.map((c) => [c.id, c] as const))("REST TOKEN: %s", async (_id, c) => {
    await expectIamAnswer(restTokenEvent(c.method, c.path, c.headers.authorization as string), c);
  });

  it.each(corpus.map((c) => [c.id, c] as const))("HTTP API simple: %s", async (_id, c) => {
    const result = (await simple(httpApiEvent(c, "GET /orders/{id}") as never)) as { isAuthorized: boolean };
    expect(result.isAuthorized).toBe(c.expected.allow);
  });

  it("never fetched a URL named by a token (jku, x5u)", () => {
    expect(attackerServer.requests).toBe(0);
  });
});

describe.skipIf(FIXTURES_PRESENT)("attack corpus through the Lambda handler", () => {
  it.skip(MISSING_FIXTURES, () => undefined);
});
