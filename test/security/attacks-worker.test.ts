/**
 * The attack corpus end to end through the Worker in workerd: each case gets the status and the
 * WWW-Authenticate error of CONTRACT.md §2, and a denied request never reaches the origin.
 *
 * Token leaks: no token, payload or signature (nor the first 16 characters of either) of any case
 * appears in any answer's body or headers, in any line the Worker wrote in workerd (collected by
 * the harness), or in the Analytics Engine data points it writes (a second Worker with a `METRICS`
 * binding whose test double prints each point).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOrigin, type OriginServer } from "../workers/support/origin-server.js";
import { eventually, metricsPoints, startWorker, type TestWorker } from "../workers/support/worker-harness.js";
import { corpusConfig, startCorpus, type AttackCase } from "./attack-corpus.js";
import { corpusSecrets, expectNoLeaks, type Output } from "./leak-check.js";

const { keys, urls, attackerServer, corpus, close } = await startCorpus(Date.now() / 1000);
const secrets = corpusSecrets(corpus);

let origin: OriginServer;
let worker: TestWorker;
/** Denial bodies and headers, for the leak check. */
const answers: Output[] = [];

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

/** Sends one case; denials (the Worker's own answers) are kept for the leak check. */
async function send(fetch: TestWorker["fetch"], c: AttackCase) {
  const before = origin.received.length;
  const response = await fetch(c.path, { method: c.method, headers: headerPairs(c.headers) });
  const text = await response.text();
  const reached = origin.received.length - before;
  if (reached === 0) {
    answers.push({ source: `answer body for "${c.id}"`, text });
    answers.push({ source: `answer headers for "${c.id}"`, text: JSON.stringify([...response.headers]) });
  }
  return { response, text, reached };
}

const decisionLines = (lines: readonly string[]) => lines.filter((l) => l.includes('"event":"decision"')).length;
/** Cases the Worker itself answers (not refused by workerd's request parser first). */
const reachingWorker = corpus.filter((c) => c.frontMayRefuse === undefined).length;

describe("attack corpus through the Worker", { timeout: 30_000 }, () => {
  it.each(corpus.map((c) => [c.id, c] as const))("%s", async (_id, c) => {
    const { response, text, reached } = await send(worker.fetch, c);
    if (c.expected.allow) {
      expect(response.status, text).toBe(201);
      expect(reached).toBe(1);
      return;
    }
    expect(reached).toBe(0);
    if (c.frontMayRefuse !== undefined && response.status === c.frontMayRefuse) return;
    expect(response.status, text).toBe(c.expected.status);
    const challenge = response.headers.get("www-authenticate") ?? "";
    expect(challenge).toMatch(/^Bearer realm="/);
    if (c.expected.challengeError === undefined) expect(challenge).not.toContain("error=");
    else expect(challenge).toContain(`error="${c.expected.challengeError}"`);
    expect(JSON.parse(text), text).toMatchObject({ error: expect.any(String) });
  });

  it("never fetched a URL named by a token (jku, x5u)", () => {
    expect(attackerServer.requests).toBe(0);
  });

  it("never leaks a token, payload or signature into an answer or a log line in workerd, for any case", async () => {
    // Its own pass over every case, on top of what the tests above sent.
    const linesBefore = decisionLines(worker.logLines);
    for (const c of corpus) await send(worker.fetch, c);
    // workerd's stdout reaches the harness asynchronously: wait for every decision line.
    await eventually(async () => (decisionLines(worker.logLines) - linesBefore >= reachingWorker ? true : undefined), "the decision log lines");
    expect(answers.length).toBeGreaterThan(corpus.length);
    expectNoLeaks([...worker.logLines.map((text) => ({ source: "workerd log line", text })), ...answers], secrets);
  });
});

describe("attack corpus through the Worker with a METRICS binding", { timeout: 60_000 }, () => {
  let metricsWorker: TestWorker | undefined;
  afterAll(() => metricsWorker?.dispose());

  it("never leaks a token, payload or signature into a metrics data point or a log line, for any case", async () => {
    metricsWorker = await startWorker({ config: JSON.stringify(corpusConfig(keys, urls)), upstreamUrl: origin.url, metricsDouble: true });
    const { fetch, logLines: lines } = metricsWorker;
    for (const c of corpus) await send(fetch, c);
    const points = () => metricsPoints(lines).filter((p) => p.blobs[0] === "decision").length;
    await eventually(async () => (points() >= reachingWorker && decisionLines(lines) >= reachingWorker ? true : undefined), "the data points");
    expect(lines.some((l) => l.includes("metrics_binding_absent"))).toBe(false);
    expectNoLeaks(lines.map((text) => ({ source: text.includes("METRICS_POINT") ? "metrics data point" : "workerd log line", text })), secrets);
  });
});
