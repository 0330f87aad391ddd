/**
 * RFC 7520 (JOSE Cookbook, machine-readable copy from ietf-jose/cookbook) compact JWS examples,
 * verified through `verifyCompactJws` with the public part of `input.key` and `algorithms:
 * [input.alg]` (the cookbook keys carry no `alg`). The RFC 7797 (`b64: false`) examples must be
 * refused: the core rejects any `b64` header member, since a JWT never uses unencoded payloads.
 */
import { afterAll, describe, expect, it } from "vitest";
import { encodeBase64Url } from "../../shared/base64url.js";
import { AuthorizerError } from "../../shared/errors.js";
import { verifyCompactJws } from "../../shared/jws-verify.js";
import type { Algorithm } from "../../shared/types.js";
import { expectCasesRan, loadVectors, Tally, vectorsPresent } from "./vector-files.js";

interface CookbookCase {
  input: { payload: string; key: Record<string, unknown>; alg: Algorithm };
  output: { compact?: string; json_flat: { protected: string; payload: string; signature: string } };
}

const POSITIVE = [
  "jws/4_1.rsa_v15_signature.json",
  "jws/4_2.rsa-pss_signature.json",
  "jws/4_3.ecdsa_signature.json",
  "jws/4_4.hmac-sha2_integrity_protection.json",
  "curve25519/jws.json",
];
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi"];

function publicPart(key: Record<string, unknown>): Record<string, unknown> {
  if (key.kty === "oct") return key;
  return Object.fromEntries(Object.entries(key).filter(([name]) => !PRIVATE_MEMBERS.includes(name)));
}

async function check(token: string, data: CookbookCase): Promise<{ ok: true; payload: Uint8Array } | { ok: false; code: string }> {
  try {
    const result = await verifyCompactJws(token, { keys: [publicPart(data.input.key)] }, { algorithms: [data.input.alg] });
    return { ok: true, payload: result.payload };
  } catch (error) {
    expect(error).toBeInstanceOf(AuthorizerError);
    return { ok: false, code: (error as AuthorizerError).code };
  }
}

const present = vectorsPresent("rfc7520-cookbook/jws");
describe.skipIf(!present)("RFC 7520 cookbook, compact JWS", () => {
  const tally = new Tally("rfc7520-cookbook");
  afterAll(() => console.log(tally.summary()));

  it.each(POSITIVE)("%s verifies with the public key", async (file) => {
    const data = loadVectors<CookbookCase>(`rfc7520-cookbook/${file}`);
    const result = await check(data.output.compact ?? "", data);
    expect(result).toMatchObject({ ok: true });
    if (result.ok) expect(new TextDecoder().decode(result.payload)).toBe(data.input.payload);
    tally.validOk++;
  });

  it.each(POSITIVE)("%s with one signature byte changed is refused", async (file) => {
    const data = loadVectors<CookbookCase>(`rfc7520-cookbook/${file}`);
    const { protected: header, payload, signature } = data.output.json_flat;
    const flipped = signature.startsWith("A") ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
    expect(await check(`${header}.${payload}.${flipped}`, data)).toEqual({ ok: false, code: "ERR_JWS_SIGNATURE_INVALID" });
    tally.invalidOk++;
  });

  it("rfc7797/hmac-sha2_b64_false.json (b64:false with crit) is refused for its header", async () => {
    const data = loadVectors<CookbookCase>("rfc7520-cookbook/rfc7797/hmac-sha2_b64_false.json");
    expect(await check(data.output.compact ?? "", data)).toEqual({ ok: false, code: "ERR_JWS_UNSUPPORTED_HEADER" });
    tally.invalidOk++;
  });

  it("rfc7797/4.2.hmac-sha2_b64_false.json (b64:false, no crit) is refused, compact or re-encoded", async () => {
    const data = loadVectors<CookbookCase>("rfc7520-cookbook/rfc7797/4.2.hmac-sha2_b64_false.json");
    const { protected: header, payload, signature } = data.output.json_flat;
    // Its payload "$.02" holds a dot: as compact it is not even 3 segments.
    expect(await check(`${header}.${payload}.${signature}`, data)).toEqual({ ok: false, code: "ERR_JWS_INVALID" });
    const encodedPayload = encodeBase64Url(new TextEncoder().encode(payload));
    expect(await check(`${header}.${encodedPayload}.${signature}`, data)).toEqual({
      ok: false,
      code: "ERR_JWS_UNSUPPORTED_HEADER",
    });
    tally.invalidOk++;
  });

  expectCasesRan(tally);
});
