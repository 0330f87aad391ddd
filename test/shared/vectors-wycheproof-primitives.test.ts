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
import { expectCasesRan, hexToBytes, loadVectors, Tally, vectorsPresent } from "./vector-files.js";

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

/** The JWA algorithm each file stands for. HMAC files' truncated-tag groups are skipped (appliesToJws). */
const FILES: { file: string; alg: Algorithm }[] = [
  { file: "ecdsa_secp256r1_sha256_p1363_test.json", alg: "ES256" },
  { file: "ecdsa_secp384r1_sha384_p1363_test.json", alg: "ES384" },
  { file: "ecdsa_secp521r1_sha512_p1363_test.json", alg: "ES512" },
  { file: "ed25519_test.json", alg: "EdDSA" },
  ...[2048, 3072, 4096].flatMap((bits) =>
    ([256, 384, 512] as const).map((sha) => ({ file: `rsa_signature_${bits}_sha${sha}_test.json`, alg: `RS${sha}` as Algorithm })),
  ),
  { file: "rsa_pss_2048_sha256_mgf1_32_test.json", alg: "PS256" },
  { file: "rsa_pss_3072_sha256_mgf1_32_test.json", alg: "PS256" },
  { file: "rsa_pss_4096_sha256_mgf1_32_test.json", alg: "PS256" },
  { file: "rsa_pss_2048_sha384_mgf1_48_test.json", alg: "PS384" },
  { file: "rsa_pss_4096_sha384_mgf1_48_test.json", alg: "PS384" },
  { file: "rsa_pss_4096_sha512_mgf1_64_test.json", alg: "PS512" },
  { file: "hmac_sha256_test.json", alg: "HS256" },
  { file: "hmac_sha384_test.json", alg: "HS384" },
  { file: "hmac_sha512_test.json", alg: "HS512" },
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

for (const { file, alg } of FILES) {
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

    expectCasesRan(tally);
  });
}
