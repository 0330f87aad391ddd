import { CompactSign, exportJWK, generateKeyPair } from "jose";
import { describe, expect, it } from "vitest";
import { importPublicJwk } from "../../shared/key-set.js";
import { SIGNATURE_SCHEMES, expectedSignatureLength, verifySignature } from "../../shared/signature-params.js";
import { ASYMMETRIC_ALGORITHMS, HMAC_ALGORITHMS } from "../../shared/types.js";
import type { Algorithm } from "../../shared/types.js";

describe("signature-params", () => {
  it("has a scheme for every supported algorithm and none other", () => {
    expect(Object.keys(SIGNATURE_SCHEMES).sort()).toEqual([...ASYMMETRIC_ALGORITHMS, ...HMAC_ALGORITHMS].sort());
  });

  it.each([
    ["PS256", 32],
    ["PS384", 48],
    ["PS512", 64],
  ] as const)("uses a salt as long as the hash for %s (RFC 7518 §3.5)", (alg, salt) => {
    expect(SIGNATURE_SCHEMES[alg].verify).toEqual({ name: "RSA-PSS", saltLength: salt });
  });

  it.each([
    ["RS256", 2048, 256],
    ["PS512", 3072, 384],
    ["ES256", 0, 64],
    ["ES384", 0, 96],
    ["ES512", 0, 132],
    ["EdDSA", 0, 64],
  ] as const)("expects %s signatures of the exact length", async (alg, modulusLength, length) => {
    const options = modulusLength ? { modulusLength, extractable: true } : { extractable: true };
    const { privateKey, publicKey } = await generateKeyPair(alg, options);
    const key = await importPublicJwk(await exportJWK(publicKey), alg as Algorithm);
    expect(expectedSignatureLength(alg, key)).toBe(length);
    // a jose signature of that length verifies with the core's parameters; one byte more does not
    const token = await new CompactSign(new TextEncoder().encode("{}")).setProtectedHeader({ alg }).sign(privateKey);
    const [h, p, s] = token.split(".") as [string, string, string];
    const signature = new Uint8Array(Buffer.from(s, "base64url"));
    const input = new TextEncoder().encode(`${h}.${p}`);
    expect(signature).toHaveLength(length);
    expect(await verifySignature(alg, key, signature, input)).toBe(true);
    const longer = new Uint8Array(length + 1);
    longer.set(signature);
    expect(await verifySignature(alg, key, longer, input)).toBe(false);
  });
});
