import { beforeAll, describe, expect, it } from "vitest";
import { createAuthorizer, parseConfig, type LogEntry } from "../../shared/index.js";
import { hygieneKinds, tokenHygiene, type HygieneInput } from "../../shared/token-hygiene.js";
import { generateTestKey, jwksOf, mintToken, TEST_ISSUER, type TestKey } from "../support/keys.js";

const NOW = 1_800_000_000;
const clean = (): HygieneInput => ({
  alg: "ES256",
  claims: { iss: TEST_ISSUER, sub: "user-1", aud: "orders-api", iat: NOW, exp: NOW + 300, jti: "j1", scope: "orders:read" },
  encodedLength: 600,
});
const kindsOf = (input: HygieneInput) => tokenHygiene(input).map((f) => f.kind);

describe("tokenHygiene: which tokens deserve a warning", () => {
  it("finds nothing in a clean, short-lived, asymmetric token with a jti", () => {
    expect(tokenHygiene(clean())).toEqual([]);
    expect(hygieneKinds(clean())).toBeUndefined();
  });

  it("flags a token living over one hour, and not one living exactly one hour", () => {
    const input = clean();
    input.claims.exp = NOW + 3601;
    expect(kindsOf(input)).toEqual(["long_lived"]);
    input.claims.exp = NOW + 3600;
    expect(kindsOf(input)).toEqual([]);
  });

  it("does not guess a lifetime without iat", () => {
    const input = clean();
    input.claims.exp = NOW + 86_400;
    delete input.claims.iat;
    expect(kindsOf(input)).toEqual([]);
  });

  it("flags a token over 1 KB encoded", () => {
    expect(kindsOf({ ...clean(), encodedLength: 1025 })).toEqual(["large"]);
    expect(kindsOf({ ...clean(), encodedLength: 1024 })).toEqual([]);
  });

  it("names personal-data and secret-looking claims without their values", () => {
    const input = clean();
    Object.assign(input.claims, {
      email: "alice@example.com", phone_number: "+15550100", name: "Alice", address: { country: "NL" },
      db_password: "hunter2", clientSecret: "s3cr3t", SSN: "078-05-1120", credit_card: "4111", passwd: "x",
    });
    const findings = tokenHygiene(input);
    expect(findings.map((f) => f.kind)).toEqual(["personal_data", "secret_claim"]);
    expect(findings[0]?.claims).toEqual(["email", "phone_number", "name", "address"]);
    expect(findings[1]?.claims).toEqual(["db_password", "clientSecret", "SSN", "credit_card", "passwd"]);
    const text = JSON.stringify(findings);
    for (const value of ["alice@example.com", "+15550100", "hunter2", "s3cr3t", "078-05-1120", "4111"]) {
      expect(text).not.toContain(value);
    }
  });

  it("flags a missing jti and HMAC signing", () => {
    const input = clean();
    delete input.claims.jti;
    expect(kindsOf({ ...input, alg: "HS256" })).toEqual(["no_jti", "hmac"]);
  });

  it("joins every kind in a stable order for the log", () => {
    const input: HygieneInput = {
      alg: "HS512",
      claims: { iat: NOW, exp: NOW + 7200, email: "a@b", secret: "x" },
      encodedLength: 5000,
    };
    expect(hygieneKinds(input)).toBe("long_lived,large,personal_data,secret_claim,no_jti,hmac");
    expect(hygieneKinds(input)).toBe(kindsOf(input).join(","));
  });
});

describe("the authorizer counts hygiene kinds in its decision log", () => {
  let key: TestKey;
  beforeAll(async () => {
    key = await generateTestKey("ES256", "k1");
  });

  function make(entries: LogEntry[]) {
    const config = parseConfig({
      issuers: [{ issuer: TEST_ISSUER, jwks: jwksOf(key), algorithms: ["ES256"] }],
      routes: [{ route: "GET /orders/{id}", audience: "orders-api", scopes: ["orders:read"] }],
    });
    return createAuthorizer(config, { now: () => NOW * 1000, log: () => {}, onDecision: (e) => entries.push(e) });
  }

  it("adds the kinds for a first-seen token, never on a cache hit, never the values", async () => {
    const entries: LogEntry[] = [];
    const authorizer = make(entries);
    const token = await mintToken(key, {
      nowSeconds: NOW, lifetimeSeconds: 7200, claims: { jti: undefined, email: "alice@example.com" },
    });
    const request = { method: "GET", path: "/orders/1", headers: { authorization: `Bearer ${token}` } };
    expect((await authorizer.authorize(request)).allow).toBe(true);
    expect((await authorizer.authorize(request)).allow).toBe(true);
    expect(entries[0]?.hygiene).toBe("long_lived,personal_data,no_jti");
    expect(entries[1]).not.toHaveProperty("hygiene");
    const logged = JSON.stringify(entries);
    expect(logged).not.toContain("alice@example.com");
    expect(logged).not.toContain(token.split(".")[2]);
  });

  it("adds nothing for a clean token", async () => {
    const entries: LogEntry[] = [];
    const token = await mintToken(key, { nowSeconds: NOW });
    await make(entries).authorize({ method: "GET", path: "/orders/1", headers: { authorization: `Bearer ${token}` } });
    expect(entries[0]?.decision).toBe("allow");
    expect(entries[0]).not.toHaveProperty("hygiene");
  });
});
