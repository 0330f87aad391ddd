/**
 * Wycheproof's JOSE vectors (C2SP/wycheproof testvectors_v1) through the exported
 * `verifyCompactJws`, with the data defects listed in ../shared/vectors/README.md overridden:
 * tc367/tc370 of json_web_signature are byte-identical to a valid case (skipped); tc372/tc373 carry a
 * literal "?" (RFC 7515 §5.2: reject); tc346/347/350/351 pin a key `alg` that disagrees with the token
 * (reject, as Wycheproof's own WrongPrimitive cases demand).
 *
 * Where jose alone accepts a case (vectors README, "Sanity run"), the reason the core refuses it is
 * pinned: the error code, and for key policy the reason the key was left out of the set. A refusal
 * for some other reason would hide that the check it stands for went missing.
 */
import { afterAll, describe, expect, it } from "vitest";
import { AuthorizerError } from "../../shared/errors.js";
import { verifyCompactJws } from "../../shared/jws-verify.js";
import { createKeySet } from "../../shared/key-set.js";
import { ASYMMETRIC_ALGORITHMS, HMAC_ALGORITHMS } from "../../shared/types.js";
import type { Algorithm } from "../../shared/types.js";
import { expectCasesRan, loadVectors, Tally, vectorsPresent } from "./vector-files.js";

interface JoseTest {
  tcId: number;
  comment: string;
  jws?: unknown;
  jwe?: unknown;
  result: "valid" | "invalid" | "acceptable";
  flags: string[];
}
interface JoseGroup {
  comment?: string;
  private?: Record<string, unknown>;
  public?: Record<string, unknown>;
  tests: JoseTest[];
}
interface JoseFile {
  testGroups: JoseGroup[];
}

interface Case {
  name: string;
  tcId: number;
  jws: unknown;
  jwks: unknown;
  algorithms: readonly Algorithm[];
  expected: "valid" | "invalid";
  skip: string | undefined;
  pinned: Pinned | undefined;
}

const OVERRIDES: Record<string, Record<number, { skip?: string; expected?: "invalid" }>> = {
  "json_web_signature_test.json": {
    367: { skip: "byte-identical to valid tc357 (C2SP/wycheproof#236)" },
    370: { skip: "byte-identical to valid tc357 (C2SP/wycheproof#236)" },
    372: { expected: "invalid" },
    373: { expected: "invalid" },
    346: { expected: "invalid" },
    347: { expected: "invalid" },
    350: { expected: "invalid" },
    351: { expected: "invalid" },
  },
};

interface Pinned {
  code: string;
  /** The reason the key set gives for leaving the key out. */
  skipped?: RegExp;
}

const NON_CANONICAL: Pinned = { code: "ERR_JWS_INVALID" };
const PINNED: Record<string, Record<number, Pinned>> = {
  "json_web_signature_test.json": {
    360: NON_CANONICAL, // whitespace in the signature
    365: NON_CANONICAL, // ... in the header
    368: NON_CANONICAL, // ... in the payload
    372: NON_CANONICAL, // a literal "?" in the header
    373: NON_CANONICAL, // ... in the payload
    375: NON_CANONICAL, // non-zero unused bits
  },
  "json_web_key_test.json": {
    1: { code: "ERR_JWKS_INVALID" }, // mixed HMAC and public keys
    7: { code: "ERR_JWKS_NO_MATCHING_KEY", skipped: /ROCA/ },
    9: { code: "ERR_JWKS_NO_MATCHING_KEY", skipped: /RSA public exponent outside/ }, // e = 1
    10: { code: "ERR_JWKS_NO_MATCHING_KEY", skipped: /HMAC secret shorter than the hash output/ },
    11: { code: "ERR_JWKS_NO_MATCHING_KEY", skipped: /alg HS384 does not fit this key/ }, // too short for HS384
    12: { code: "ERR_JWKS_NO_MATCHING_KEY", skipped: /alg HS512 does not fit this key/ },
  },
  "json_web_crypto_test.json": {
    46: { code: "ERR_JWKS_NO_MATCHING_KEY", skipped: /ROCA/ },
    47: { code: "ERR_JWKS_INVALID" }, // mixed key set
  },
};

/** HS* for a secret key or set, every asymmetric algorithm otherwise: the key decides, as config would. */
function algorithmsFor(jwks: { keys: unknown[] }): readonly Algorithm[] {
  const secret = jwks.keys.some((k) => typeof k === "object" && k !== null && (k as { kty?: unknown }).kty === "oct");
  return secret ? HMAC_ALGORITHMS : ASYMMETRIC_ALGORITHMS;
}

function casesOf(file: string, filter: (group: JoseGroup) => boolean): Case[] {
  const data = loadVectors<JoseFile>(`wycheproof/${file}`);
  const cases: Case[] = [];
  for (const group of data.testGroups.filter(filter)) {
    // The verification key is the public one where there is one; only oct groups lack it.
    const key = group.public ?? group.private;
    const jwks = (Array.isArray(key?.keys) ? key : { keys: [key] }) as { keys: unknown[] };
    for (const test of group.tests) {
      const override = OVERRIDES[file]?.[test.tcId] ?? {};
      const labelled = test.result === "valid" ? "valid" : "invalid";
      cases.push({
        name: `tc${test.tcId} ${test.comment}${override.expected ? " (override: reject)" : ""}`,
        tcId: test.tcId,
        jws: test.jws,
        jwks,
        algorithms: algorithmsFor(jwks),
        expected: override.expected ?? labelled,
        skip: override.skip,
        pinned: PINNED[file]?.[test.tcId],
      });
    }
  }
  return cases;
}

function suite(file: string, filter: (group: JoseGroup) => boolean = () => true): void {
  const present = vectorsPresent(`wycheproof/${file}`);
  describe.skipIf(!present)(file, () => {
    const cases = present ? casesOf(file, filter) : [];
    const tally = new Tally(file);
    afterAll(() => console.log(tally.summary()));

    it.each(cases)("$name", async (c) => {
      if (c.skip !== undefined) {
        tally.skipped++;
        return;
      }
      let outcome: { ok: true } | { ok: false; error: unknown };
      try {
        await verifyCompactJws(c.jws as string, c.jwks, { algorithms: c.algorithms });
        outcome = { ok: true };
      } catch (error) {
        outcome = { ok: false, error };
      }
      if (!outcome.ok) expect(outcome.error).toBeInstanceOf(AuthorizerError); // coded, never a crash
      const right = outcome.ok === (c.expected === "valid");
      if (right) {
        if (c.expected === "valid") tally.validOk++;
        else tally.invalidOk++;
      } else {
        tally.wrong.push(`tc${c.tcId}`);
      }
      expect(outcome.ok ? "accepted" : `rejected (${(outcome.error as AuthorizerError).code})`).toMatch(
        c.expected === "valid" ? /^accepted$/ : /^rejected/,
      );
      if (c.pinned !== undefined) {
        expect(outcome.ok ? "accepted" : (outcome.error as AuthorizerError).code).toBe(c.pinned.code);
        if (c.pinned.skipped !== undefined) {
          const keys = await createKeySet(c.jwks, { algorithms: c.algorithms });
          expect(keys.skipped.map((s) => s.reason).join("; ")).toMatch(c.pinned.skipped);
        }
      }
    });

    it("pins every case jose alone gets wrong", () => {
      const pinned = Object.keys(PINNED[file] ?? {}).map(Number);
      expect(cases.filter((c) => c.pinned !== undefined).map((c) => c.tcId)).toEqual(pinned);
    });

    expectCasesRan(tally);
  });
}

suite("json_web_signature_test.json");
suite("json_web_key_test.json");
suite("json_web_crypto_test.json", (group) => group.comment?.startsWith("jws_") === true);
