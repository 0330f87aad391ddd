/**
 * The attack corpus through `authorize()`: every case gets exactly the status, challenge error and
 * code CONTRACT.md §2 requires, no attacker-named URL is ever fetched, and the layers beneath the
 * configuration (key sets, verifyCompactJws) hold on their own.
 */
import { afterAll, describe, expect, it } from "vitest";
import { createEmfMetrics } from "../../lambdas/emf-metrics.js";
import { createKeySet, createAuthorizer, parseConfig, verifyCompactJws, type Decision, type LogEntry } from "../../shared/index.js";
import { decisionPoint, jwksPoint } from "../../workers/analytics-metrics.js";
import { corpusConfig, ISSUERS, startCorpus, type AttackCase } from "./attack-corpus.js";
import { hmacSign, publicKeyForms } from "./forge.js";
import { corpusSecrets, expectNoLeaks, type Output } from "./leak-check.js";

const clock = Date.now();
const { keys, urls, attackerServer, corpus, close } = await startCorpus(clock / 1000);

/**
 * Everything the authorizer writes: each log line as the runtimes' logger writes it (one JSON
 * line), and each decision and JWKS event through both metrics formats (Lambda EMF lines, Worker
 * Analytics Engine data points), which hang off the same hooks in the runtimes.
 */
const outputs: Output[] = [];
const emf = createEmfMetrics({ write: (line) => outputs.push({ source: "EMF metric line", text: line }), now: () => clock });
const authorizer = createAuthorizer(parseConfig(corpusConfig(keys, urls)), {
  now: () => clock,
  log: (level, entry) => outputs.push({ source: `${level} log line`, text: JSON.stringify({ level, ...entry }) }),
  onDecision: (entry: LogEntry) => {
    emf.onDecision(entry);
    outputs.push({ source: "analytics data point", text: JSON.stringify(decisionPoint(entry)) });
  },
  onJwksEvent: (entry: LogEntry) => {
    emf.onJwksEvent(entry);
    outputs.push({ source: "analytics data point", text: JSON.stringify(jwksPoint(entry)) });
  },
});
afterAll(close);

export function expectAnswer(decision: Decision, c: AttackCase): void {
  if (c.expected.allow) {
    expect(decision, c.id).toMatchObject({ allow: true });
    return;
  }
  expect(decision, c.id).toMatchObject({ allow: false, status: c.expected.status, code: c.expected.code });
  if (decision.allow) return;
  const challenge = decision.wwwAuthenticate ?? "";
  expect(challenge.startsWith('Bearer realm="')).toBe(true);
  if (c.expected.challengeError === undefined) expect(challenge).not.toContain("error=");
  else expect(challenge).toContain(`error="${c.expected.challengeError}"`);
}

describe("attack corpus through authorize()", () => {
  it("holds every attack class and positive controls", () => {
    const classes = new Set(corpus.map((c) => c.attackClass));
    for (const name of [
      "control", "alg-none", "hmac-key-confusion", "alg-not-allowed", "alg-other-issuer", "kid", "header-keys", "crit", "b64",
      "nested", "jwe", "duplicate-members", "claim-types", "numeric-dates", "audience", "issuer-swap", "same-kid",
      "ecdsa-der", "zero-signature", "ed25519", "oversized", "oversized-request", "lookalike-iss", "token-placement", "method-override",
    ]) {
      expect(classes, name).toContain(name);
    }
    expect(corpus.filter((c) => c.expected.allow).length).toBeGreaterThanOrEqual(5);
  });

  it.each(corpus.map((c) => [c.id, c] as const))("%s", async (_id, c) => {
    const decision = await authorizer.authorize({ method: c.method, path: c.path, headers: c.headers });
    expectAnswer(decision, c);
  });

  it("never fetched a URL named by a token (jku, x5u)", () => {
    expect(attackerServer.requests).toBe(0);
    expect(attackerServer.requestLog).toEqual([]);
  });

  it("never leaks a token or a claim value into a decision's text, for any case", async () => {
    for (const c of corpus) {
      const decision = await authorizer.authorize({ method: c.method, path: c.path, headers: c.headers });
      if (decision.allow) continue;
      const text = `${decision.description} ${decision.wwwAuthenticate ?? ""} ${decision.error}`;
      expect(text, c.id).not.toMatch(/eyJ|user-1|orders-api/);
    }
  });

  it("never leaks a token, payload or signature into any log line, metric or decision, for any case", async () => {
    // Its own pass over every case (so it holds whichever tests ran before it), on top of what the
    // cases above already wrote.
    const before = outputs.length;
    const decisions: Output[] = [];
    for (const c of corpus) {
      try {
        const decision = await authorizer.authorize({ method: c.method, path: c.path, headers: c.headers });
        decisions.push({ source: `decision for "${c.id}"`, text: JSON.stringify(decision) });
      } catch (error) {
        // authorize() must never reject; if it did, its message is an output too.
        decisions.push({ source: `error thrown for "${c.id}"`, text: `${String(error)} ${(error as Error)?.stack ?? ""}` });
        expect.fail(`authorize() rejected for ${c.id}`);
      }
    }
    // Not vacuous: one decision line and one EMF line per case at least, and key fetches were logged.
    const written = outputs.slice(before);
    expect(written.filter((o) => o.text.includes('"event":"decision"')).length).toBeGreaterThanOrEqual(corpus.length);
    expect(written.filter((o) => o.source === "EMF metric line").length).toBeGreaterThanOrEqual(corpus.length);
    expect(outputs.some((o) => o.text.includes("jwks_fetch"))).toBe(true);
    const secrets = corpusSecrets(corpus);
    expect(secrets.length).toBeGreaterThan(corpus.length);
    expectNoLeaks([...outputs, ...decisions], secrets);
  });

  it("the leak check itself finds a signature's first 16 characters and a payload segment", () => {
    const c = corpus.find((x) => x.id === "control: valid ES256") as AttackCase;
    const [, payload, signature] = (c.headers.authorization as string).slice("Bearer ".length).split(".") as [string, string, string];
    const secrets = corpusSecrets([c]);
    expect(() => expectNoLeaks([{ source: "log", text: `{"sig":"${signature.slice(0, 16)}"}` }], secrets)).toThrow(/signature segment, first 16/);
    expect(() => expectNoLeaks([{ source: "log", text: `x${payload}x` }], secrets)).toThrow(/payload segment/);
    expect(() => expectNoLeaks([{ source: "log", text: JSON.stringify({ sub: "user-1", kid: "ec-1" }) }], secrets)).not.toThrow();
  });
});

describe("HMAC/public-key confusion below the configuration", () => {
  // parseConfig refuses HS* beside public keys; these prove the key layer refuses it too, so a
  // configuration bug or a direct verifyCompactJws caller cannot reopen the hole.
  it("parseConfig refuses HS256 next to RS256 or a jwksUri", () => {
    expect(() => parseConfig({
      issuers: [{ issuer: ISSUERS.rsa, jwksUri: urls.rsaJwks, algorithms: ["RS256", "HS256"] }],
      routes: [{ route: "GET /x", public: true }],
    })).toThrow(/algorithms/);
    expect(() => parseConfig({
      issuers: [{ issuer: ISSUERS.rsa, jwksUri: urls.rsaJwks, algorithms: ["HS256"] }],
      routes: [{ route: "GET /x", public: true }],
    })).toThrow(/issuers\[0\]/);
  });

  it("a key set never uses an RSA or EC public key as an HMAC secret", async () => {
    for (const key of [keys.rsa, keys.ec]) {
      const set = await createKeySet({ keys: [key.publicJwk] }, { algorithms: ["HS256", "HS384", "HS512"] });
      expect(set.size).toBe(0);
      for (const [form, secret] of Object.entries(await publicKeyForms(key))) {
        const token = hmacSign("HS256", secret, { alg: "HS256", kid: key.kid }, { iss: ISSUERS.rsa });
        await expect(verifyCompactJws(token, { keys: [key.publicJwk] }, { algorithms: ["HS256"] }), form)
          .rejects.toMatchObject({ code: "ERR_JWKS_NO_MATCHING_KEY" });
        // Even with the key's alg stripped and every algorithm allowed, HS256 finds no key.
        const { alg: _alg, ...bare } = key.publicJwk;
        await expect(verifyCompactJws(token, { keys: [bare] }, { algorithms: ["HS256", key.alg] }), form)
          .rejects.toMatchObject({ code: "ERR_JWKS_NO_MATCHING_KEY" });
      }
    }
  });

  it("a JWKS mixing an oct secret and public keys is refused whole", async () => {
    const mixed = { keys: [keys.rsa.publicJwk, { kty: "oct", k: Buffer.from(keys.hsSecret).toString("base64url"), kid: "hs-1" }] };
    await expect(createKeySet(mixed, { algorithms: ["HS256"] })).rejects.toMatchObject({ code: "ERR_JWKS_INVALID" });
  });
});
