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
    // mintToken's tokens carry `typ: at+jwt` (RFC 9068): anything else is an invalid token.
    issuers: [{ issuer: TEST_ISSUER, jwksUri, algorithms: ["ES256"], tokenTypes: ["at+jwt"] }],
    routes: [
      { route: "GET /health", public: true },
      { route: "OPTIONS /orders", public: true },
      { route: "GET /orders/{id}", audience: "orders-api", scopes: ["orders:read"] },
      { route: "POST /orders", audience: "orders-api", scopes: ["orders:write"] },
      { route: "ANY /admin/{proxy+}", audience: "admin-api", anyScopes: ["admin"] },
      { route: "GET /redirect", audience: "orders-api" },
      // A tenant boundary: the token's tenant_id must equal (or, as an array, hold) the path's tenant.
      { route: "GET /tenants/{tenant}/orders", audience: "orders-api", claims: { tenant_id: "{tenant}" } },
    ],
    forward: { headerPrefix: "x-auth-", claimHeaders: CLAIM_HEADERS },
    ...overrides,
  };
}
