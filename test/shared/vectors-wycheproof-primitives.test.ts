/**
 * Wycheproof's signature-primitive vectors for the JWA algorithms, run through the signature layer
 * of the core: the key importers of key-set.ts and `verifySignature` of signature-params.ts (the
 * length check and the one `crypto.subtle.verify` with the core's parameters). `msg` stands in for
 * the JWS signing input. These files have no RSA key under 2048 bits; the key policy (jwk-policy.ts)
 * would refuse such keys before this layer is reached.
 *
 * `acceptable` cases pass either way and are counted; by project policy the MissingNull ones (a
 * PKCS#1 DigestInfo without its NULL) must be rejected, as WebCrypto does.
 */
import { afterAll, describe, expect, it } from "vitest";
import { importHmacKey, importPublicJwk } from "../../shared/key-set.js";
import { SIGNATURE_SCHEMES, hashBytes, verifySignature } from "../../shared/signature-params.js";
import type { Algorithm } from "../../shared/types.js";
import { expectAllCasesRan, hexToBytes, loadVectors, Tally, vectorsPresent, type VectorCounts } from "./vector-files.js";

interface PrimitiveTest {
  tcId: number;
  comment: string;
  flags: string[];
  msg: string;
  sig?: string;
  tag?: string;
  key?: string;
  result: "valid" | "invalid" | "acceptable";
}
interface PrimitiveGroup {
  publicKeyJwk?: Record<string, unknown>;
  keyJwk?: Record<string, unknown>;
  publicKeyDer?: string;
  sha?: string;
  mgfSha?: string;
  sLen?: number;
  tagSize?: number;
  tests: PrimitiveTest[];
}

const ECDSA_CURVES: Partial<Record<Algorithm, string>> = { ES256: "P-256", ES384: "P-384", ES512: "P-521" };

const rsa = (valid: number, invalid: number): VectorCounts => ({ valid, invalid, acceptable: 1 });
/** Pinned outcome counts: HMAC files skip their 87 truncated-tag cases; each PKCS#1 file has one MissingNull. */
const FILES: { file: string; alg: Algorithm; expected: VectorCounts }[] = [
  { file: "ecdsa_secp256r1_sha256_p1363_test.json", alg: "ES256", expected: { valid: 173, invalid: 89 } },
  { file: "ecdsa_secp384r1_sha384_p1363_test.json", alg: "ES384", expected: { valid: 193, invalid: 87 } },
  { file: "ecdsa_secp521r1_sha512_p1363_test.json", alg: "ES512", expected: { valid: 231, invalid: 87 } },
  { file: "ed25519_test.json", alg: "EdDSA", expected: { valid: 88, invalid: 63 } },
  { file: "rsa_signature_2048_sha256_test.json", alg: "RS256", expected: rsa(9, 249) },
  { file: "rsa_signature_2048_sha384_test.json", alg: "RS384", expected: rsa(7, 250) },
  { file: "rsa_signature_2048_sha512_test.json", alg: "RS512", expected: rsa(8, 250) },
  { file: "rsa_signature_3072_sha256_test.json", alg: "RS256", expected: rsa(8, 250) },
  { file: "rsa_signature_3072_sha384_test.json", alg: "RS384", expected: rsa(7, 251) },
  { file: "rsa_signature_3072_sha512_test.json", alg: "RS512", expected: rsa(8, 251) },
  { file: "rsa_signature_4096_sha256_test.json", alg: "RS256", expected: rsa(7, 250) },
  { file: "rsa_signature_4096_sha384_test.json", alg: "RS384", expected: rsa(7, 251) },
  { file: "rsa_signature_4096_sha512_test.json", alg: "RS512", expected: rsa(7, 251) },
  { file: "rsa_pss_2048_sha256_mgf1_32_test.json", alg: "PS256", expected: { valid: 63, invalid: 45 } },
  { file: "rsa_pss_3072_sha256_mgf1_32_test.json", alg: "PS256", expected: { valid: 63, invalid: 45 } },
  { file: "rsa_pss_4096_sha256_mgf1_32_test.json", alg: "PS256", expected: { valid: 63, invalid: 45 } },
  { file: "rsa_pss_2048_sha384_mgf1_48_test.json", alg: "PS384", expected: { valid: 95, invalid: 46 } },
  { file: "rsa_pss_4096_sha384_mgf1_48_test.json", alg: "PS384", expected: { valid: 95, invalid: 46 } },
  { file: "rsa_pss_4096_sha512_mgf1_64_test.json", alg: "PS512", expected: { valid: 132, invalid: 47 } },
  { file: "hmac_sha256_test.json", alg: "HS256", expected: { valid: 33, invalid: 54, skipped: 87 } },
  { file: "hmac_sha384_test.json", alg: "HS384", expected: { valid: 33, invalid: 54, skipped: 87 } },
  { file: "hmac_sha512_test.json", alg: "HS512", expected: { valid: 33, invalid: 54, skipped: 87 } },
];

/** Only what a JWS uses: full-length HMAC tags; PSS with MGF1 on the same hash and salt = hash length. */
function appliesToJws(alg: Algorithm, group: PrimitiveGroup): boolean {
  if (alg.startsWith("HS")) return group.tagSize === hashBytes(alg) * 8;
  if (alg.startsWith("PS")) return group.mgfSha === SIGNATURE_SCHEMES[alg].hash && group.sLen === hashBytes(alg);
  return true;
}

async function importGroupKey(alg: Algorithm, group: PrimitiveGroup, test: PrimitiveTest): Promise<CryptoKey> {
  if (alg.startsWith("HS")) return importHmacKey(hexToBytes(test.key ?? ""), alg);
  const jwk = group.publicKeyJwk ?? group.keyJwk;
  if (jwk !== undefined) return importPublicJwk(jwk, alg);
  // Special-point ECDSA keys come without a JWK: import the SPKI DER instead.
  const params: EcKeyImportParams = { name: "ECDSA", namedCurve: ECDSA_CURVES[alg] ?? "" };
  return crypto.subtle.importKey("spki", hexToBytes(group.publicKeyDer ?? ""), params, false, ["verify"]);
}

async function outcome(alg: Algorithm, group: PrimitiveGroup, test: PrimitiveTest): Promise<"accepted" | "rejected"> {
  try {
    const key = await importGroupKey(alg, group, test);
    const signature = hexToBytes(test.sig ?? test.tag ?? "");
    return (await verifySignature(alg, key, signature, hexToBytes(test.msg))) ? "accepted" : "rejected";
  } catch {
    return "rejected";
  }
}

for (const { file, alg, expected } of FILES) {
  const present = vectorsPresent(`wycheproof/${file}`);
  describe.skipIf(!present)(`${file} (${alg})`, () => {
    const groups = present ? loadVectors<{ testGroups: PrimitiveGroup[] }>(`wycheproof/${file}`).testGroups : [];
    const tally = new Tally(file);
    afterAll(() => console.log(tally.summary()));

    it.each(groups.map((group, index) => ({ group, index })))("group $index", async ({ group }) => {
      if (!appliesToJws(alg, group)) {
        tally.skipped += group.tests.length;
        return;
      }
      const wrong: string[] = [];
      for (const test of group.tests) {
        const got = await outcome(alg, group, test);
        if (test.result === "acceptable") {
          if (got === "accepted") tally.acceptableAccepted++;
          else tally.acceptableRejected++;
          if (test.flags.includes("MissingNull") && got === "accepted") wrong.push(`tc${test.tcId} MissingNull accepted`);
          continue;
        }
        if (got === (test.result === "valid" ? "accepted" : "rejected")) {
          if (test.result === "valid") tally.validOk++;
          else tally.invalidOk++;
        } else {
          wrong.push(`tc${test.tcId} ${test.comment} (${test.result}, ${got})`);
        }
      }
      tally.wrong.push(...wrong);
      expect(wrong).toEqual([]);
    });

    expectAllCasesRan(tally, expected);
  });
}
