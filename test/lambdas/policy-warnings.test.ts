import { describe, expect, it } from "vitest";
import { parseConfig } from "../../shared/index.js";
import { policyOverlaps, policyWarnings, unroutedReach } from "../../lambdas/policy-warnings.js";

const orders = { audience: "orders-api" };

function config(routes: unknown[]) {
  return parseConfig({ issuers: [{ issuer: "https://issuer.test/", jwksUri: "https://issuer.test/jwks", algorithms: ["ES256"] }], routes });
}

describe("policyOverlaps (configuration check)", () => {
  it("names literal-beside-parameter and deeper-under-parameter pairs, in the direction that can be denied", () => {
    const pairs = policyOverlaps(
      config([
        { route: "GET /orders/{id}", ...orders, scopes: ["orders:read"] },
        { route: "GET /orders/export", ...orders, scopes: ["orders:export"] },
        { route: "GET /orders/{id}/items", ...orders, scopes: ["orders:items"] },
      ]),
    ).map((p) => `${p.route} <- ${p.deniedBecauseOf}`);
    expect(pairs).toContain("GET /orders/export <- GET /orders/{id}");
    expect(pairs).toContain("GET /orders/{id}/items <- GET /orders/{id}");
    // The literal's Deny is exact: a token without export keeps every /orders/{id}.
    expect(pairs).not.toContain("GET /orders/{id} <- GET /orders/export");
  });

  it("finds nothing for routes IAM wildcards tell apart", () => {
    expect(
      policyOverlaps(
        config([
          { route: "GET /health", public: true },
          { route: "GET /orders/{id}", ...orders, scopes: ["orders:read"] },
          { route: "DELETE /orders/{id}", ...orders, scopes: ["orders:write"] },
          { route: "POST /orders", ...orders, scopes: ["orders:write"] },
          { route: "ANY /admin/{proxy+}", audience: "admin-api" },
        ]),
      ),
    ).toEqual([]);
  });

  it("words warnings with the JSON path, both routes and the remedy, and flags claim templates for simple responses", () => {
    const warnings = policyWarnings(
      config([
        { route: "GET /orders/{id}", ...orders, scopes: ["orders:read"] },
        { route: "GET /orders/export", ...orders, scopes: ["orders:export"] },
        { route: "GET /tenants/{tenant}/orders", ...orders, claims: { tenant_id: "{tenant}" } },
      ]),
    );
    const overlap = warnings.find((w) => w.path === "routes[1].route");
    expect(overlap?.message).toMatch(/GET \/orders\/export.*GET \/orders\/\{id\}.*TTL to 0/);
    expect(warnings.some((w) => w.path === "routes[2].claims" && /HTTP_API_RESPONSE=iam/.test(w.message))).toBe(true);
  });
});

describe("unroutedReach (configuration check)", () => {
  const nested = [
    { route: "GET /orders/{id}", ...orders, scopes: ["orders:read"] },
    { route: "GET /orders/{id}/items", ...orders, scopes: ["orders:read"] },
  ];

  it("names a route whose cached Allow reaches requests no route owns, when a deeper route keeps it unfenced", () => {
    const reach = unroutedReach(config(nested));
    expect(reach.map((r) => r.route)).toContain("GET /orders/{id}");
    const example = reach.find((r) => r.route === "GET /orders/{id}")!.example;
    expect(example).toMatch(/^GET \/orders\/[^/]+\/[^/]+/);
    expect(policyWarnings(config(nested)).some((w) => w.path === "routes[0].route" && w.message.includes("no configured route owns"))).toBe(true);
  });

  it("finds nothing when the fence costs no configured route, or when a $default owns the rest", () => {
    expect(unroutedReach(config([nested[0]]))).toEqual([]);
    expect(unroutedReach(config([...nested, { route: "$default", audience: "admin-api" }]))).toEqual([]);
  });
});
