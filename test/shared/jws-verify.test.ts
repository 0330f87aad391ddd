import { createHmac } from "node:crypto";
import { CompactSign, exportJWK, exportSPKI, generateKeyPair, importJWK } from "jose";
import type { CryptoKey as JoseKey, JWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { encodeBase64Url } from "../../shared/base64url.js";
import { AuthorizerError } from "../../shared/errors.js";
import { createKeySet } from "../../shared/key-set.js";
import { MAX_TOKEN_LENGTH, parseCompactJws, verifyCompactJws } from "../../shared/jws-verify.js";
import type { Algorithm } from "../../shared/types.js";

const utf8 = (text: string) => new TextEncoder().encode(text);
const b64 = (text: string) => encodeBase64Url(utf8(text));
const PAYLOAD = '{"sub":"alice","iss":"https://issuer.example/"}';

async function sign(alg: Algorithm, key: JoseKey | Uint8Array, header: Record<string, unknown> = {}, payload = PAYLOAD) {
  return new CompactSign(utf8(payload)).setProtectedHeader({ alg, ...header }).sign(key);
}

/** An HS256 token over any header text, signed outside the core (node:crypto) to test parsing rules. */
function hs256(secret: Uint8Array, headerJson: string, payload = b64(PAYLOAD)): string {
  const input = `${b64(headerJson)}.${payload}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}

async function rejection(promise: Promise<unknown>): Promise<AuthorizerError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AuthorizerError);
    return error as AuthorizerError;
  }
  throw new Error("expected a rejection");
}

const ASYMMETRIC: Algorithm[] = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];
const pairs = new Map<Algorithm, { privateKey: JoseKey; jwk: JWK }>();
let hmacSecret: Uint8Array;
let hmacJwks: { keys: JWK[] };

beforeAll(async () => {
  for (const alg of ASYMMETRIC) {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    pairs.set(alg, { privateKey, jwk: { ...(await exportJWK(publicKey)), kid: `kid-${alg}` } });
  }
  hmacSecret = crypto.getRandomValues(new Uint8Array(64));
  hmacJwks = { keys: [{ kty: "oct", k: encodeBase64Url(hmacSecret), kid: "hmac" }] };
});

const pair = (alg: Algorithm) => pairs.get(alg) ?? expect.unreachable();

describe("verifyCompactJws: accepted tokens", () => {
  it.each(ASYMMETRIC)("verifies %s signed by jose", async (alg) => {
    const { privateKey, jwk } = pair(alg);
    const token = await sign(alg, privateKey, { kid: jwk.kid, typ: "at+jwt" });
    const result = await verifyCompactJws(token, { keys: [jwk] }, { algorithms: [alg] });
    expect(result.header).toEqual({ alg, kid: jwk.kid, typ: "at+jwt" });
    expect(new TextDecoder().decode(result.payload)).toBe(PAYLOAD);
    expect(result.key).toEqual({ kid: jwk.kid, alg });
  });

  it.each(["HS256", "HS384", "HS512"] as const)("verifies %s with an oct secret", async (alg) => {
    const token = await sign(alg, hmacSecret, { kid: "hmac" });
    const result = await verifyCompactJws(token, hmacJwks, { algorithms: ["HS256", "HS384", "HS512"] });
    expect(result.key).toEqual({ kid: "hmac", alg });
  });

  it("takes a prebuilt key set, and verifies many tokens with it", async () => {
    const { privateKey, jwk } = pair("ES256");
    const keys = await createKeySet({ keys: [jwk, pair("RS256").jwk] }, { algorithms: ["ES256", "RS256"] });
    for (let i = 0; i < 3; i++) {
      const token = await sign("ES256", privateKey, { kid: jwk.kid }, `{"n":${i}}`);
      expect((await verifyCompactJws(token, keys, { algorithms: ["ES256"] })).key.alg).toBe("ES256");
    }
  });

  it("verifies a token without kid against a set with one key for its alg", async () => {
    const { privateKey, jwk } = pair("EdDSA");
    const token = await sign("EdDSA", privateKey);
    const result = await verifyCompactJws(token, { keys: [jwk, pair("ES256").jwk] }, { algorithms: ["EdDSA", "ES256"] });
    expect(result.key).toEqual({ kid: jwk.kid, alg: "EdDSA" });
  });

  it("accepts an empty payload at the JWS level (claims are checked elsewhere)", async () => {
    const token = hs256(hmacSecret, '{"alg":"HS256"}', "");
    expect((await verifyCompactJws(token, hmacJwks, { algorithms: ["HS256"] })).payload).toHaveLength(0);
  });
});

describe("verifyCompactJws: algorithm and key rules", () => {
  it.each(["none", "None", "NONE", "nOnE"])("refuses alg %s, with or without a signature", async (alg) => {
    const unsigned = `${b64(`{"alg":"${alg}"}`)}.${b64(PAYLOAD)}.`;
    expect((await rejection(verifyCompactJws(unsigned, hmacJwks, { algorithms: ["HS256"] }))).code).toBe("ERR_JWS_INVALID");
    const signed = hs256(hmacSecret, `{"alg":"${alg}"}`);
    expect((await rejection(verifyCompactJws(signed, hmacJwks, { algorithms: ["HS256"] }))).code).toBe("ERR_JWS_ALG_NOT_ALLOWED");
  });

  it("refuses an algorithm outside the issuer's list, even with a good signature", async () => {
    const { privateKey, jwk } = pair("PS256");
    const token = await sign("PS256", privateKey, { kid: jwk.kid });
    expect((await rejection(verifyCompactJws(token, { keys: [jwk] }, { algorithms: ["RS256"] }))).code).toBe(
      "ERR_JWS_ALG_NOT_ALLOWED",
    );
  });

  it("refuses HS256 signed with the RSA public key as the secret (algorithm confusion)", async () => {
    const { jwk } = pair("RS256");
    const keys = { keys: [jwk] };
    const pem = await exportSPKI((await importJWK(jwk, "RS256")) as JoseKey);
    for (const secret of [utf8(pem), utf8(JSON.stringify(jwk))]) {
      const token = await sign("HS256", secret, { kid: jwk.kid });
      expect((await rejection(verifyCompactJws(token, keys, { algorithms: ["RS256"] }))).code).toBe("ERR_JWS_ALG_NOT_ALLOWED");
      // even if HS256 were listed, an RSA key never verifies HMAC
      expect((await rejection(verifyCompactJws(token, keys, { algorithms: ["RS256", "HS256"] }))).code).toBe(
        "ERR_JWKS_NO_MATCHING_KEY",
      );
    }
  });

  it("refuses a token whose alg differs from the key's alg", async () => {
    const { privateKey, jwk } = pair("RS256");
    const token = await sign("RS256", privateKey, { kid: jwk.kid });
    const pinned = { keys: [{ ...jwk, alg: "PS256" }] };
    expect((await rejection(verifyCompactJws(token, pinned, { algorithms: ["RS256", "PS256"] }))).code).toBe(
      "ERR_JWKS_NO_MATCHING_KEY",
    );
  });

  it("refuses an unknown kid and a kid-less token against several keys", async () => {
    const { privateKey, jwk } = pair("ES256");
    const other = { ...pair("ES256").jwk, kid: "other" };
    const unknown = await sign("ES256", privateKey, { kid: "nope" });
    expect((await rejection(verifyCompactJws(unknown, { keys: [jwk] }, { algorithms: ["ES256"] }))).code).toBe(
      "ERR_JWKS_NO_MATCHING_KEY",
    );
    const kidless = await sign("ES256", privateKey);
    expect((await rejection(verifyCompactJws(kidless, { keys: [jwk, other] }, { algorithms: ["ES256"] }))).code).toBe(
      "ERR_JWKS_MULTIPLE_MATCHING_KEYS",
    );
  });

  it("refuses a signature from another key that claims the trusted kid", async () => {
    const attacker = await generateKeyPair("ES256");
    const { jwk } = pair("ES256");
    const token = await sign("ES256", attacker.privateKey, { kid: jwk.kid });
    expect((await rejection(verifyCompactJws(token, { keys: [jwk] }, { algorithms: ["ES256"] }))).code).toBe(
      "ERR_JWS_SIGNATURE_INVALID",
    );
  });

  it("never takes keys from jwk, jku, x5u or x5c in the header", async () => {
    const attacker = await generateKeyPair("ES256", { extractable: true });
    const attackerJwk = await exportJWK(attacker.publicKey);
    const { privateKey, jwk } = pair("ES256");
    const header = { kid: jwk.kid, jwk: attackerJwk, jku: "https://attacker.example/jwks", x5u: "https://attacker.example/c", x5c: ["AAAA"] };
    const forged = await sign("ES256", attacker.privateKey, header);
    expect((await rejection(verifyCompactJws(forged, { keys: [jwk] }, { algorithms: ["ES256"] }))).code).toBe(
      "ERR_JWS_SIGNATURE_INVALID",
    );
    // The members are ignored, not refused: a genuine token carrying them still verifies.
    const genuine = await sign("ES256", privateKey, header);
    expect((await verifyCompactJws(genuine, { keys: [jwk] }, { algorithms: ["ES256"] })).key.kid).toBe(jwk.kid);
  });

  it("refuses tampered payloads and signatures", async () => {
    const { privateKey, jwk } = pair("RS256");
    const [h, p, s] = (await sign("RS256", privateKey, { kid: jwk.kid })).split(".") as [string, string, string];
    const keys = { keys: [jwk] };
    for (const token of [`${h}.${b64('{"sub":"mallory"}')}.${s}`, `${h}.${p}.${s.slice(0, -2)}${s.endsWith("AA") ? "BA" : "AA"}`]) {
      expect((await rejection(verifyCompactJws(token, keys, { algorithms: ["RS256"] }))).code).toBe("ERR_JWS_SIGNATURE_INVALID");
    }
  });

  it("refuses ECDSA signatures in DER and of the wrong length", async () => {
    const { privateKey, jwk } = pair("ES256");
    const [h, p, s] = (await sign("ES256", privateKey, { kid: jwk.kid })).split(".") as [string, string, string];
    const raw = Buffer.from(s, "base64url");
    const integer = (bytes: Buffer) => {
      const trimmed = bytes.subarray(bytes.findIndex((b) => b !== 0));
      const body = (trimmed[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
      return Buffer.concat([Buffer.from([0x02, body.length]), body]);
    };
    const seq = Buffer.concat([integer(raw.subarray(0, 32)), integer(raw.subarray(32))]);
    const der = Buffer.concat([Buffer.from([0x30, seq.length]), seq]).toString("base64url");
    const zeros = encodeBase64Url(new Uint8Array(64));
    for (const signature of [der, zeros, encodeBase64Url(raw.subarray(0, 63)), encodeBase64Url(Buffer.concat([raw, Buffer.from([0])]))]) {
      expect((await rejection(verifyCompactJws(`${h}.${p}.${signature}`, { keys: [jwk] }, { algorithms: ["ES256"] }))).code).toBe(
        "ERR_JWS_SIGNATURE_INVALID",
      );
    }
  });

  it("refuses a mixed HMAC and public key set, and a document without keys", async () => {
    const token = hs256(hmacSecret, '{"alg":"HS256","kid":"hmac"}');
    const mixed = { keys: [...hmacJwks.keys, pair("ES256").jwk] };
    expect((await rejection(verifyCompactJws(token, mixed, { algorithms: ["HS256"] }))).code).toBe("ERR_JWKS_INVALID");
    // an object shaped like a key set is treated as a raw (and here invalid) JWKS document
    const fake = { size: 1, hasKid: () => true, select: () => ({ kid: "hmac", alg: "HS256", cryptoKey: null }) };
    expect((await rejection(verifyCompactJws(token, fake, { algorithms: ["HS256"] }))).code).toBe("ERR_JWKS_INVALID");
  });
});

describe("parseCompactJws: format rules", () => {
  const header = '{"alg":"HS256","kid":"hmac"}';
  const cases: [string, () => string, string, RegExp?][] = [
    ["an empty string", () => "", "ERR_JWS_INVALID"],
    ["two segments", () => `${b64(header)}.${b64(PAYLOAD)}`, "ERR_JWS_INVALID", /3 segments/],
    ["four segments", () => `${hs256(hmacSecret, header)}.x`, "ERR_JWS_INVALID", /3 segments/],
    ["five segments (JWE)", () => "a.b.c.d.e", "ERR_JWS_INVALID", /JWE/],
    ["an empty header", () => `.${b64(PAYLOAD)}.abc`, "ERR_JWS_INVALID"],
    ["an empty signature", () => `${b64(header)}.${b64(PAYLOAD)}.`, "ERR_JWS_INVALID"],
    ["padding in the header", () => `${b64(header)}=.${b64(PAYLOAD)}.abcd`, "ERR_JWS_INVALID", /base64url/],
    ["whitespace in the payload", () => hs256(hmacSecret, header).replace(".", ". "), "ERR_JWS_INVALID"],
    ["a '+' in the signature", () => `${hs256(hmacSecret, header).slice(0, -1)}+`, "ERR_JWS_INVALID"],
    ["a header that is not JSON", () => hs256(hmacSecret, "alg=HS256"), "ERR_JWS_INVALID", /header/],
    ["a header that is an array", () => hs256(hmacSecret, '["HS256"]'), "ERR_JWS_INVALID"],
    ["duplicate header members", () => hs256(hmacSecret, '{"alg":"none","alg":"HS256"}'), "ERR_JWS_INVALID", /duplicate/],
    ["no alg", () => hs256(hmacSecret, '{"kid":"hmac"}'), "ERR_JWS_INVALID", /alg/],
    ["a numeric alg", () => hs256(hmacSecret, '{"alg":256}'), "ERR_JWS_INVALID", /alg/],
    ["a numeric kid", () => hs256(hmacSecret, '{"alg":"HS256","kid":1}'), "ERR_JWS_INVALID", /kid/],
    ["an object typ", () => hs256(hmacSecret, '{"alg":"HS256","typ":{}}'), "ERR_JWS_INVALID", /typ/],
    ["crit", () => hs256(hmacSecret, '{"alg":"HS256","crit":["exp"],"exp":1}'), "ERR_JWS_UNSUPPORTED_HEADER", /crit/],
    ["an empty crit", () => hs256(hmacSecret, '{"alg":"HS256","crit":[]}'), "ERR_JWS_UNSUPPORTED_HEADER"],
    ["b64 false", () => hs256(hmacSecret, '{"alg":"HS256","b64":false}'), "ERR_JWS_UNSUPPORTED_HEADER", /b64/],
    ["b64 true", () => hs256(hmacSecret, '{"alg":"HS256","b64":true}'), "ERR_JWS_UNSUPPORTED_HEADER"],
    ["enc (a JWE header)", () => hs256(hmacSecret, '{"alg":"HS256","enc":"A128GCM"}'), "ERR_JWS_INVALID", /JWE/],
    ["zip", () => hs256(hmacSecret, '{"alg":"HS256","zip":"DEF"}'), "ERR_JWS_INVALID", /JWE/],
    ["an over-long token", () => hs256(hmacSecret, header, b64("x".repeat(MAX_TOKEN_LENGTH))), "ERR_JWS_INVALID", /longer/],
  ];

  it.each(cases)("refuses %s", async (_name, make, code, message) => {
    const token = make();
    const error = await rejection(verifyCompactJws(token, hmacJwks, { algorithms: ["HS256"] }));
    expect(error.code).toBe(code);
    if (message) expect(error.message).toMatch(message);
    // errors end up in logs: never the token or any of its segments
    for (const part of token.split(".").filter((s) => s.length > 3)) expect(error.message).not.toContain(part);
  });

  it("refuses a token that is not a string", () => {
    expect(() => parseCompactJws(42 as unknown as string)).toThrow(AuthorizerError);
    expect(() => parseCompactJws({ payload: "x" } as unknown as string)).toThrow(/not a string/);
  });

  it("returns the named parts, with the exact signing input", () => {
    const token = hs256(hmacSecret, header);
    const parsed = parseCompactJws(token);
    expect(parsed.header).toEqual({ alg: "HS256", kid: "hmac" });
    expect(new TextDecoder().decode(parsed.payload)).toBe(PAYLOAD);
    expect(new TextDecoder().decode(parsed.signingInput)).toBe(token.slice(0, token.lastIndexOf(".")));
    expect(parsed.signature).toHaveLength(32);
  });

  it("accepts a token of exactly the maximum length", async () => {
    const base = hs256(hmacSecret, header, "");
    const padding = MAX_TOKEN_LENGTH - base.length;
    const payload = b64("x".repeat(Math.floor((padding * 3) / 4)));
    const token = hs256(hmacSecret, header, payload);
    expect(token.length).toBeLessThanOrEqual(MAX_TOKEN_LENGTH);
    expect(token.length).toBeGreaterThan(MAX_TOKEN_LENGTH - 4);
    expect((await verifyCompactJws(token, hmacJwks, { algorithms: ["HS256"] })).key.alg).toBe("HS256");
  });
});
