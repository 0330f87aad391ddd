import { describe, expect, it } from "vitest";
import { checkRoutePolicy, type RoutePolicySubject } from "../../shared/route-policy.js";
import type { RouteConfig } from "../../shared/types.js";

function route(extra: Partial<RouteConfig>): RouteConfig {
  return { route: "GET /x", public: false, audience: ["orders-api"], scopes: [], anyScopes: [], claims: {}, ...extra };
}

function subject(extra: Partial<RoutePolicySubject> = {}): RoutePolicySubject {
  return { issuer: "https://a/", audiences: ["orders-api"], scopes: new Set(["orders:read"]), claims: {}, ...extra };
}

describe("checkRoutePolicy", () => {
  it("passes public routes without looking at the subject", () => {
    expect(checkRoutePolicy(route({ public: true, audience: [] }), subject({ audiences: [] }), {})).toBeUndefined();
  });

  it("requires one of the route's audiences (a token for service A never passes at B)", () => {
    expect(checkRoutePolicy(route({ audience: ["billing-api"] }), subject(), {})).toBe("ERR_JWT_AUDIENCE_MISMATCH");
    expect(checkRoutePolicy(route({ audience: ["billing-api", "orders-api"] }), subject(), {})).toBeUndefined();
    expect(checkRoutePolicy(route({}), subject({ audiences: [] }), {})).toBe("ERR_JWT_AUDIENCE_MISMATCH");
  });

  it("limits a route to its issuers", () => {
    expect(checkRoutePolicy(route({ issuers: ["https://b/"] }), subject(), {})).toBe("ERR_JWT_ISSUER_NOT_ALLOWED");
    expect(checkRoutePolicy(route({ issuers: ["https://a/"] }), subject(), {})).toBeUndefined();
  });

  it("requires all scopes and at least one of anyScopes", () => {
    expect(checkRoutePolicy(route({ scopes: ["orders:read", "orders:write"] }), subject(), {})).toBe("ERR_SCOPE_INSUFFICIENT");
    expect(checkRoutePolicy(route({ scopes: ["orders:read"] }), subject(), {})).toBeUndefined();
    expect(checkRoutePolicy(route({ anyScopes: ["admin", "ops"] }), subject(), {})).toBe("ERR_SCOPE_INSUFFICIENT");
    expect(checkRoutePolicy(route({ anyScopes: ["admin", "ops"] }), subject({ scopes: new Set(["ops"]) }), {})).toBeUndefined();
  });

  it("binds claims to literal values and to path parameters", () => {
    const tenantRoute = route({ claims: { tenant_id: "{tenant}" } });
    expect(checkRoutePolicy(tenantRoute, subject({ claims: { tenant_id: "acme" } }), { tenant: "acme" })).toBeUndefined();
    expect(checkRoutePolicy(tenantRoute, subject({ claims: { tenant_id: "acme" } }), { tenant: "globex" })).toBe("ERR_CLAIM_MISMATCH");
    expect(checkRoutePolicy(tenantRoute, subject({ claims: {} }), { tenant: "acme" })).toBe("ERR_CLAIM_MISMATCH");
    expect(checkRoutePolicy(tenantRoute, subject({ claims: { tenant_id: ["globex", "acme"] } }), { tenant: "acme" })).toBeUndefined();
    expect(checkRoutePolicy(tenantRoute, subject({ claims: { tenant_id: { id: "acme" } } }), { tenant: "acme" })).toBe("ERR_CLAIM_MISMATCH");
    expect(checkRoutePolicy(route({ claims: { plan: "pro" } }), subject({ claims: { plan: "free" } }), {})).toBe("ERR_CLAIM_MISMATCH");
    expect(checkRoutePolicy(route({ claims: { level: "3" } }), subject({ claims: { level: 3 } }), {})).toBeUndefined();
  });
});
