/** The configuration and keys the Worker tests share. */
import { TEST_ISSUER } from "../../support/keys.js";

export const CLAIM_HEADERS = {
  sub: "x-auth-sub",
  scope: "x-auth-scope",
  roles: "x-auth-roles",
  level: "x-auth-level",
  active: "x-auth-active",
  profile: "x-auth-profile",
  note: "x-auth-note",
  email: "x-auth-email",
};

export function workerConfig(jwksUri: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    issuers: [{ issuer: TEST_ISSUER, jwksUri, algorithms: ["ES256"] }],
    routes: [
      { route: "GET /health", public: true },
      { route: "OPTIONS /orders", public: true },
      { route: "GET /orders/{id}", audience: "orders-api", scopes: ["orders:read"] },
      { route: "POST /orders", audience: "orders-api", scopes: ["orders:write"] },
      { route: "ANY /admin/{proxy+}", audience: "admin-api", anyScopes: ["admin"] },
      { route: "GET /redirect", audience: "orders-api" },
    ],
    forward: { headerPrefix: "x-auth-", claimHeaders: CLAIM_HEADERS },
    ...overrides,
  };
}
