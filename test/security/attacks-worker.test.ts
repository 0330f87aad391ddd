/**
 * The attack corpus end to end through the Worker in workerd: each case gets the status and the
 * WWW-Authenticate error of CONTRACT.md §2, a denied request never reaches the origin, and the
 * answer body never carries the token.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOrigin, type OriginServer } from "../workers/support/origin-server.js";
import { startWorker, type TestWorker } from "../workers/support/worker-harness.js";
import { corpusConfig, startCorpus, type AttackCase } from "./attack-corpus.js";

const { keys, urls, attackerServer, corpus, close } = await startCorpus(Date.now() / 1000);

let origin: OriginServer;
let worker: TestWorker;

beforeAll(async () => {
  origin = await startOrigin();
  worker = await startWorker({ config: corpusConfig(keys, urls), upstreamUrl: origin.url });
}, 60_000);
afterAll(async () => {
  await worker?.dispose();
  await origin?.close();
  await close();
});

function headerPairs(headers: AttackCase["headers"]): [string, string][] {
  return Object.entries(headers).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v): [string, string] => [name, v]));
}

describe("attack corpus through the Worker", { timeout: 30_000 }, () => {
  it.each(corpus.map((c) => [c.id, c] as const))("%s", async (_id, c) => {
    const before = origin.received.length;
    const response = await worker.fetch(c.path, { method: c.method, headers: headerPairs(c.headers) });
    const text = await response.text();
    const reached = origin.received.length - before;
    if (c.expected.allow) {
      expect(response.status, text).toBe(201);
      expect(reached).toBe(1);
      return;
    }
    expect(reached).toBe(0);
    expect(response.status, text).toBe(c.expected.status);
    const challenge = response.headers.get("www-authenticate") ?? "";
    expect(challenge).toMatch(/^Bearer realm="/);
    if (c.expected.challengeError === undefined) expect(challenge).not.toContain("error=");
    else expect(challenge).toContain(`error="${c.expected.challengeError}"`);
    const token = /Bearer (\S+)/.exec(headerPairs(c.headers).map(([, v]) => v).join(" "))?.[1];
    if (token !== undefined && token.length > 20) expect(text).not.toContain(token.split(".")[1] ?? token);
  });

  it("never fetched a URL named by a token (jku, x5u)", () => {
    expect(attackerServer.requests).toBe(0);
  });
});
