/**
 * The peers, each used the way its documentation shows for a resource server with a known key
 * set: keys prepared once, one verification per request, the same checks asked of each (issuer,
 * audience, algorithm, exp/nbf, `typ` where the library can check it) plus the route's scope.
 * A verifier throws (or rejects) on any failure; the benchmark treats that as a broken run.
 */
import { createPublicKey } from "node:crypto";
import { JwtVerifier } from "aws-jwt-verify";
import { createVerifier } from "fast-jwt";
import { createLocalJWKSet, jwtVerify } from "jose";
import jsonwebtoken from "jsonwebtoken";
import { AUDIENCE, ISSUER, SCOPE, type AlgorithmFixture } from "./fixtures.js";

export type Verify = (token: string) => unknown;

export interface Peer {
  /** Stable id for bench-results.json. */
  id: string;
  label: string;
  /** Undefined when the library does not support the algorithm. */
  create(fixture: AlgorithmFixture): Verify | undefined;
}

function requireScope(payload: Record<string, unknown>): void {
  if (typeof payload.scope !== "string" || !payload.scope.split(" ").includes(SCOPE)) {
    throw new Error("scope missing");
  }
}

const joseOptions = (fixture: AlgorithmFixture) => ({
  issuer: ISSUER,
  audience: AUDIENCE,
  algorithms: [fixture.alg],
  typ: "at+jwt",
  requiredClaims: ["exp"],
});

export const PEERS: readonly Peer[] = [
  {
    id: "jose-key",
    label: "jose jwtVerify (CryptoKey)",
    create(fixture) {
      const key = fixture.key.publicKey;
      const options = joseOptions(fixture);
      return async (token) => {
        const { payload } = await jwtVerify(token, key, options);
        requireScope(payload);
        return payload;
      };
    },
  },
  {
    id: "jose-jwks",
    label: "jose jwtVerify (createLocalJWKSet)",
    create(fixture) {
      const jwks = createLocalJWKSet(fixture.jwks as Parameters<typeof createLocalJWKSet>[0]);
      const options = joseOptions(fixture);
      return async (token) => {
        const { payload } = await jwtVerify(token, jwks, options);
        requireScope(payload);
        return payload;
      };
    },
  },
  {
    id: "aws-jwt-verify",
    label: "aws-jwt-verify JwtVerifier (cacheJwks)",
    create(fixture) {
      const verifier = JwtVerifier.create({ issuer: ISSUER, audience: AUDIENCE, jwksUri: fixture.server.url, scope: SCOPE });
      verifier.cacheJwks(fixture.jwks as unknown as Parameters<typeof verifier.cacheJwks>[0]);
      return (token) => verifier.verify(token);
    },
  },
  {
    id: "fast-jwt",
    label: "fast-jwt createVerifier (sync key)",
    create(fixture) {
      const verify = createVerifier({
        key: fixture.publicPem,
        algorithms: [fixture.alg],
        allowedIss: ISSUER,
        allowedAud: AUDIENCE,
        checkTyp: "at+jwt",
        requiredClaims: ["exp"],
      });
      return (token) => {
        const payload = verify(token) as Record<string, unknown>;
        requireScope(payload);
        return payload;
      };
    },
  },
  {
    id: "jsonwebtoken",
    label: "jsonwebtoken verify (KeyObject)",
    create(fixture) {
      // jsonwebtoken 9 has no EdDSA.
      if (fixture.alg === "EdDSA") return undefined;
      const key = createPublicKey(fixture.publicPem);
      const algorithms = [fixture.alg];
      return (token) => {
        const payload = jsonwebtoken.verify(token, key, { algorithms, issuer: ISSUER, audience: AUDIENCE }) as Record<string, unknown>;
        requireScope(payload);
        return payload;
      };
    },
  },
];
