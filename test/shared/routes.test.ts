import { describe, expect, it } from "vitest";
import { ConfigError } from "../../shared/errors.js";
import { compileRoutes, parseRouteKey } from "../../shared/routes.js";
import type { RouteConfig } from "../../shared/types.js";

function route(key: string): RouteConfig {
  return { route: key, public: false, audience: ["api"], scopes: [], anyScopes: [], claims: {} };
}

function table(...keys: string[]) {
  return compileRoutes(keys.map(route));
}

function matched(keys: string[], method: string, path: string): string | undefined {
  const segments = path === "/" ? [] : path.slice(1).split("/");
  return table(...keys).match(method, segments)?.route.route;
}

describe("parseRouteKey", () => {
  it("parses methods, literals, parameters and a greedy last segment", () => {
    const parsed = parseRouteKey("ANY /admin/{tenant}/{proxy+}");
    expect(parsed).toEqual({
      ok: true,
      isDefault: false,
      method: "ANY",
      segments: [{ kind: "literal", value: "admin" }, { kind: "param", name: "tenant" }, { kind: "greedy", name: "proxy" }],
      params: ["tenant", "proxy"],
      canonical: "ANY /admin/{}/{+}",
    });
    expect(parseRouteKey("$default")).toMatchObject({ ok: true, isDefault: true, method: undefined, segments: [] });
    expect(parseRouteKey("GET /")).toMatchObject({ ok: true, segments: [], canonical: "GET /" });
  });

  it("gives routes that differ only in parameter names the same canonical form", () => {
    const a = parseRouteKey("GET /a/{x}");
    const b = parseRouteKey("GET /a/{y}");
    expect(a.ok && b.ok && a.canonical === b.canonical).toBe(true);
  });

  it.each([
    ["get /a", /unknown method "get"/],
    ["FETCH /a", /unknown method/],
    ["GET", /METHOD \/path/],
    ["GET a", /must start with/],
    ["GET  /a", /must start with/],
    ["GET /a/", /must not end with/],
    ["GET /a//b", /empty path segment/],
    ["GET /{proxy+}/a", /must be the last segment/],
    ["GET /a{id}", /mixes literal/],
    ["GET /{}", /invalid path parameter/],
    ["GET /{a-b}", /invalid path parameter/],
    ["GET /{id}/{id}", /appears twice/],
    ["GET /a/../b", /dot segment/],
    ["GET /a%2Fb", /characters a route cannot match/],
    ["GET /a;b", /characters a route cannot match/],
    ["GET /a b", /characters a route cannot match/],
    ["$DEFAULT", /METHOD \/path/],
  ])("rejects %j", (key, message) => {
    const parsed = parseRouteKey(key);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });
});

describe("route precedence", () => {
  it.each([
    // [routes, method, path, expected]
    [["GET /orders/{id}", "GET /orders/latest"], "GET", "/orders/latest", "GET /orders/latest"],
    [["GET /orders/latest", "GET /orders/{id}"], "GET", "/orders/7", "GET /orders/{id}"],
    [["GET /orders/{proxy+}", "GET /orders/{id}"], "GET", "/orders/7", "GET /orders/{id}"],
    [["GET /orders/{proxy+}", "GET /orders/{id}"], "GET", "/orders/7/items", "GET /orders/{proxy+}"],
    // compared from the left: a literal first segment beats a parameter there, whatever follows
    [["GET /{a}/b", "GET /x/{b}"], "GET", "/x/b", "GET /x/{b}"],
    [["GET /a/{x}/c", "GET /a/{y}/{z}"], "GET", "/a/1/c", "GET /a/{x}/c"],
    [["GET /a/{y}/{z}", "GET /a/{x}/c"], "GET", "/a/1/c", "GET /a/{x}/c"],
    [["GET /a/{x}/{proxy+}", "GET /a/{y}/c/d"], "GET", "/a/1/c/d", "GET /a/{y}/c/d"],
    // path specificity before method
    [["ANY /a/b", "GET /a/{x}"], "GET", "/a/b", "ANY /a/b"],
    // then a method over ANY
    [["ANY /a/{x}", "GET /a/{x}"], "GET", "/a/1", "GET /a/{x}"],
    [["ANY /a/{x}", "GET /a/{x}"], "POST", "/a/1", "ANY /a/{x}"],
    // backtracking: the literal branch has no route for the method
    [["POST /a/b", "GET /a/{x}"], "GET", "/a/b", "GET /a/{x}"],
    [["POST /a/b/c", "GET /a/{proxy+}"], "GET", "/a/b/c", "GET /a/{proxy+}"],
    // $default only when nothing else matches
    [["$default", "GET /a"], "GET", "/a", "GET /a"],
    [["$default", "GET /a"], "GET", "/b", "$default"],
    [["$default", "GET /a"], "POST", "/a", "$default"],
    [["GET /a"], "GET", "/b", undefined],
    [["GET /"], "GET", "/", "GET /"],
    [["GET /{x}"], "GET", "/", undefined],
  ] as [string[], string, string, string | undefined][])("%j: %s %s -> %s", (keys, method, path, expected) => {
    expect(matched(keys, method, path)).toBe(expected);
  });

  it("greedy parameters need at least one segment", () => {
    expect(matched(["ANY /admin/{proxy+}"], "GET", "/admin")).toBeUndefined();
    expect(matched(["ANY /admin/{proxy+}", "$default"], "GET", "/admin")).toBe("$default");
    expect(matched(["ANY /{proxy+}"], "GET", "/")).toBeUndefined();
  });

  it("upper-cases the request method so that a lower-case method cannot dodge a protected route", () => {
    expect(matched(["GET /admin", "$default"], "get", "/admin")).toBe("GET /admin");
    expect(matched(["DELETE /admin", "ANY /{p+}"], "dElEtE", "/admin")).toBe("DELETE /admin");
  });

  it("matches unknown methods only to ANY and $default", () => {
    expect(matched(["GET /a", "POST /a"], "PROPFIND", "/a")).toBeUndefined();
    expect(matched(["GET /a", "ANY /a"], "PROPFIND", "/a")).toBe("ANY /a");
    expect(matched(["GET /a", "$default"], "TRACE", "/a")).toBe("$default");
  });

  it("serves HEAD from a HEAD route, else from GET, before ANY or $default", () => {
    expect(matched(["HEAD /a", "GET /a"], "HEAD", "/a")).toBe("HEAD /a");
    expect(matched(["GET /a", "ANY /a"], "HEAD", "/a")).toBe("GET /a");
    expect(matched(["GET /a", "$default"], "HEAD", "/a")).toBe("GET /a");
    expect(matched(["GET /a/{x}", "ANY /{p+}"], "head", "/a/1")).toBe("GET /a/{x}");
    // GET stands in for HEAD only: it does not answer other methods
    expect(matched(["GET /a", "$default"], "OPTIONS", "/a")).toBe("$default");
  });

  it("binds parameters by name, greedy ones joined with /", () => {
    const t = table("GET /t/{tenant}/files/{path+}", "GET /t/{id}/x");
    expect(t.match("GET", ["t", "acme", "files", "a b", "ü.txt"])).toEqual({
      route: expect.objectContaining({ route: "GET /t/{tenant}/files/{path+}" }),
      params: { tenant: "acme", path: "a b/ü.txt" },
    });
    expect(t.match("GET", ["t", "acme", "x"])?.params).toEqual({ id: "acme" });
  });

  it("keeps a parameter named __proto__ as an own value", () => {
    const params = table("GET /{__proto__}").match("GET", ["evil"])?.params;
    expect(Object.getOwnPropertyDescriptor(params, "__proto__")?.value).toBe("evil");
    expect(Object.getPrototypeOf(params)).toBe(Object.prototype);
  });

  it("exposes each compiled route's method and segment pattern", () => {
    const t = table("ANY /admin/{proxy+}", "$default");
    expect(t.routes).toEqual([
      {
        config: expect.objectContaining({ route: "ANY /admin/{proxy+}" }),
        isDefault: false,
        method: "ANY",
        segments: [{ kind: "literal", value: "admin" }, { kind: "greedy", name: "proxy" }],
      },
      { config: expect.objectContaining({ route: "$default" }), isDefault: true, method: undefined, segments: [] },
    ]);
  });

  it("refuses duplicates and malformed keys when compiled directly", () => {
    expect(() => table("GET /a/{x}", "GET /a/{y}")).toThrow(ConfigError);
    expect(() => table("ANY /{a+}", "ANY /{b+}")).toThrow(/duplicate/);
    expect(() => table("$default", "$default")).toThrow(/duplicate/);
    expect(() => table("get /a")).toThrow(ConfigError);
    expect(() => table("GET /a", "POST /a", "ANY /a")).not.toThrow();
  });
});
