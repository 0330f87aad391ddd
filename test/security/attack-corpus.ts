/**
 * The attack corpus as data: crafted requests and the exact answer CONTRACT.md §2 requires for
 * each. The same cases run through `authorize()` (attacks-core), the Worker in workerd
 * (attacks-worker) and the Lambda handler (attacks-lambda), so a defence that holds in the core
 * but is lost in an adapter shows up as a failing case there.
 *
 * Every token is forged for real: signed with WebCrypto or HMAC by the test, with the issuer's own
 * key where the case isolates a non-signature defence (so that only that defence can refuse it).
 * A few positive controls (`expected.allow`) prove that the harnesses can say yes at all.
 */
import type { ErrorCode } from "../../shared/errors.js";
import { startJwksServer, type JwksServer } from "../support/jwks-server.js";
import { generateTestKey, TEST_ISSUER, type TestKey } from "../support/keys.js";
import {
  b64u, bigIntToBe, ecdsaRawToDer, ed25519NonCanonical, hmacSign, P256_N, publicKeyForms, signatureOf, signWith,
  withSignature, type JsonPart,
} from "./forge.js";

export const ISSUERS = {
  rsa: "https://rsa.issuer.test/",
  ec: TEST_ISSUER,
  partner: "https://partner.issuer.test/",
  ed: "https://ed.issuer.test/",
  hs: "https://hs.issuer.test/",
} as const;

/** The protected route every case targets unless it says otherwise. */
export const TARGET = { method: "GET", path: "/orders/42" } as const;

export interface CorpusKeys {
  rsa: TestKey;
  ec: TestKey;
  /** Another issuer's key under the same kid and algorithm as `ec`. */
  partner: TestKey;
  ed: TestKey;
  hsSecret: Uint8Array;
  /** The attacker's keys; `attackerEc` reuses the issuer's kid. */
  attackerEc: TestKey;
  attackerEd: TestKey;
}

export interface CorpusUrls {
  rsaJwks: string;
  ecJwks: string;
  /** A JWKS the attacker controls (it must never be fetched). */
  attackerJwks: string;
}

export async function corpusKeys(): Promise<CorpusKeys> {
  const [rsa, ec, partner, ed, attackerEc, attackerEd] = await Promise.all([
    generateTestKey("RS256", "rsa-1"),
    generateTestKey("ES256", "ec-1"),
    generateTestKey("ES256", "ec-1"),
    generateTestKey("EdDSA", "ed-1"),
    generateTestKey("ES256", "ec-1"),
    generateTestKey("EdDSA", "ed-1"),
  ]);
  const hsSecret = crypto.getRandomValues(new Uint8Array(32));
  return { rsa, ec, partner, ed, hsSecret, attackerEc, attackerEd };
}

export interface CorpusFixture {
  keys: CorpusKeys;
  urls: CorpusUrls;
  /** The attacker's JWKS server: its request count must stay 0. */
  attackerServer: JwksServer;
  corpus: AttackCase[];
  close(): Promise<void>;
}

/** Keys, the issuers' and the attacker's JWKS servers, and the corpus minted at `nowSeconds`. */
export async function startCorpus(nowSeconds: number): Promise<CorpusFixture> {
  const keys = await corpusKeys();
  const [rsaServer, ecServer, attackerServer] = await Promise.all([
    startJwksServer({ jwks: { keys: [keys.rsa.publicJwk] } }),
    startJwksServer({ jwks: { keys: [keys.ec.publicJwk] } }),
    startJwksServer({ jwks: { keys: [keys.attackerEc.publicJwk] } }),
  ]);
  const urls = { rsaJwks: rsaServer.url, ecJwks: ecServer.url, attackerJwks: attackerServer.url };
  return {
    keys, urls, attackerServer,
    corpus: await buildAttackCorpus(keys, urls, nowSeconds),
    close: async () => {
      await Promise.all([rsaServer.close(), ecServer.close(), attackerServer.close()]);
    },
  };
}

/** The configuration every runtime is given (a raw document: parseConfig, the Worker or Lambda read it). */
export function corpusConfig(keys: CorpusKeys, urls: CorpusUrls): Record<string, unknown> {
  return {
    issuers: [
      { issuer: ISSUERS.rsa, jwksUri: urls.rsaJwks, algorithms: ["RS256"] },
      { issuer: ISSUERS.ec, jwksUri: urls.ecJwks, algorithms: ["ES256"] },
      { issuer: ISSUERS.partner, jwks: { keys: [keys.partner.publicJwk] }, algorithms: ["ES256"] },
      { issuer: ISSUERS.ed, jwks: { keys: [keys.ed.publicJwk] }, algorithms: ["EdDSA"] },
      {
        issuer: ISSUERS.hs,
        jwks: { keys: [{ kty: "oct", k: b64u(keys.hsSecret), kid: "hs-1", alg: "HS256", use: "sig" }] },
        algorithms: ["HS256"],
      },
    ],
    routes: [
      { route: "GET /public/{proxy+}", public: true },
      { route: "GET /orders/{id}", audience: "orders-api", scopes: ["orders:read"] },
      { route: "ANY /admin/{proxy+}", audience: "admin-api", scopes: ["admin"] },
    ],
    tokenSources: ["header:authorization", "query:access_token"],
    forward: { headerPrefix: "x-auth-", claimHeaders: { sub: "x-auth-sub" } },
  };
}

export type Expected =
  | { allow: true }
  | {
      allow: false;
      status: 400 | 401 | 403 | 503;
      /** The `error` attribute of WWW-Authenticate; undefined for a bare challenge. */
      challengeError: "invalid_request" | "invalid_token" | "insufficient_scope" | undefined;
      code: ErrorCode;
    };

export interface AttackCase {
  /** Stable, unique, human-readable. */
  id: string;
  attackClass: string;
  method: string;
  /** Path and query, as sent. */
  path: string;
  /** Header name -> value; an array is a header sent several times. */
  headers: Record<string, string | string[]>;
  expected: Expected;
  /**
   * An HTTP layer in front of the authorizer (workerd's request parser) may refuse the request
   * with this status before the Worker sees it; the origin must still never be reached.
   */
  frontMayRefuse?: 431;
}

const allowed: Expected = { allow: true };
const invalidToken = (code: ErrorCode): Expected => ({ allow: false, status: 401, challengeError: "invalid_token", code });
const badRequest = (code: ErrorCode): Expected => ({ allow: false, status: 400, challengeError: "invalid_request", code });
const forbidden = (code: ErrorCode): Expected => ({ allow: false, status: 403, challengeError: "insufficient_scope", code });
const noToken: Expected = { allow: false, status: 401, challengeError: undefined, code: "ERR_TOKEN_MISSING" };

export async function buildAttackCorpus(keys: CorpusKeys, urls: CorpusUrls, nowSeconds: number): Promise<AttackCase[]> {
  const now = Math.floor(nowSeconds);
  const cases: AttackCase[] = [];
  const add = (attackClass: string, id: string, token: string | undefined, expected: Expected, extra: Partial<AttackCase> = {}) => {
    cases.push({
      id: `${attackClass}: ${id}`,
      attackClass,
      method: TARGET.method,
      path: TARGET.path,
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      expected,
      ...extra,
    });
  };
  const claims = (iss: string, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    iss, sub: "user-1", aud: "orders-api", scope: "orders:read", iat: now, nbf: now, exp: now + 600, jti: `j-${cases.length}`,
    ...overrides,
  });
  const header = (key: TestKey, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    alg: key.alg, kid: key.kid, typ: "at+jwt", ...overrides,
  });
  /** Signed by the issuer's own key: only the defence under test can refuse it. */
  const own = (key: TestKey, iss: string, h: Record<string, unknown> = {}, c: Record<string, unknown> = {}) =>
    signWith(key, header(key, h), claims(iss, c));
  const ownRaw = (key: TestKey, h: JsonPart, c: JsonPart) => signWith(key, h, c);

  // Positive controls: without these, a harness that denies everything would pass the corpus.
  add("control", "valid RS256", await own(keys.rsa, ISSUERS.rsa), allowed);
  add("control", "valid ES256", await own(keys.ec, ISSUERS.ec), allowed);
  add("control", "valid ES256 of a second issuer with the same kid", await own(keys.partner, ISSUERS.partner), allowed);
  add("control", "valid EdDSA", await own(keys.ed, ISSUERS.ed), allowed);
  add("control", "valid HS256", hmacSign("HS256", keys.hsSecret, { alg: "HS256", kid: "hs-1" }, claims(ISSUERS.hs)), allowed);
  add("control", "valid token, missing scope", await own(keys.ec, ISSUERS.ec, {}, { scope: "orders:list" }), forbidden("ERR_SCOPE_INSUFFICIENT"));
  add("control", "valid token, fractional exp in the future", await own(keys.ec, ISSUERS.ec, {}, { exp: now + 600.5 }), allowed);

  // alg "none" in every casing, with an empty signature and with one present.
  for (const alg of ["none", "None", "NONE", "nOnE", "NoNe"]) {
    const unsigned = `${b64u(JSON.stringify({ alg, typ: "at+jwt" }))}.${b64u(JSON.stringify(claims(ISSUERS.ec)))}`;
    add("alg-none", `${alg}, empty signature`, `${unsigned}.`, invalidToken("ERR_JWS_INVALID"));
    add("alg-none", `${alg}, junk signature`, `${unsigned}.${b64u("signature")}`, invalidToken("ERR_JWS_ALG_NOT_ALLOWED"));
    add("alg-none", `${alg} with the issuer's kid, real ES256 signature`, await own(keys.ec, ISSUERS.ec, { alg }), invalidToken("ERR_JWS_ALG_NOT_ALLOWED"));
  }

  // HS* signed with the issuer's public key as the HMAC secret (RS256 -> HS256 key confusion).
  for (const key of [keys.rsa, keys.ec]) {
    const iss = key === keys.rsa ? ISSUERS.rsa : ISSUERS.ec;
    for (const [form, secret] of Object.entries(await publicKeyForms(key))) {
      for (const alg of ["HS256", "HS384", "HS512"] as const) {
        add("hmac-key-confusion", `${alg} with the ${key.alg} public key as ${form}`,
          hmacSign(alg, secret, { alg, kid: key.kid, typ: "at+jwt" }, claims(iss)), invalidToken("ERR_JWS_ALG_NOT_ALLOWED"));
      }
    }
  }
  add("hmac-key-confusion", "HS256 for the HMAC issuer, signed with the RSA public key (PEM)",
    hmacSign("HS256", (await publicKeyForms(keys.rsa))["PEM (SPKI)"] as string, { alg: "HS256", kid: "hs-1" }, claims(ISSUERS.hs)),
    invalidToken("ERR_JWS_SIGNATURE_INVALID"));

  // Algorithms outside the issuer's list, including ones another issuer accepts.
  add("alg-not-allowed", "RS512 header on the RS256 issuer", await own(keys.rsa, ISSUERS.rsa, { alg: "RS512" }), invalidToken("ERR_JWS_ALG_NOT_ALLOWED"));
  add("alg-not-allowed", "PS256 header on the RS256 issuer", await own(keys.rsa, ISSUERS.rsa, { alg: "PS256" }), invalidToken("ERR_JWS_ALG_NOT_ALLOWED"));
  add("alg-not-allowed", "lower-case rs256", await own(keys.rsa, ISSUERS.rsa, { alg: "rs256" }), invalidToken("ERR_JWS_ALG_NOT_ALLOWED"));
  add("alg-not-allowed", "Ed25519 (fully-specified name) for the EdDSA issuer", await own(keys.ed, ISSUERS.ed, { alg: "Ed25519" }), invalidToken("ERR_JWS_ALG_NOT_ALLOWED"));
  add("alg-other-issuer", "ES256 (the EC issuer's) claiming the RSA issuer", await own(keys.ec, ISSUERS.rsa), invalidToken("ERR_JWS_ALG_NOT_ALLOWED"));
  add("alg-other-issuer", "EdDSA (the Ed issuer's) claiming the EC issuer", await own(keys.ed, ISSUERS.ec), invalidToken("ERR_JWS_ALG_NOT_ALLOWED"));
  add("alg-other-issuer", "HS256 (the HMAC issuer's) claiming the EC issuer",
    hmacSign("HS256", keys.hsSecret, { alg: "HS256", kid: "hs-1" }, claims(ISSUERS.ec)), invalidToken("ERR_JWS_ALG_NOT_ALLOWED"));

  // kid values: unknown, empty, very long, path and SQL characters, wrong type.
  const kids: [string, unknown, ErrorCode][] = [
    ["unknown", "no-such-key", "ERR_JWKS_NO_MATCHING_KEY"],
    ["empty", "", "ERR_JWKS_NO_MATCHING_KEY"],
    ["4096 characters", "k".repeat(4096), "ERR_JWKS_NO_MATCHING_KEY"],
    ["path traversal", "../../../../etc/passwd", "ERR_JWKS_NO_MATCHING_KEY"],
    ["URL", "https://attacker.test/key.pem", "ERR_JWKS_NO_MATCHING_KEY"],
    ["SQL", "' OR '1'='1' --", "ERR_JWKS_NO_MATCHING_KEY"],
    ["NUL byte", "ec-1\u0000", "ERR_JWKS_NO_MATCHING_KEY"],
    ["number", 1, "ERR_JWS_INVALID"],
    ["null", null, "ERR_JWS_INVALID"],
    ["array", ["ec-1"], "ERR_JWS_INVALID"],
  ];
  for (const [name, kid, code] of kids) add("kid", name, await own(keys.ec, ISSUERS.ec, { kid }), invalidToken(code));

  // Header members that point at keys: never followed, never trusted.
  const attackerJwk = keys.attackerEc.publicJwk;
  const attackerSpki = b64u(new Uint8Array(await crypto.subtle.exportKey("spki", keys.attackerEc.publicKey)));
  const embedded: [string, Record<string, unknown>, ErrorCode][] = [
    ["jku to the attacker's JWKS, attacker kid", { jku: urls.attackerJwks, kid: "evil-1" }, "ERR_JWKS_NO_MATCHING_KEY"],
    ["jku to the attacker's JWKS, issuer's kid", { jku: urls.attackerJwks }, "ERR_JWS_SIGNATURE_INVALID"],
    ["x5u to the attacker's URL", { x5u: urls.attackerJwks }, "ERR_JWS_SIGNATURE_INVALID"],
    ["jwk with the attacker's public key", { jwk: attackerJwk }, "ERR_JWS_SIGNATURE_INVALID"],
    ["jwk with the attacker's public key, no kid", { jwk: attackerJwk, kid: undefined }, "ERR_JWS_SIGNATURE_INVALID"],
    ["x5c with the attacker's key", { x5c: [attackerSpki] }, "ERR_JWS_SIGNATURE_INVALID"],
  ];
  for (const [name, h, code] of embedded) {
    add("header-keys", name, await signWith(keys.attackerEc, withoutUndefined(header(keys.attackerEc, h)), claims(ISSUERS.ec)), invalidToken(code));
  }

  // crit and b64, validly signed by the issuer.
  add("crit", "crit naming exp", await own(keys.ec, ISSUERS.ec, { crit: ["exp"], exp: now + 600 }), invalidToken("ERR_JWS_UNSUPPORTED_HEADER"));
  add("crit", "crit empty", await own(keys.ec, ISSUERS.ec, { crit: [] }), invalidToken("ERR_JWS_UNSUPPORTED_HEADER"));
  add("b64", "b64: false", await own(keys.ec, ISSUERS.ec, { b64: false, crit: ["b64"] }), invalidToken("ERR_JWS_UNSUPPORTED_HEADER"));
  add("b64", "b64: false without crit", await own(keys.ec, ISSUERS.ec, { b64: false }), invalidToken("ERR_JWS_UNSUPPORTED_HEADER"));

  // Nested tokens: the payload is itself a (valid) token.
  const inner = await own(keys.ec, ISSUERS.ec);
  const innerBytes = { bytes: new TextEncoder().encode(inner) };
  add("nested", "cty JWT, outer signed by the issuer", await ownRaw(keys.ec, header(keys.ec, { cty: "JWT" }), innerBytes), invalidToken("ERR_JWS_INVALID"));
  add("nested", "cty JWT, outer signed by the attacker", await ownRaw(keys.attackerEc, header(keys.attackerEc, { cty: "JWT" }), innerBytes), invalidToken("ERR_JWS_INVALID"));
  add("nested", "cty JWT, outer alg none", `${b64u(JSON.stringify({ alg: "none", cty: "JWT" }))}.${b64u(inner)}.${b64u("x")}`, invalidToken("ERR_JWS_INVALID"));

  // JWE-shaped and other segment counts.
  const jweHeader = b64u(JSON.stringify({ alg: "RSA-OAEP-256", enc: "A256GCM", kid: "rsa-1" }));
  add("jwe", "5 segments", `${jweHeader}.${b64u("k")}.${b64u("iv")}.${b64u("ct")}.${b64u("tag")}`, invalidToken("ERR_JWS_INVALID"));
  add("jwe", "3 segments with enc in the header", await own(keys.ec, ISSUERS.ec, { enc: "A256GCM" }), invalidToken("ERR_JWS_INVALID"));
  add("jwe", "4 segments", `${inner}.${b64u("x")}`, invalidToken("ERR_JWS_INVALID"));
  add("jwe", "2 segments", inner.split(".").slice(0, 2).join("."), invalidToken("ERR_JWS_INVALID"));

  // Duplicate JSON members: two parsers must never read one token two ways.
  const c = JSON.stringify(claims(ISSUERS.ec)).slice(1, -1);
  add("duplicate-members", "alg twice in the header",
    await ownRaw(keys.ec, { raw: `{"alg":"ES256","kid":"ec-1","alg":"none"}` }, claims(ISSUERS.ec)), invalidToken("ERR_JWS_INVALID"));
  add("duplicate-members", "kid twice in the header",
    await ownRaw(keys.ec, { raw: `{"alg":"ES256","kid":"evil","kid":"ec-1"}` }, claims(ISSUERS.ec)), invalidToken("ERR_JWS_INVALID"));
  add("duplicate-members", "aud twice in the payload",
    await ownRaw(keys.ec, header(keys.ec), { raw: `{"aud":"billing-api",${c}}` }), invalidToken("ERR_JWS_INVALID"));
  add("duplicate-members", "scope twice in the payload",
    await ownRaw(keys.ec, header(keys.ec), { raw: `{${c},"scope":"admin"}` }), invalidToken("ERR_JWS_INVALID"));
  add("duplicate-members", "__proto__ in the payload",
    await ownRaw(keys.ec, header(keys.ec), { raw: `{${c},"__proto__":{"scope":"admin"}}` }), invalidToken("ERR_JWS_INVALID"));
  add("duplicate-members", "duplicate inside a nested object",
    await ownRaw(keys.ec, header(keys.ec), { raw: `{${c},"ext":{"a":1,"a":2}}` }), invalidToken("ERR_JWS_INVALID"));

  // iss and aud of the wrong type.
  for (const [name, value] of [["number", 1], ["object", { iss: ISSUERS.ec }], ["array", [ISSUERS.ec]], ["nested array", [[ISSUERS.ec]]], ["null", null]] as const) {
    add("claim-types", `iss as ${name}`, await own(keys.ec, ISSUERS.ec, {}, { iss: value }), invalidToken("ERR_JWT_CLAIM_INVALID"));
  }
  for (const [name, value] of [["number", 1], ["object", { aud: "orders-api" }], ["nested array", [["orders-api"]]], ["array with a number", ["orders-api", 1]], ["null", null]] as const) {
    add("claim-types", `aud as ${name}`, await own(keys.ec, ISSUERS.ec, {}, { aud: value }), invalidToken("ERR_JWT_CLAIM_INVALID"));
  }

  // NumericDate abuse.
  const dates: [string, string, string, ErrorCode][] = [
    ["exp", "string", `"${now + 600}"`, "ERR_JWT_CLAIM_INVALID"],
    ["exp", "negative", "-1", "ERR_JWT_CLAIM_INVALID"],
    ["exp", "1e999 (Infinity)", "1e999", "ERR_JWT_CLAIM_INVALID"],
    ["exp", "1e308", "1e308", "ERR_JWT_CLAIM_INVALID"],
    ["exp", '"NaN"', '"NaN"', "ERR_JWT_CLAIM_INVALID"],
    ["exp", "boolean", "true", "ERR_JWT_CLAIM_INVALID"],
    ["exp", "null", "null", "ERR_JWT_CLAIM_INVALID"],
    ["exp", "-0", "-0", "ERR_JWT_EXPIRED"],
    ["exp", "fractional, 31.5 s ago (past the 30 s leeway)", String(now - 31.5), "ERR_JWT_EXPIRED"],
    ["nbf", "string", `"${now}"`, "ERR_JWT_CLAIM_INVALID"],
    ["nbf", "1e308", "1e308", "ERR_JWT_CLAIM_INVALID"],
    ["nbf", "negative", "-1e9", "ERR_JWT_CLAIM_INVALID"],
    ["nbf", "fractional, 60.5 s ahead", String(now + 60.5), "ERR_JWT_NOT_YET_VALID"],
    ["iat", "string", `"${now}"`, "ERR_JWT_CLAIM_INVALID"],
    ["iat", "1e308", "1e308", "ERR_JWT_CLAIM_INVALID"],
    ["iat", "an hour ahead", String(now + 3600), "ERR_JWT_ISSUED_IN_FUTURE"],
    ["iat", "negative", "-1", "ERR_JWT_CLAIM_INVALID"],
    ["iat", '"NaN"', '"NaN"', "ERR_JWT_CLAIM_INVALID"],
    ["iat", '"Infinity"', '"Infinity"', "ERR_JWT_CLAIM_INVALID"],
    ["iat", "fractional, 120.5 s ahead", String(now + 120.5), "ERR_JWT_ISSUED_IN_FUTURE"],
  ];
  for (const [claim, name, json, code] of dates) {
    const rest = JSON.stringify(claims(ISSUERS.ec, { [claim]: undefined })).slice(1, -1);
    add("numeric-dates", `${claim} ${name}`, await ownRaw(keys.ec, header(keys.ec), { raw: `{${rest},"${claim}":${json}}` }), invalidToken(code));
  }
  // A fractional iat in the past is a valid NumericDate (RFC 7519 §2): refusing it would be a bug too.
  const pastIat = JSON.stringify(claims(ISSUERS.ec, { iat: undefined })).slice(1, -1);
  add("numeric-dates", "iat fractional, 10.25 s ago (control)", await ownRaw(keys.ec, header(keys.ec), { raw: `{${pastIat},"iat":${now - 10.25}}` }), allowed);
  add("numeric-dates", "exp missing", await own(keys.ec, ISSUERS.ec, {}, { exp: undefined }), invalidToken("ERR_JWT_CLAIM_MISSING"));

  // Tokens for another audience.
  for (const [name, aud] of [["another API", "billing-api"], ["list without ours", ["billing-api", "admin-api"]], ["case variant", "Orders-API"], ["trailing space", "orders-api "], ["missing", undefined]] as const) {
    add("audience", name, await own(keys.ec, ISSUERS.ec, {}, { aud }), invalidToken("ERR_JWT_AUDIENCE_MISMATCH"));
  }

  // Issuer swaps and foreign signatures.
  add("issuer-swap", "issuer A's token naming issuer B (same alg and kid)", await own(keys.ec, ISSUERS.partner), invalidToken("ERR_JWS_SIGNATURE_INVALID"));
  add("issuer-swap", "issuer B's token naming issuer A (same alg and kid)", await own(keys.partner, ISSUERS.ec), invalidToken("ERR_JWS_SIGNATURE_INVALID"));
  add("same-kid", "attacker key under the issuer's kid", await own(keys.attackerEc, ISSUERS.ec), invalidToken("ERR_JWS_SIGNATURE_INVALID"));
  add("same-kid", "attacker Ed25519 key under the issuer's kid", await own(keys.attackerEd, ISSUERS.ed), invalidToken("ERR_JWS_SIGNATURE_INVALID"));
  const valid = await own(keys.ec, ISSUERS.ec);
  const upgraded = `${valid.split(".")[0]}.${b64u(JSON.stringify(claims(ISSUERS.ec, { scope: "orders:read admin", aud: ["orders-api", "admin-api"] })))}.${valid.split(".")[2]}`;
  add("same-kid", "claims edited, original signature kept", upgraded, invalidToken("ERR_JWS_SIGNATURE_INVALID"));

  // Signature encodings and degenerate values.
  add("ecdsa-der", "ES256 signature in DER", withSignature(valid, ecdsaRawToDer(signatureOf(valid))), invalidToken("ERR_JWS_SIGNATURE_INVALID"));
  const derPadded = new Uint8Array(64);
  const der = ecdsaRawToDer(signatureOf(valid));
  derPadded.set(der.subarray(0, 64));
  add("ecdsa-der", "ES256 DER signature cut to 64 bytes", withSignature(valid, derPadded), invalidToken("ERR_JWS_SIGNATURE_INVALID"));
  add("zero-signature", "ES256 r = s = 0", withSignature(valid, new Uint8Array(64)), invalidToken("ERR_JWS_SIGNATURE_INVALID"));
  const n = bigIntToBe(P256_N, 32);
  add("zero-signature", "ES256 r = s = n", withSignature(valid, new Uint8Array([...n, ...n])), invalidToken("ERR_JWS_SIGNATURE_INVALID"));
  add("zero-signature", "ES256 r = 0, s kept", withSignature(valid, new Uint8Array([...new Uint8Array(32), ...signatureOf(valid).subarray(32)])), invalidToken("ERR_JWS_SIGNATURE_INVALID"));
  add("zero-signature", "RS256 all-zero signature", withSignature(await own(keys.rsa, ISSUERS.rsa), new Uint8Array(256)), invalidToken("ERR_JWS_SIGNATURE_INVALID"));
  add("zero-signature", "HS256 all-zero tag", withSignature(hmacSign("HS256", keys.hsSecret, { alg: "HS256", kid: "hs-1" }, claims(ISSUERS.hs)), new Uint8Array(32)), invalidToken("ERR_JWS_SIGNATURE_INVALID"));
  add("zero-signature", "HS256 tag truncated to 16 bytes", withSignature(hmacSign("HS256", keys.hsSecret, { alg: "HS256", kid: "hs-1" }, claims(ISSUERS.hs)), new Uint8Array(16)), invalidToken("ERR_JWS_SIGNATURE_INVALID"));
  const edValid = await own(keys.ed, ISSUERS.ed);
  add("ed25519", "EdDSA all-zero signature", withSignature(edValid, new Uint8Array(64)), invalidToken("ERR_JWS_SIGNATURE_INVALID"));
  add("ed25519", "EdDSA non-canonical S (S + L)", withSignature(edValid, ed25519NonCanonical(signatureOf(edValid))), invalidToken("ERR_JWS_SIGNATURE_INVALID"));
  const identityR = new Uint8Array(64);
  identityR[0] = 1;
  add("ed25519", "EdDSA R = identity point, S = 0", withSignature(edValid, identityR), invalidToken("ERR_JWS_SIGNATURE_INVALID"));

  // Size.
  add("oversized", "64 KB token (validly signed)", await own(keys.ec, ISSUERS.ec, {}, { pad: "x".repeat(48 * 1024) }), invalidToken("ERR_JWS_INVALID"));
  add("oversized", "64 KB header (validly signed)", await own(keys.ec, ISSUERS.ec, { pad: "x".repeat(48 * 1024) }), invalidToken("ERR_JWS_INVALID"));
  add("oversized", "16 KB + 1 token of junk", `${"a".repeat(8192)}.${"b".repeat(8192)}.c`, invalidToken("ERR_JWS_INVALID"));

  // Oversized HTTP headers (not the token: the request around it). Runtimes in front may refuse
  // these first (API Gateway, Cloudflare); whoever answers, it is a coded denial, never a crash.
  const kb64 = 64 * 1024;
  const bigHeaders = (count: number, size: number): Record<string, string> =>
    Object.fromEntries(Array.from({ length: count }, (_, i) => [`x-pad-${String(i).padStart(2, "0")}`, "p".repeat(size)]));
  add("oversized-request", "64 KB Authorization value (Bearer + junk)", `${"A".repeat(kb64)}`, invalidToken("ERR_JWS_INVALID"));
  add("oversized-request", "64 KB Authorization value shaped like a JWS", `${valid.split(".")[0]}.${"B".repeat(kb64)}.${valid.split(".")[2]}`, invalidToken("ERR_JWS_INVALID"));
  add("oversized-request", "64 KB of other headers, no token", undefined, noToken, { headers: bigHeaders(64, 1024) });
  // 128 KB of headers in all: workerd itself answers 431 before the Worker runs (measured).
  add("oversized-request", "64 KB of other headers and a 64 KB Authorization value", undefined, invalidToken("ERR_JWS_INVALID"),
    { headers: { ...bigHeaders(64, 1024), authorization: `Bearer ${"C".repeat(kb64)}` }, frontMayRefuse: 431 });

  // Look-alike issuers (signed by the real key, so only the exact comparison refuses them).
  const lookalikes: [string, string][] = [
    ["Cyrillic i", "https://\u0456ssuer.test/"],
    ["fullwidth solidus", "https://issuer.test\uff0f"],
    ["zero-width space", "https://issuer.test/\u200b"],
    ["no trailing slash", "https://issuer.test"],
    ["upper-case scheme", "HTTPS://issuer.test/"],
    ["trailing space", "https://issuer.test/ "],
    ["punycode host", "https://xn--ssuer-m4a.test/"],
  ];
  for (const [name, iss] of lookalikes) add("lookalike-iss", name, await own(keys.ec, ISSUERS.ec, {}, { iss }), invalidToken("ERR_JWT_ISSUER_UNKNOWN"));

  // Where the token is, and how many.
  add("token-placement", "token in the header and the query", valid, badRequest("ERR_REQUEST_INVALID"), { path: `${TARGET.path}?access_token=${valid}` });
  add("token-placement", "another token in the query", valid, badRequest("ERR_REQUEST_INVALID"), { path: `${TARGET.path}?access_token=${edValid}` });
  add("token-placement", "token twice in the query", undefined, badRequest("ERR_REQUEST_INVALID"), { path: `${TARGET.path}?access_token=${valid}&access_token=${valid}` });
  add("token-placement", "two Authorization headers", undefined, badRequest("ERR_REQUEST_INVALID"), { headers: { authorization: [`Bearer ${valid}`, `Bearer ${edValid}`] } });
  add("token-placement", "Bearer and Basic in one header", undefined, badRequest("ERR_REQUEST_INVALID"), { headers: { authorization: `Bearer ${valid}, Basic dXNlcjpwYXNz` } });
  add("token-placement", "Bearer with no token", undefined, badRequest("ERR_REQUEST_INVALID"), { headers: { authorization: "Bearer " } });
  add("token-placement", "Bearer with two tokens", undefined, badRequest("ERR_REQUEST_INVALID"), { headers: { authorization: `Bearer ${valid} ${valid}` } });
  add("token-placement", "Basic only", undefined, noToken, { headers: { authorization: "Basic dXNlcjpwYXNz" } });
  add("token-placement", "no credentials", undefined, noToken);
  add("token-placement", "lower-case scheme (control)", undefined, allowed, { headers: { authorization: `bearer ${valid}` } });
  add("token-placement", "query token only (control)", undefined, allowed, { path: `${TARGET.path}?access_token=${valid}` });

  // Method overrides: frameworks serve the request as the method a header names.
  add("method-override", "X-HTTP-Method-Override: DELETE on a GET", undefined, badRequest("ERR_REQUEST_INVALID"),
    { headers: { authorization: `Bearer ${valid}`, "x-http-method-override": "DELETE" } });
  add("method-override", "X-HTTP-Method: POST on a GET", undefined, badRequest("ERR_REQUEST_INVALID"),
    { headers: { authorization: `Bearer ${valid}`, "X-HTTP-Method": "POST" } });
  add("method-override", "X-Method-Override: PUT on a public route, no token", undefined, badRequest("ERR_REQUEST_INVALID"),
    { path: "/public/x", headers: { "x-method-override": "PUT" } });
  add("method-override", "an override naming the request's own method (control)", undefined, allowed,
    { headers: { authorization: `Bearer ${valid}`, "x-http-method-override": "get" } });

  const ids = new Set<string>();
  for (const c of cases) {
    if (ids.has(c.id)) throw new Error(`duplicate corpus id ${c.id}`);
    ids.add(c.id);
  }
  return cases;
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
