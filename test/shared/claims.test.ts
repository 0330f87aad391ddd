import { describe, expect, it } from "vitest";
import { checkTokenTimes, checkTokenType, normalizeTokenType, validateClaims } from "../../shared/claims.js";
import { AuthorizerError } from "../../shared/errors.js";
import type { IssuerConfig, JwtClaims } from "../../shared/types.js";

const NOW = 1_800_000_000;
const issuer: IssuerConfig = {
  issuer: "https://auth.example.com/",
  jwksUri: "https://auth.example.com/jwks",
  algorithms: ["RS256"],
  clockToleranceSeconds: 30,
  requiredClaims: [],
};

function claims(extra: JwtClaims = {}): JwtClaims {
  return { iss: issuer.issuer, sub: "alice", aud: "orders-api", exp: NOW + 300, iat: NOW - 10, nbf: NOW - 10, ...extra };
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(AuthorizerError);
    return (error as AuthorizerError).code;
  }
}

const validate = (c: JwtClaims, iss: IssuerConfig = issuer, now = NOW) =>
  validateClaims(c, { issuer: iss, kid: "k1", alg: "RS256", nowSeconds: now });

describe("validateClaims", () => {
  it("accepts a well-formed access token and derives audiences and scopes", () => {
    const v = validate(claims({ aud: ["a", "b"], scope: "orders:read  orders:write", scp: ["admin"] }));
    expect(v.audiences).toEqual(["a", "b"]);
    expect([...v.scopes].sort()).toEqual(["admin", "orders:read", "orders:write"]);
    expect(v.sub).toBe("alice");
    expect(v.exp).toBe(NOW + 300);
  });

  it("requires exp", () => {
    const c = claims();
    delete c.exp;
    expect(codeOf(() => validate(c))).toBe("ERR_JWT_CLAIM_MISSING");
  });

  it.each([
    ["string", "1800000300"],
    ["negative", -1],
    ["huge", 1e308],
    ["object", { n: 1 }],
    ["null", null],
    ["boolean", true],
  ])("refuses exp/nbf/iat that are not NumericDates (%s)", (_name, value) => {
    for (const name of ["exp", "nbf", "iat"]) {
      expect(codeOf(() => validate(claims({ [name]: value })))).toBe("ERR_JWT_CLAIM_INVALID");
    }
  });

  it("accepts fractional NumericDates", () => {
    expect(validate(claims({ exp: NOW + 0.5 + 100, iat: NOW - 0.25 })).exp).toBe(NOW + 100.5);
  });

  it("applies the leeway to exp, nbf and iat", () => {
    expect(codeOf(() => validate(claims({ exp: NOW - 29 })))).toBeUndefined();
    expect(codeOf(() => validate(claims({ exp: NOW - 30 })))).toBe("ERR_JWT_EXPIRED");
    expect(codeOf(() => validate(claims({ nbf: NOW + 30 })))).toBeUndefined();
    expect(codeOf(() => validate(claims({ nbf: NOW + 31 })))).toBe("ERR_JWT_NOT_YET_VALID");
    expect(codeOf(() => validate(claims({ iat: NOW + 31 })))).toBe("ERR_JWT_ISSUED_IN_FUTURE");
  });

  it("enforces maxTokenAgeSeconds and then requires iat", () => {
    const strict = { ...issuer, maxTokenAgeSeconds: 600 };
    expect(codeOf(() => validate(claims({ iat: NOW - 600 }), strict))).toBeUndefined();
    expect(codeOf(() => validate(claims({ iat: NOW - 700 }), strict))).toBe("ERR_JWT_TOO_OLD");
    const c = claims();
    delete c.iat;
    expect(codeOf(() => validate(c, strict))).toBe("ERR_JWT_CLAIM_MISSING");
    expect(codeOf(() => validate(c))).toBeUndefined();
  });

  it.each([
    ["number", 42],
    ["object", { a: 1 }],
    ["nested array", [["orders-api"]]],
    ["array with a number", ["orders-api", 1]],
  ])("refuses an aud of the wrong type (%s)", (_name, aud) => {
    expect(codeOf(() => validate(claims({ aud })))).toBe("ERR_JWT_CLAIM_INVALID");
  });

  it("refuses scope and scp of the wrong type, and a non-string sub", () => {
    expect(codeOf(() => validate(claims({ scope: ["a"] })))).toBe("ERR_JWT_CLAIM_INVALID");
    expect(codeOf(() => validate(claims({ scp: [1] })))).toBe("ERR_JWT_CLAIM_INVALID");
    expect(codeOf(() => validate(claims({ sub: 7 })))).toBe("ERR_JWT_CLAIM_INVALID");
  });

  it("refuses an iss that is not the issuer's, even by a look-alike character", () => {
    expect(codeOf(() => validate(claims({ iss: "https://auth.examp\u04cfe.com/" })))).toBe("ERR_JWT_ISSUER_UNKNOWN");
  });

  it("requires the issuer's requiredClaims", () => {
    const strict = { ...issuer, requiredClaims: ["client_id"] };
    expect(codeOf(() => validate(claims(), strict))).toBe("ERR_JWT_CLAIM_MISSING");
    expect(codeOf(() => validate(claims({ client_id: null }), strict))).toBe("ERR_JWT_CLAIM_MISSING");
    expect(codeOf(() => validate(claims({ client_id: "app" }), strict))).toBeUndefined();
  });

  it("never puts claim values in error messages", () => {
    try {
      validate(claims({ aud: { secret: "s3cr3t-value" } }));
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain("s3cr3t-value");
    }
  });
});

describe("token type", () => {
  it("treats at+jwt and application/at+jwt as the same, case-insensitively", () => {
    expect(normalizeTokenType("application/AT+JWT")).toBe("at+jwt");
    const typed = { ...issuer, tokenTypes: ["at+jwt"] };
    expect(codeOf(() => checkTokenType(typed, "application/at+jwt"))).toBeUndefined();
    expect(codeOf(() => checkTokenType(typed, "JWT"))).toBe("ERR_JWT_TYPE_MISMATCH");
    expect(codeOf(() => checkTokenType(typed, undefined))).toBe("ERR_JWT_TYPE_MISMATCH");
    expect(codeOf(() => checkTokenType(issuer, "anything"))).toBeUndefined();
  });
});

describe("checkTokenTimes on a cached token", () => {
  it("expires a token that was valid when cached", () => {
    const v = validate(claims({ exp: NOW + 60 }));
    expect(codeOf(() => checkTokenTimes(v, NOW + 89))).toBeUndefined();
    expect(codeOf(() => checkTokenTimes(v, NOW + 90))).toBe("ERR_JWT_EXPIRED");
  });
});
