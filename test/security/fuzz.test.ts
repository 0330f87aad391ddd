/**
 * Property-based fuzzing of authorize() with fast-check.
 *
 * - Mutations of valid tokens (bit flips and byte edits in every segment, character edits, segment
 *   swaps, duplications and truncations, non-canonical re-encodings, header and claim edits
 *   re-signed with a wrong key) are never accepted, and are refused as 400/401 (never 403, which
 *   would mean the signature passed).
 * - Random strings as the Authorization header, random header objects, random JWS-shaped tokens
 *   and random paths never make authorize() reject: it resolves to a known code and a status
 *   from {400, 401, 403, 503}.
 *
 * CI runs a short seeded run (seed 0x5eed unless FUZZ_SEED); fast-check prints the seed and the
 * counterexample path on failure. `npm run fuzz` multiplies every run count (FUZZ_MULTIPLIER) for
 * well over 100,000 cases with a fresh seed.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createAuthorizer, parseConfig, type Decision } from "../../shared/index.js";
import { generateTestKey, type TestKey } from "../support/keys.js";
import { b64u, hmacSign, signWith } from "./forge.js";

const MULTIPLIER = Number(process.env.FUZZ_MULTIPLIER ?? "1");
const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : MULTIPLIER > 1 ? Date.now() % 2 ** 31 : 0x5eed;
const runs = (base: number) => Math.max(1, Math.round(base * MULTIPLIER));
const TIMEOUT = 20_000 * Math.max(1, MULTIPLIER);
if (MULTIPLIER > 1) console.log(`fuzz: seed ${SEED}, multiplier ${MULTIPLIER}`);
const params = (numRuns: number) => ({ seed: SEED, numRuns, endOnFailure: true });

/** Every code in shared/errors.ts's ErrorCode union: a denial must carry one of these. */
const KNOWN_CODES = new Set(
  [...readFileSync(new URL("../../shared/errors.ts", import.meta.url), "utf8").matchAll(/\|\s*"(ERR_[A-Z_]+)"/g)].map((m) => m[1]),
);
const STATUSES = new Set([400, 401, 403, 503]);

const ISS = { hs: "https://hs.fuzz.test/", ec: "https://ec.fuzz.test/", rsa: "https://rsa.fuzz.test/", ed: "https://ed.fuzz.test/" };
const secret = crypto.getRandomValues(new Uint8Array(32));
const wrongSecret = crypto.getRandomValues(new Uint8Array(32));
const [ec, rsa, ed, wrongEc, wrongRsa, wrongEd] = await Promise.all([
  generateTestKey("ES256", "ec"), generateTestKey("RS256", "rsa"), generateTestKey("EdDSA", "ed"),
  generateTestKey("ES256", "ec"), generateTestKey("RS256", "rsa"), generateTestKey("EdDSA", "ed"),
]) as [TestKey, TestKey, TestKey, TestKey, TestKey, TestKey];

const config = parseConfig({
  issuers: [
    { issuer: ISS.hs, jwks: { keys: [{ kty: "oct", k: b64u(secret), kid: "hs", alg: "HS256" }] }, algorithms: ["HS256"] },
    { issuer: ISS.ec, jwks: { keys: [ec.publicJwk] }, algorithms: ["ES256"] },
    { issuer: ISS.rsa, jwks: { keys: [rsa.publicJwk] }, algorithms: ["RS256"] },
    { issuer: ISS.ed, jwks: { keys: [ed.publicJwk] }, algorithms: ["EdDSA"] },
  ],
  routes: [
    { route: "GET /orders/{id}", audience: "orders-api", scopes: ["orders:read"] },
    { route: "GET /public/{proxy+}", public: true },
  ],
  tokenSources: ["header:authorization", "query:access_token", "cookie:session"],
});
// One authorizer for the whole file, as in production: the verified-token cache stays warm with the
// valid originals, so a mutation that were served from the cache by mistake would show up.
const authorizer = createAuthorizer(config, { log: () => undefined });
const now = Math.floor(Date.now() / 1000);
const claims = (iss: string, i: number) => ({
  iss, sub: `user-${i}`, aud: i % 2 === 0 ? "orders-api" : ["orders-api", "other"], scope: "orders:read",
  iat: now, nbf: now, exp: now + 3600, jti: `fuzz-${i}`,
});

const hsTokens = Array.from({ length: 16 }, (_, i) => hmacSign("HS256", secret, { alg: "HS256", kid: "hs", typ: "at+jwt" }, claims(ISS.hs, i)));
const asymmetric = await Promise.all(
  [[ec, ISS.ec, wrongEc], [rsa, ISS.rsa, wrongRsa], [ed, ISS.ed, wrongEd]].map(async ([key, iss, wrong]) => ({
    key: key as TestKey, iss: iss as string, wrong: wrong as TestKey,
    tokens: await Promise.all([0, 1, 2, 3].map((i) => signWith(key as TestKey, { alg: (key as TestKey).alg, kid: (key as TestKey).kid }, claims(iss as string, i)))),
  })),
);

async function decide(token: string, path = "/orders/7"): Promise<Decision> {
  return authorizer.authorize({ method: "GET", path, headers: { authorization: `Bearer ${token}` } });
}

function expectCodedDenial(decision: Decision, what: string): void {
  if (decision.allow) return;
  expect(KNOWN_CODES, what).toContain(decision.code);
  expect(STATUSES, `${what}: status ${decision.status} ${decision.code}`).toContain(decision.status);
}

// ---- mutations ------------------------------------------------------------------------------

const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const segment = fc.constantFrom(0, 1, 2);

const mutation = fc.oneof(
  fc.record({ kind: fc.constant("bitflip" as const), segment, index: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant("byte" as const), segment, index: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("insert" as const), segment, index: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("delete" as const), segment, index: fc.nat() }),
  fc.record({ kind: fc.constant("char" as const), index: fc.nat(), char: fc.constantFrom(...`${B64URL}.=+/ \t%`) }),
  fc.record({ kind: fc.constant("swap" as const), order: fc.constantFrom([1, 0, 2], [0, 2, 1], [2, 1, 0], [1, 2, 0], [2, 0, 1]) }),
  fc.record({ kind: fc.constant("duplicate" as const), segment }),
  fc.record({ kind: fc.constant("drop" as const), segment }),
  fc.record({ kind: fc.constant("truncate" as const), keep: fc.nat() }),
  fc.record({ kind: fc.constant("reencode" as const), segment, how: fc.constantFrom("pad", "standard", "trailing-bits", "whitespace") }),
  fc.record({
    kind: fc.constant("resign" as const),
    header: fc.dictionary(fc.constantFrom("alg", "kid", "typ", "cty", "jku", "x"), fc.oneof(fc.constantFrom("HS256", "none", "ES256", "hs", "JWT"), fc.integer())),
    claims: fc.dictionary(fc.constantFrom("iss", "aud", "scope", "exp", "sub", "nbf"), fc.oneof(fc.string(), fc.integer(), fc.constant(null))),
  }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

const bytesOf = (part: string) => new Uint8Array(Buffer.from(part, "base64url"));

function reencode(part: string, how: string): string {
  switch (how) {
    case "pad": return part + "=".repeat((4 - (part.length % 4)) % 4 || 1);
    case "standard": return Buffer.from(part, "base64url").toString("base64");
    case "whitespace": return `${part.slice(0, 4)}\n${part.slice(4)}`;
    default: {
      // Set unused low bits of the last character: lenient decoders read the same bytes.
      const unused = [0, 0, 4, 2][part.length % 4] as number;
      if (unused === 0 || part.length === 0) return `${part}A`;
      const last = B64URL.indexOf(part[part.length - 1] as string);
      return part.slice(0, -1) + B64URL[last | 1];
    }
  }
}

/** Applies one mutation; `wrong` signs re-signed variants with a key the issuer never trusted. */
function mutate(token: string, m: Mutation, wrong: (header: Record<string, unknown>, payload: Record<string, unknown>) => string): string {
  const parts = token.split(".");
  const edit = (i: number, f: (bytes: number[]) => void) => {
    const bytes = [...bytesOf(parts[i] as string)];
    f(bytes);
    parts[i] = b64u(new Uint8Array(bytes));
    return parts.join(".");
  };
  switch (m.kind) {
    case "bitflip":
      return edit(m.segment, (b) => { if (b.length) b[m.index % b.length] = (b[m.index % b.length] as number) ^ (1 << m.bit); });
    case "byte":
      return edit(m.segment, (b) => { if (b.length) b[m.index % b.length] = m.value; });
    case "insert":
      return edit(m.segment, (b) => b.splice(m.index % (b.length + 1), 0, m.value));
    case "delete":
      return edit(m.segment, (b) => { if (b.length) b.splice(m.index % b.length, 1); });
    case "char": {
      const i = m.index % token.length;
      return token.slice(0, i) + m.char + token.slice(i + 1);
    }
    case "swap":
      return m.order.map((i) => parts[i]).join(".");
    case "duplicate":
      parts.splice(m.segment, 0, parts[m.segment] as string);
      return parts.join(".");
    case "drop":
      parts.splice(m.segment, 1);
      return parts.join(".");
    case "truncate":
      return token.slice(0, m.keep % token.length);
    case "reencode":
      parts[m.segment] = reencode(parts[m.segment] as string, m.how);
      return parts.join(".");
    case "resign": {
      const header = { ...JSON.parse(Buffer.from(parts[0] as string, "base64url").toString()), ...m.header };
      const payload = { ...JSON.parse(Buffer.from(parts[1] as string, "base64url").toString()), ...m.claims };
      return wrong(header, payload);
    }
  }
}

async function expectRefused(original: string, mutated: string): Promise<void> {
  fc.pre(mutated !== original);
  const decision = await decide(mutated);
  expect(decision.allow, `accepted a mutation: ${mutated}`).toBe(false);
  expectCodedDenial(decision, mutated);
  // 403 would mean the token verified and only the route refused it.
  if (!decision.allow) expect([400, 401], decision.code).toContain(decision.status);
}

describe("fuzz: mutated tokens are never accepted", () => {
  it("the originals are accepted (the property below is not vacuous)", async () => {
    for (const token of [...hsTokens, ...asymmetric.flatMap((a) => a.tokens)]) expect((await decide(token)).allow).toBe(true);
  });

  it("HS256: every kind of mutation", { timeout: TIMEOUT }, async () => {
    const wrong = (h: Record<string, unknown>, p: Record<string, unknown>) => hmacSign("HS256", wrongSecret, h, p);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...hsTokens), mutation, (token, m) => expectRefused(token, mutate(token, m, wrong))),
      params(runs(6000)),
    );
  });

  it("ES256, RS256 and EdDSA: every kind of mutation", { timeout: TIMEOUT }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...asymmetric), fc.nat(), mutation, async (issuer, pick, m) => {
        const token = issuer.tokens[pick % issuer.tokens.length] as string;
        const parts = token.split(".");
        const resigned = m.kind === "resign"
          ? await signWith(issuer.wrong, { ...JSON.parse(Buffer.from(parts[0] as string, "base64url").toString()), ...m.header },
              { ...JSON.parse(Buffer.from(parts[1] as string, "base64url").toString()), ...m.claims })
          : undefined;
        await expectRefused(token, resigned ?? mutate(token, m, () => "")); // resign handled above
      }),
      params(runs(600)),
    );
  });
});

describe("fuzz: hostile input never escapes as an exception", () => {
  it("random Authorization values", { timeout: TIMEOUT }, async () => {
    const value = fc.oneof(
      fc.string({ unit: "binary", maxLength: 300 }),
      fc.string({ maxLength: 300 }).map((s) => `Bearer ${s}`),
      fc.array(fc.string({ unit: fc.constantFrom(...`${B64URL}.=~+/`), maxLength: 60 }), { maxLength: 5 }).map((s) => `Bearer ${s.join(".")}`),
    );
    await fc.assert(
      fc.asyncProperty(value, async (v) => {
        const decision = await authorizer.authorize({ method: "GET", path: "/orders/1", headers: { authorization: v } });
        expect(decision.allow).toBe(false);
        expectCodedDenial(decision, JSON.stringify(v));
      }),
      params(runs(4000)),
    );
  });

  it("random header objects (names, arrays, null, undefined) and Headers", { timeout: TIMEOUT }, async () => {
    const name = fc.oneof(fc.constantFrom("authorization", "Authorization", "AUTHORIZATION", "cookie", "Cookie", "x-auth-sub"), fc.string({ maxLength: 20 }));
    const headerValue = fc.oneof(
      fc.string({ maxLength: 80 }), fc.constant(null), fc.constant(undefined),
      fc.array(fc.oneof(fc.string({ maxLength: 60 }), fc.constant(hsTokens[0] as string).map((t) => `Bearer ${t}`)), { maxLength: 3 }),
      fc.constant(`Bearer ${hsTokens[1]}`), fc.constant(`session=${hsTokens[2]}`),
    );
    await fc.assert(
      fc.asyncProperty(fc.dictionary(name, headerValue, { maxKeys: 6 }), fc.boolean(), async (headers, asHeaders) => {
        let input: Record<string, unknown> | Headers = headers;
        if (asHeaders) {
          const h = new Headers();
          for (const [k, v] of Object.entries(headers)) {
            try {
              for (const item of Array.isArray(v) ? v : [v]) if (typeof item === "string") h.append(k, item);
            } catch { /* not a valid header name or value for fetch: a runtime would never hand it over */ }
          }
          input = h;
        }
        const decision = await authorizer.authorize({ method: "GET", path: "/orders/1", headers: input as never });
        expectCodedDenial(decision, JSON.stringify(headers));
      }),
      params(runs(3000)),
    );
  });

  it("random JWS-shaped tokens from random header and payload objects", { timeout: TIMEOUT }, async () => {
    const header = fc.oneof(
      fc.object({ maxDepth: 2 }),
      fc.record({ alg: fc.constantFrom("HS256", "ES256", "RS256", "EdDSA", "none", "HS512"), kid: fc.oneof(fc.constantFrom("hs", "ec", "rsa", "ed"), fc.string()) }, { requiredKeys: [] }),
    );
    const payload = fc.oneof(
      fc.object({ maxDepth: 2 }),
      fc.record({
        iss: fc.oneof(fc.constantFrom(...Object.values(ISS)), fc.jsonValue()),
        aud: fc.oneof(fc.constant("orders-api"), fc.jsonValue()),
        exp: fc.oneof(fc.constant(now + 60), fc.double(), fc.jsonValue()),
        scope: fc.oneof(fc.constant("orders:read"), fc.jsonValue()),
      }, { requiredKeys: [] }),
    );
    const signature = fc.uint8Array({ maxLength: 300 });
    await fc.assert(
      fc.asyncProperty(header, payload, signature, async (h, p, s) => {
        const token = `${b64u(JSON.stringify(h))}.${b64u(JSON.stringify(p) ?? "")}.${b64u(s)}`;
        const decision = await decide(token);
        expect(decision.allow).toBe(false);
        expectCodedDenial(decision, token);
      }),
      params(runs(3000)),
    );
  });

  it("random paths and methods", { timeout: TIMEOUT }, async () => {
    const path = fc.oneof(
      fc.string({ unit: "binary", maxLength: 80 }),
      fc.webPath().map((p) => (p.startsWith("/") ? p : `/${p}`)),
      fc.array(fc.oneof(fc.constantFrom("orders", "public", "..", ".", "%2e", "%2F", "%", "%zz", "%c0%af", "%ff", ";", "\\", "", "%00", "?", "#"), fc.string({ maxLength: 6 })), { maxLength: 6 })
        .map((segments) => `/${segments.join("/")}`),
    );
    const method = fc.oneof(fc.constantFrom("GET", "get", "HEAD", "POST", "OPTIONS", "ANY", "", " GET"), fc.string({ maxLength: 8 }));
    await fc.assert(
      fc.asyncProperty(path, method, fc.boolean(), async (p, m, withToken) => {
        const headers = withToken ? { authorization: `Bearer ${hsTokens[3]}` } : {};
        const decision = await authorizer.authorize({ method: m, path: p, headers });
        expectCodedDenial(decision, JSON.stringify([m, p]));
        if (decision.allow && decision.public) expect(decision.route).toBe("GET /public/{proxy+}");
      }),
      params(runs(4000)),
    );
  });
});
