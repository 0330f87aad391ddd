import { exportJWK, generateKeyPair, generateSecret } from "jose";
import { describe, expect, it } from "vitest";
import { AuthorizerError } from "../../shared/errors.js";
import { createKeySet, isKeySet } from "../../shared/key-set.js";
import type { Algorithm } from "../../shared/types.js";

async function publicJwk(alg: Algorithm, extra: Record<string, unknown> = {}) {
  const { publicKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(publicKey)), ...extra };
}

async function secretJwk(alg: "HS256" | "HS384" | "HS512", extra: Record<string, unknown> = {}) {
  const secret = await generateSecret(alg, { extractable: true });
  return { ...(await exportJWK(secret)), ...extra };
}

async function codeOf(promise: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (error) {
    expect(error).toBeInstanceOf(AuthorizerError);
    return (error as AuthorizerError).code;
  }
  return undefined;
}

describe("createKeySet", () => {
  it("rejects documents that are not { keys: [...] }", async () => {
    for (const doc of [null, "x", [], {}, { keys: {} }, { keys: "a" }]) {
      expect(await codeOf(createKeySet(doc, { algorithms: ["RS256"] }))).toBe("ERR_JWKS_INVALID");
    }
  });

  it("rejects a set that mixes HMAC secrets and public keys, whole", async () => {
    const jwks = { keys: [await secretJwk("HS256", { kid: "s" }), await publicJwk("ES256", { kid: "e" })] };
    expect(await codeOf(createKeySet(jwks, { algorithms: ["HS256", "ES256"] }))).toBe("ERR_JWKS_INVALID");
    expect(await codeOf(createKeySet(jwks, { algorithms: ["ES256"] }))).toBe("ERR_JWKS_INVALID");
  });

  it("imports usable keys once per allowed algorithm and selects by alg and kid", async () => {
    const rsa = await publicJwk("RS256", { kid: "rsa" });
    const ec = await publicJwk("ES256", { kid: "ec" });
    const set = await createKeySet({ keys: [rsa, ec] }, { algorithms: ["RS256", "PS256", "ES256"] });
    expect(isKeySet(set)).toBe(true);
    expect(set.size).toBe(2);
    expect(set.kids).toEqual(["rsa", "ec"]);
    expect(set.hasKid("rsa")).toBe(true);
    expect(set.hasKid("nope")).toBe(false);
    const rs = set.select("RS256", "rsa");
    expect(rs.alg).toBe("RS256");
    expect(rs.cryptoKey.algorithm.name).toBe("RSASSA-PKCS1-v1_5");
    expect(set.select("PS256", "rsa").cryptoKey.algorithm.name).toBe("RSA-PSS");
    expect(set.select("ES256", "ec").cryptoKey.usages).toEqual(["verify"]);
    // the same key object on every call: imported once
    expect(set.select("RS256", "rsa")).toBe(rs);
    expect(await codeOf(() => set.select("ES256", "rsa"))).toBe("ERR_JWKS_NO_MATCHING_KEY");
    expect(await codeOf(() => set.select("RS512", "rsa"))).toBe("ERR_JWKS_NO_MATCHING_KEY");
    expect(await codeOf(() => set.select("RS256", "unknown"))).toBe("ERR_JWKS_NO_MATCHING_KEY");
  });

  it("treats a kid-less token against several keys, and duplicate kids, as ambiguous", async () => {
    const a = await publicJwk("ES256", { kid: "same" });
    const b = await publicJwk("ES256", { kid: "same" });
    const set = await createKeySet({ keys: [a, b] }, { algorithms: ["ES256"] });
    expect(await codeOf(() => set.select("ES256", "same"))).toBe("ERR_JWKS_MULTIPLE_MATCHING_KEYS");
    const distinct = await createKeySet({ keys: [a, { ...b, kid: "other" }] }, { algorithms: ["ES256"] });
    expect(distinct.select("ES256", "other").kid).toBe("other");
    expect(await codeOf(() => distinct.select("ES256", undefined))).toBe("ERR_JWKS_MULTIPLE_MATCHING_KEYS");
    const single = await createKeySet({ keys: [a] }, { algorithms: ["ES256"] });
    expect(single.select("ES256", undefined).kid).toBe("same");
  });

  it("keeps a kid ambiguous even when one of its keys is unusable", async () => {
    const a = await publicJwk("ES256", { kid: "same" });
    const b = await publicJwk("ES256", { kid: "same", use: "enc" });
    const set = await createKeySet({ keys: [a, b] }, { algorithms: ["ES256"] });
    expect(await codeOf(() => set.select("ES256", "same"))).toBe("ERR_JWKS_MULTIPLE_MATCHING_KEYS");
    // one kid for keys of different types is allowed (RFC 7517 §4.5)
    const mixedTypes = await createKeySet(
      { keys: [a, await publicJwk("RS256", { kid: "same" })] },
      { algorithms: ["ES256", "RS256"] },
    );
    expect(mixedTypes.select("RS256", "same").alg).toBe("RS256");
    expect(mixedTypes.select("ES256", "same").alg).toBe("ES256");
  });

  it("never answers a token's kid with a kid-less key", async () => {
    const set = await createKeySet({ keys: [await publicJwk("EdDSA")] }, { algorithms: ["EdDSA"] });
    expect(set.select("EdDSA", undefined).kid).toBeUndefined();
    expect(await codeOf(() => set.select("EdDSA", "k1"))).toBe("ERR_JWKS_NO_MATCHING_KEY");
  });

  it("leaves unusable keys out and says why", async () => {
    const good = await publicJwk("ES256", { kid: "good" });
    const enc = await publicJwk("ES256", { kid: "enc", use: "enc" });
    const offCurve = { ...(await publicJwk("ES256")), kid: "off" };
    offCurve.x = good.x; // x of one key with y of another: not a point on the curve
    const set = await createKeySet({ keys: [good, enc, "junk", offCurve] }, { algorithms: ["ES256"] });
    expect(set.size).toBe(1);
    expect(set.skipped.map((s) => [s.index, s.kid])).toEqual([[1, "enc"], [2, undefined], [3, "off"]]);
    expect(set.skipped[0]?.reason).toMatch(/use/);
    expect(set.skipped[2]?.reason).toMatch(/WebCrypto/);
    expect(set.select("ES256", undefined).kid).toBe("good");
  });

  it("imports HMAC secrets as verify-only HMAC keys for the algorithms their length allows", async () => {
    const secret = await secretJwk("HS384", { kid: "s" }); // 48 bytes: HS256 and HS384, not HS512
    const set = await createKeySet({ keys: [secret] }, { algorithms: ["HS256", "HS384", "HS512"] });
    expect(set.select("HS384", "s").cryptoKey.algorithm).toMatchObject({ name: "HMAC", hash: { name: "SHA-384" } });
    expect(set.select("HS256", "s").cryptoKey.usages).toEqual(["verify"]);
    expect(await codeOf(() => set.select("HS512", "s"))).toBe("ERR_JWKS_NO_MATCHING_KEY");
  });

  it("keyFor answers as select would, undefined where select throws", async () => {
    const a = await publicJwk("ES256", { kid: "a" });
    const set = await createKeySet({ keys: [a, await publicJwk("ES256", { kid: "dup" }), await publicJwk("ES256", { kid: "dup" })] }, { algorithms: ["ES256"] });
    expect(set.keyFor("ES256", "a")).toBe(set.select("ES256", "a"));
    expect(set.keyFor("ES256", "dup")).toBeUndefined();
    expect(set.keyFor("ES256", "unknown")).toBeUndefined();
    expect(set.keyFor("ES384", "a")).toBeUndefined();
    // The "dup" keys are left out, so a kid-less token meets one key, as with select.
    expect(set.keyFor("ES256", undefined)).toBe(set.select("ES256", undefined));
    const two = await createKeySet({ keys: [a, await publicJwk("ES256", { kid: "b" })] }, { algorithms: ["ES256"] });
    expect(two.keyFor("ES256", undefined)).toBeUndefined();
  });

  it("gives a key the same RFC 7638 thumbprint on every load, and other material another", async () => {
    const a = await publicJwk("RS256", { kid: "k", use: "sig" });
    const load = async (jwk: Record<string, unknown>) =>
      (await createKeySet({ keys: [jwk] }, { algorithms: ["RS256", "PS256"] })).select("RS256", "k").thumbprint;
    const first = await load(a);
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await load({ ...a, alg: "RS256" })).toBe(first); // members outside the key do not count
    expect(await load(await publicJwk("RS256", { kid: "k" }))).not.toBe(first);
    const both = await createKeySet({ keys: [a] }, { algorithms: ["RS256", "PS256"] });
    expect(both.select("PS256", "k").thumbprint).toBe(first);
    const secret = await secretJwk("HS256", { kid: "s" });
    const hmac = await createKeySet({ keys: [secret] }, { algorithms: ["HS256"] });
    expect(hmac.select("HS256", "s").thumbprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hmac.select("HS256", "s").thumbprint).not.toContain(secret.k as string);
  });

  it("does not take a plain object for a key set", () => {
    expect(isKeySet({ size: 1, hasKid: () => true, select: () => undefined })).toBe(false);
  });
});
