/**
 * One signing key served by a real JWKS server on 127.0.0.1, and the AUTHORIZER_CONFIG document
 * that trusts it: the set-up of the handler tests.
 */
import { afterAll, beforeAll } from "vitest";
import { startJwksServer, type JwksServer } from "../../support/jwks-server.js";
import { generateTestKey, jwksOf, TEST_ISSUER, type TestAlgorithm, type TestKey } from "../../support/keys.js";

export interface TestIssuer {
  key: TestKey;
  server: JwksServer;
  /** AUTHORIZER_CONFIG for these routes (and any other top-level fields), trusting this issuer. */
  config(routes: unknown[], extra?: Record<string, unknown>): string;
}

export async function startTestIssuer(alg: TestAlgorithm = "ES256"): Promise<TestIssuer> {
  const key = await generateTestKey(alg);
  const server = await startJwksServer({ jwks: jwksOf(key) });
  return {
    key,
    server,
    config: (routes, extra = {}) => JSON.stringify({ issuers: [{ issuer: TEST_ISSUER, jwksUri: server.url, algorithms: [alg] }], routes, ...extra }),
  };
}

/** A test issuer for one describe block: started before its tests, closed after them. */
export function useTestIssuer(routes: unknown[]): { readonly key: TestKey; readonly config: string } {
  let issuer: TestIssuer | undefined;
  beforeAll(async () => {
    issuer = await startTestIssuer();
  });
  afterAll(async () => issuer?.server.close());
  const started = (): TestIssuer => {
    if (issuer === undefined) throw new Error("useTestIssuer: read inside a test, after beforeAll");
    return issuer;
  };
  return {
    get key() {
      return started().key;
    },
    get config() {
      return started().config(routes);
    },
  };
}
