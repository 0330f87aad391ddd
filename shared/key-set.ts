/**
 * A trusted JWKS document turned into ready-to-use verification keys: validated once, imported
 * once per allowed algorithm (eagerly, so requests only ever see resolved CryptoKeys), and looked
 * up by algorithm and `kid` without any work per request beyond a map lookup.
 */
import { calculateJwkThumbprint, importJWK, type JWK } from "jose";
import { AuthorizerError } from "./errors.js";
import { assessJwk, duplicatedKids, keyTypeOf } from "./jwk-policy.js";
import { SIGNATURE_SCHEMES } from "./signature-params.js";
import type { Algorithm, KeySet, VerificationKey } from "./types.js";

/** A key left out of the set, and why (for logs and `explain`; never key material). */
export interface SkippedKey {
  /** Position in the document's `keys` array. */
  index: number;
  kid: string | undefined;
  reason: string;
}

export interface BuiltKeySet extends KeySet {
  readonly skipped: readonly SkippedKey[];
  /** Kids of every usable key, in document order (without duplicates). */
  readonly kids: readonly string[];
}

export interface KeySetOptions {
  /** The issuer's allowed algorithms: keys are imported for these only. */
  algorithms: readonly Algorithm[];
}

interface AlgorithmIndex {
  all: VerificationKey[];
  byKid: Map<string, VerificationKey[]>;
}

const NO_KEYS: readonly VerificationKey[] = [];

class ImportedKeySet implements BuiltKeySet {
  readonly size: number;
  readonly skipped: readonly SkippedKey[];
  readonly kids: readonly string[];
  readonly #byAlg: Map<Algorithm, AlgorithmIndex>;
  readonly #kids: ReadonlySet<string>;
  readonly #ambiguousKids: ReadonlySet<string>;

  constructor(
    keys: readonly VerificationKey[],
    keyCount: number,
    skipped: readonly SkippedKey[],
    ambiguousKids: ReadonlySet<string>,
  ) {
    this.size = keyCount;
    this.skipped = skipped;
    this.#ambiguousKids = ambiguousKids;
    const byAlg = new Map<Algorithm, AlgorithmIndex>();
    const kids = new Set<string>();
    for (const key of keys) {
      let index = byAlg.get(key.alg);
      if (index === undefined) byAlg.set(key.alg, (index = { all: [], byKid: new Map() }));
      index.all.push(key);
      if (key.kid !== undefined) {
        kids.add(key.kid);
        const sameKid = index.byKid.get(key.kid);
        if (sameKid === undefined) index.byKid.set(key.kid, [key]);
        else sameKid.push(key);
      }
    }
    this.#byAlg = byAlg;
    this.#kids = kids;
    this.kids = [...kids];
  }

  hasKid(kid: string): boolean {
    return this.#kids.has(kid);
  }

  keyFor(alg: Algorithm, kid: string | undefined): VerificationKey | undefined {
    if (kid !== undefined && this.#ambiguousKids.has(kid)) return undefined;
    const candidates = this.#candidates(alg, kid);
    return candidates.length === 1 ? candidates[0] : undefined;
  }

  #candidates(alg: Algorithm, kid: string | undefined): readonly VerificationKey[] {
    const index = this.#byAlg.get(alg);
    if (index === undefined) return NO_KEYS;
    return kid === undefined ? index.all : (index.byKid.get(kid) ?? NO_KEYS);
  }

  /**
   * With a `kid`, only keys carrying that `kid` are candidates (as jose does; a kid-less key never
   * answers for a token that names a kid). Without one, every key usable for `alg` is. Exactly one
   * candidate must remain: two keys with one `kid`, or a kid-less token against several keys, are
   * ambiguous and refused (RFC 8725 §3.10 spirit; Wycheproof DuplicateKid/Ambiguous).
   */
  select(alg: Algorithm, kid: string | undefined): VerificationKey {
    if (kid !== undefined && this.#ambiguousKids.has(kid)) {
      throw new AuthorizerError("ERR_JWKS_MULTIPLE_MATCHING_KEYS", "the JWKS has several keys with the token's kid");
    }
    const candidates = this.#candidates(alg, kid);
    if (candidates.length === 1) return candidates[0] as VerificationKey;
    if (candidates.length === 0) {
      throw new AuthorizerError(
        "ERR_JWKS_NO_MATCHING_KEY",
        kid === undefined ? `no key in the key set verifies ${alg}` : `no key in the key set matches the token's kid for ${alg}`,
      );
    }
    throw new AuthorizerError(
      "ERR_JWKS_MULTIPLE_MATCHING_KEYS",
      kid === undefined
        ? `the token has no kid and ${candidates.length} keys verify ${alg}`
        : `${candidates.length} keys share the token's kid for ${alg}`,
    );
  }

  get [Symbol.toStringTag](): string {
    return "KeySet";
  }
}

/** True for key sets built by `createKeySet` (a raw JWKS object is never mistaken for one). */
export function isKeySet(value: unknown): value is BuiltKeySet {
  return value instanceof ImportedKeySet;
}

/**
 * Validates a JWKS document and imports every usable key for each allowed algorithm it fits.
 * Throws ERR_JWKS_INVALID when the document is not `{ keys: [...] }` or mixes secret (`oct`) and
 * public keys (RFC 8725 §3.1: such a set invites HMAC-with-public-key confusion). Unusable keys are
 * left out and listed in `skipped`.
 */
export async function createKeySet(jwks: unknown, options: KeySetOptions): Promise<BuiltKeySet> {
  if (typeof jwks !== "object" || jwks === null || Array.isArray(jwks)) {
    throw new AuthorizerError("ERR_JWKS_INVALID", "the JWKS is not a JSON object");
  }
  const keys: unknown = (jwks as { keys?: unknown }).keys;
  if (!Array.isArray(keys)) throw new AuthorizerError("ERR_JWKS_INVALID", 'the JWKS has no "keys" array');
  let secret = false;
  let asymmetric = false;
  for (const jwk of keys) {
    const kty = keyTypeOf(jwk);
    if (kty === "oct") secret = true;
    else if (kty !== undefined) asymmetric = true;
  }
  if (secret && asymmetric) {
    throw new AuthorizerError("ERR_JWKS_INVALID", "the JWKS mixes HMAC secrets and public keys");
  }

  const ambiguousKids = duplicatedKids(keys);
  const skipped: SkippedKey[] = [];
  const imports: Promise<VerificationKey[] | undefined>[] = keys.map(async (jwk: unknown, index) => {
    const assessment = assessJwk(jwk, options.algorithms);
    if (assessment.kid !== undefined && ambiguousKids.has(assessment.kid)) {
      skipped.push({ index, kid: assessment.kid, reason: "another key of the same type has this kid" });
      return undefined;
    }
    if (!assessment.usable) {
      skipped.push({ index, kid: assessment.kid, reason: assessment.reason });
      return undefined;
    }
    try {
      const members = keyMembers(jwk as Record<string, unknown>);
      // Once per key and load, so a cache hit compares two strings instead of hashing anything.
      const thumbprint = await calculateJwkThumbprint(members as JWK);
      return await Promise.all(
        assessment.algorithms.map(async (alg): Promise<VerificationKey> => ({
          kid: assessment.kid,
          alg,
          thumbprint,
          cryptoKey:
            assessment.material !== undefined
              ? await importHmacKey(assessment.material, alg)
              : await importPublicJwk(jwk as Record<string, unknown>, alg),
        })),
      );
    } catch {
      // WebCrypto refuses what the policy cannot see cheaply: a point off the curve, a bad modulus.
      skipped.push({ index, kid: assessment.kid, reason: "WebCrypto refused to import the key" });
      return undefined;
    }
  });
  const imported = await Promise.all(imports);
  const usable = imported.filter((entry): entry is VerificationKey[] => entry !== undefined);
  skipped.sort((a, b) => a.index - b.index);
  return new ImportedKeySet(usable.flat(), usable.length, skipped, ambiguousKids);
}

/**
 * Imports a public JWK for one algorithm, verify-only. Only the public members go to WebCrypto:
 * `use`, `key_ops` and `alg` were checked by the policy (and would make WebCrypto refuse otherwise
 * fine keys, e.g. `key_ops: ["verify", "sign"]` on a public key).
 */
export function importPublicJwk(jwk: Record<string, unknown>, alg: Algorithm): Promise<CryptoKey> {
  return importJWK(keyMembers(jwk), alg) as Promise<CryptoKey>;
}

/** The members that are the key itself (RFC 7638 §3.2): what both import and thumbprint use. */
function keyMembers(jwk: Record<string, unknown>): Record<string, unknown> {
  const material: Record<string, unknown> = { kty: jwk.kty };
  const names = jwk.kty === "RSA" ? ["n", "e"] : jwk.kty === "EC" ? ["crv", "x", "y"] : jwk.kty === "oct" ? ["k"] : ["crv", "x"];
  for (const name of names) material[name] = jwk[name];
  return material;
}

export function importHmacKey(secret: Uint8Array, alg: Algorithm): Promise<CryptoKey> {
  const params: HmacImportParams = { name: "HMAC", hash: SIGNATURE_SCHEMES[alg].hash };
  return crypto.subtle.importKey("raw", secret as Uint8Array<ArrayBuffer>, params, false, ["verify"]);
}
