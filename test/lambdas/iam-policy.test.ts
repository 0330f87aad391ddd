/**
 * The cache-safety property, for real: for a grid of tokens and every pair of concrete requests
 * (R1, R2), the IAM policy the handler returns for R1 (which API Gateway caches for the token) is
 * evaluated against R2 with an independent evaluator of API Gateway's rules, and compared with the
 * direct decision of the core for R2. A cached allow where the direct decision denies is a false
 * allow (never acceptable); a cached deny where it allows is a false deny (counted; zero for
 * tables whose routes IAM wildcards can tell apart). Requests no configured route owns are
 * counted too: API Gateway calls the authorizer for them only when the API has routes the
 * configuration does not list; where wildcards cannot fence them, check-config must warn. The same grid runs through the
 * three IAM answer kinds: REST TOKEN, REST REQUEST 1.0 and HTTP API 2.0 with IAM responses.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createAuthorizer, parseConfig, type Authorizer } from "../../shared/index.js";
import { normalizeRequestPath } from "../../shared/request-path.js";
import { createLambdaHandler } from "../../lambdas/authorizer.js";
import { generateTestKey, mintToken, TEST_ISSUER, type TestKey } from "../support/keys.js";
import { FIXTURES_MISSING, reportMissingFixtures, requestV1Event, requestV2Event, resourceOf, routeKeyFits, stageArnOf, tokenEvent } from "./fixtures.js";
import { evaluatePolicy, type Policy } from "./policy-evaluator.js";
import { unroutedReach } from "../../lambdas/policy-warnings.js";

const ORDERS = { audience: "orders-api" };
const OVERLAPPING_ROUTES = [
  { route: "GET /health", public: true },
  { route: "GET /orders", ...ORDERS, scopes: ["orders:list"] },
  { route: "GET /orders/{id}", ...ORDERS, scopes: ["orders:read"] },
  { route: "GET /orders/export", ...ORDERS, scopes: ["orders:export"] },
  { route: "GET /orders/{id}/items", ...ORDERS, scopes: ["orders:read"] },
  { route: "DELETE /orders/{id}", ...ORDERS, scopes: ["orders:write"] },
  { route: "ANY /admin/{proxy+}", audience: "admin-api", anyScopes: ["admin", "ops"] },
  { route: "GET /tenants/{tenant}/orders", ...ORDERS, claims: { tenant_id: "{tenant}" } },
  { route: "POST /tenants/{tenant}/orders", ...ORDERS, scopes: ["orders:write"], claims: { tenant_id: "{tenant}" } },
  { route: "GET /me", ...ORDERS },
];
const OVERLAPPING_REQUESTS = [
  "GET /health", "GET /orders", "GET /orders/", "GET /orders/1", "GET /orders/1/", "HEAD /orders/1", "GET /orders/export", "GET /orders/1/items",
  "GET /orders/1/items/", "DELETE /orders/1", "POST /orders/1", "GET /admin/users", "POST /admin/users/7/disable",
  "DELETE /admin/x", "GET /tenants/acme/orders", "GET /tenants/globex/orders", "POST /tenants/acme/orders", "GET /me",
  "GET /orders/..%2Fadmin", "GET /orders/a;b", "GET /orders/1/x/y", "PUT /orders/1", "GET /unknown/path",
];
const DISJOINT_ROUTES = [
  { route: "GET /health", public: true },
  { route: "GET /me", ...ORDERS },
  { route: "POST /orders", ...ORDERS, scopes: ["orders:write"] },
  { route: "GET /orders/{id}", ...ORDERS, scopes: ["orders:read"] },
  { route: "DELETE /orders/{id}", ...ORDERS, scopes: ["orders:write"] },
  { route: "GET /tenants/{tenant}/orders", ...ORDERS, claims: { tenant_id: "{tenant}" } },
  { route: "ANY /admin/{proxy+}", audience: "admin-api", anyScopes: ["admin", "ops"] },
];
const DISJOINT_REQUESTS = [
  "GET /health", "GET /me", "POST /orders", "GET /orders/1", "GET /orders/1/", "GET /orders/1/x", "HEAD /orders/1", "DELETE /orders/1", "GET /tenants/acme/orders",
  "GET /tenants/globex/orders", "GET /admin/a", "PUT /admin/a/b", "GET /orders/..%2Fadmin",
];

const TABLES = {
  "overlapping, no $default": { routes: OVERLAPPING_ROUTES, requests: OVERLAPPING_REQUESTS, disjoint: false },
  "overlapping, protected $default": {
    routes: [...OVERLAPPING_ROUTES, { route: "$default", audience: "admin-api", scopes: ["admin"] }],
    requests: OVERLAPPING_REQUESTS,
    disjoint: false,
  },
  "overlapping, public $default": { routes: [...OVERLAPPING_ROUTES, { route: "$default", public: true }], requests: OVERLAPPING_REQUESTS, disjoint: false },
  "disjoint": { routes: DISJOINT_ROUTES, requests: DISJOINT_REQUESTS, disjoint: true },
};

const TOKEN_CLAIMS: Record<string, Record<string, unknown>> = {
  reader: { aud: "orders-api", scope: "orders:read", tenant_id: "acme" },
  "reader+list+export": { aud: "orders-api", scope: "orders:read orders:list orders:export" },
  writer: { aud: "orders-api", scope: "orders:read orders:write", tenant_id: ["acme", "globex"] },
  "export only": { aud: "orders-api", scope: "orders:export" },
  admin: { aud: "admin-api", scope: "admin" },
  ops: { aud: "admin-api", scope: undefined, scp: ["ops"] },
  everything: { aud: ["orders-api", "admin-api"], scope: "admin orders:read orders:write orders:list orders:export", tenant_id: "acme" },
  "other audience": { aud: "billing-api", scope: "orders:read" },
  "no scopes": { aud: "orders-api", scope: undefined },
  "wildcard tenant": { aud: "orders-api", scope: "orders:read", tenant_id: "ac*" },
};

type Kind = "REST TOKEN" | "REST REQUEST 1.0" | "HTTP API 2.0 iam";
const KINDS: Kind[] = ["REST TOKEN", "REST REQUEST 1.0", "HTTP API 2.0 iam"];

interface GridRequest {
  name: string;
  method: string;
  path: string;
  /** The route API Gateway matched: the configured route that owns the request, else `$default` (the API's catch-all). */
  routeKey: string;
  /** No configured route (and no configured `$default`) owns it: the core denies it (403). */
  unrouted: boolean;
}

/** The event API Gateway sends for the request, with the token; consistent route fields. */
function gridEvent(kind: Kind, token: string, r: GridRequest): Record<string, any> {
  if (kind === "REST TOKEN") return tokenEvent(token, r.method, r.path);
  if (kind === "REST REQUEST 1.0") return requestV1Event(token, r.method, r.path, resourceOf(r.routeKey, r.path));
  return requestV2Event(token, r.method, r.path, r.routeKey);
}

reportMissingFixtures("cache-safe IAM policies (real fixtures)");

describe.skipIf(FIXTURES_MISSING !== undefined)("cache-safe IAM policies (real fixtures)", () => {
  let key: TestKey;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    key = await generateTestKey("ES256");
    for (const [name, claims] of Object.entries(TOKEN_CLAIMS)) tokens[name] = await mintToken(key, { claims, lifetimeSeconds: 3600 });
  });

  for (const kind of KINDS) {
    for (const [tableName, table] of Object.entries(TABLES)) {
      it(`${kind}: never allows from cache what the direct decision denies (unrouted requests included): ${tableName}`, async () => {
        const config = { issuers: [{ issuer: TEST_ISSUER, jwks: { keys: [key.publicJwk] }, algorithms: ["ES256"] }], routes: table.routes };
        const handler = createLambdaHandler({
          env: { AUTHORIZER_CONFIG: JSON.stringify(config), HTTP_API_RESPONSE: "iam" },
          log: () => {},
          writeMetric: () => {},
        });
        const direct: Authorizer = createAuthorizer(parseConfig(config), { log: () => {} });
        const requests: GridRequest[] = table.requests.map((r) => {
          const [method, path] = r.split(" ") as [string, string];
          // A request no configured route owns, with no configured `$default`, is still called
          // with the token when the API routes it (an API route the configuration does not list,
          // a proxy resource, a `$default` route): the core denies it (403), so a cached policy
          // must not allow it either. Refused spellings (400) are requests API Gateway may route.
          let route: string | undefined;
          let refused = false;
          try {
            route = direct.routes.match(method, normalizeRequestPath(path).segments)?.route.route;
          } catch {
            refused = true;
          }
          const routeKey = route !== undefined && routeKeyFits(route, method, path) ? route : "$default";
          return { name: r, method, path, routeKey, unrouted: route === undefined && !refused };
        });
        const sample = gridEvent(kind, "x", requests[0]!);
        const stageArn = stageArnOf((sample.methodArn ?? sample.routeArn) as string);
        const arnOf = (r: GridRequest): string => `${stageArn}/${r.method}/${r.path.slice(1)}`;
        let pairs = 0;
        const falseAllows: string[] = [];
        let unroutedAllows = 0;
        const unroutedAllowed: GridRequest[] = [];
        let falseDenies = 0;
        let maxStatements = 0;
        for (const [tokenName, token] of Object.entries(tokens)) {
          const decisions = new Map<string, boolean>();
          for (const r of requests) {
            const d = await direct.authorize({ method: r.method, path: r.path, headers: { authorization: `Bearer ${token}` } });
            decisions.set(r.name, d.allow);
          }
          for (const r1 of requests) {
            const event = gridEvent(kind, token, r1);
            expect((event.methodArn ?? event.routeArn) as string).toBe(arnOf(r1));
            let policy: Policy;
            try {
              const answer = (await handler(event as never)) as { policyDocument: Policy };
              policy = answer.policyDocument;
            } catch (error) {
              // "Unauthorized" (401/400) caches nothing; the direct decision must deny too.
              expect((error as Error).message).toBe("Unauthorized");
              expect(decisions.get(r1.name)).toBe(false);
              continue;
            }
            const resources = policy.Statement.flatMap((s) => s.Resource as string[]);
            for (const resource of resources) expect(resource.length).toBeLessThanOrEqual(512);
            maxStatements = Math.max(maxStatements, resources.length);
            // The answer is right for the request itself, first of all, when the direct decision denies.
            if (decisions.get(r1.name) === false) expect(evaluatePolicy(policy, arnOf(r1)), `${tokenName}: ${r1.name}`).toBe("deny");
            for (const r2 of requests) {
              pairs++;
              const cached = evaluatePolicy(policy, arnOf(r2));
              const allowed = decisions.get(r2.name) === true;
              if (cached === "allow" && !allowed) {
                if (r2.unrouted) {
                  unroutedAllows++;
                  unroutedAllowed.push(r2);
                }
                falseAllows.push(`${tokenName}: policy for ${r1.name} allows ${r2.name}${r2.unrouted ? " (no route owns it: direct 403)" : ""}`);
              }
              if (cached === "deny" && allowed) falseDenies++;
            }
          }
        }
        console.log(
          `[cache-safety] ${kind}, ${tableName}: ${pairs} pairs, ${falseAllows.length} false allows (${unroutedAllows} of them unrouted), ` +
            `${falseDenies} false denies, largest policy ${maxStatements} resources`,
        );
        // Routed requests: never a false allow. Unrouted ones (no configured route, no $default)
        // reach the authorizer only when the API has routes the configuration does not list;
        // IAM wildcards cannot always fence them without denying a configured deeper route, and
        // then check-config must say so (unroutedReach) instead of the policy silently allowing.
        expect(falseAllows.filter((f) => !f.endsWith("(no route owns it: direct 403)"))).toEqual([]);
        // Each one lies under a route check-config names: its method, below its literal prefix.
        const warned = unroutedReach(parseConfig(config)).map((w) => {
          const [method, path] = w.route.split(" ") as [string, string];
          return { method, prefix: path.slice(0, path.indexOf("{")) };
        });
        const explained = (r: GridRequest) =>
          warned.some((w) => (w.method === r.method || w.method === "ANY" || (w.method === "GET" && r.method === "HEAD")) && w.prefix !== "" && r.path.startsWith(w.prefix));
        expect(unroutedAllowed.filter((r) => !explained(r)).map((r) => r.name), "unrouted allows no check-config warning names").toEqual([]);
        if (table.disjoint) expect(falseDenies).toBe(0);
      });
    }
  }
});

describe("the policy evaluator", () => {
  const arn = "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod";
  const policy = (allow: string[], deny: string[] = []): Policy => ({
    Version: "2012-10-17",
    Statement: [
      { Action: "execute-api:Invoke", Effect: "Allow", Resource: allow },
      ...(deny.length > 0 ? [{ Action: "execute-api:Invoke", Effect: "Deny", Resource: deny }] : []),
    ],
  });

  it("lets explicit Deny win, requires an Allow, and reads * across / and ? as one character", () => {
    expect(evaluatePolicy(policy([`${arn}/GET/orders/*`]), `${arn}/GET/orders/1/items`)).toBe("allow");
    expect(evaluatePolicy(policy([`${arn}/GET/orders/*`], [`${arn}/GET/orders/*/items`]), `${arn}/GET/orders/1/items`)).toBe("deny");
    expect(evaluatePolicy(policy([`${arn}/GET/orders/?`]), `${arn}/GET/orders/12`)).toBe("deny");
    expect(evaluatePolicy(policy([`${arn}/GET/orders/??`]), `${arn}/GET/orders/12`)).toBe("allow");
    expect(evaluatePolicy(policy([`${arn}/GET/orders`]), `${arn}/POST/orders`)).toBe("deny");
  });

  it("catches the well-known bug: a blanket * cached for one route allows a route the token lacks", () => {
    expect(evaluatePolicy(policy([`${arn}/*`]), `${arn}/DELETE/orders/1`)).toBe("allow");
  });
});
