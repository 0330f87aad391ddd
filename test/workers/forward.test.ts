/**
 * Forwarding rules on their own (Node, web Request/Headers): where the request goes and which
 * headers it carries. The end-to-end view through workerd is in index.test.ts.
 */
import { describe, expect, it } from "vitest";
import { buildUpstreamRequest, claimHeaders, parseUpstreamUrl, rawPathOf } from "../../workers/forward.js";
import type { ForwardSettings } from "../../shared/types.js";

const forward: ForwardSettings = {
  headerPrefix: "x-auth-",
  claimHeaders: { sub: "x-auth-sub", scope: "x-auth-scope", groups: "x-auth-groups" },
  keepAuthorization: false,
};

describe("rawPathOf", () => {
  it("keeps the path and query as sent and drops a fragment", () => {
    expect(rawPathOf("https://api.example.com/orders/1%2Fx?a=1&b=%20")).toBe("/orders/1%2Fx?a=1&b=%20");
    expect(rawPathOf("https://api.example.com")).toBe("/");
    expect(rawPathOf("https://api.example.com/a?b#frag")).toBe("/a?b");
  });
});

describe("parseUpstreamUrl", () => {
  it("accepts an http(s) origin, optionally with a base path", () => {
    expect(parseUpstreamUrl(undefined)).toBeUndefined();
    expect(parseUpstreamUrl("  ")).toBeUndefined();
    expect(parseUpstreamUrl("https://origin.example.com/base/")?.pathname).toBe("/base/");
  });

  it("refuses other schemes, queries and non-URLs", () => {
    expect(() => parseUpstreamUrl("ftp://origin.example.com")).toThrow(/http/);
    expect(() => parseUpstreamUrl("https://origin.example.com/?x=1")).toThrow(/query/);
    expect(() => parseUpstreamUrl("origin.example.com")).toThrow();
  });
});

describe("buildUpstreamRequest", () => {
  const inbound = () =>
    new Request("https://api.example.com/orders/1?x=1", {
      method: "PUT",
      headers: { authorization: "Bearer t", "X-Auth-Sub": "mallory", "x-auth-role": "admin", host: "api.example.com", "x-keep": "1" },
      body: "payload",
    });

  it("sends to UPSTREAM_URL (base path prefixed, path and query kept) with identity headers replaced", async () => {
    const out = buildUpstreamRequest(inbound(), {
      rawPath: "/orders/1?x=1",
      upstream: new URL("https://origin.example.com/base/"),
      forward,
      claims: { sub: "alice", scope: "orders:write", groups: ["a", "b"] },
    });
    expect(out.url).toBe("https://origin.example.com/base/orders/1?x=1");
    expect(out.method).toBe("PUT");
    expect(out.redirect).toBe("manual");
    expect([...out.headers].filter(([name]) => name.startsWith("x-"))).toEqual([
      ["x-auth-groups", "a b"],
      ["x-auth-scope", "orders:write"],
      ["x-auth-sub", "alice"],
      ["x-keep", "1"],
    ]);
    expect(out.headers.has("authorization")).toBe(false);
    expect(await out.text()).toBe("payload");
  });

  it("sends to the request's own URL without UPSTREAM_URL; a public route gets no identity headers", () => {
    const out = buildUpstreamRequest(inbound(), { rawPath: "/orders/1?x=1", upstream: undefined, forward, claims: undefined });
    expect(out.url).toBe("https://api.example.com/orders/1?x=1");
    expect([...out.headers.keys()].filter((name) => name.startsWith("x-auth-"))).toEqual([]);
  });

  it("keeps Authorization only when configured to", () => {
    const out = buildUpstreamRequest(inbound(), {
      rawPath: "/orders/1?x=1", upstream: undefined, forward: { ...forward, keepAuthorization: true }, claims: {},
    });
    expect(out.headers.get("authorization")).toBe("Bearer t");
  });
});

describe("claimHeaders", () => {
  it("sends strings, numbers, booleans and arrays of them; skips objects, nulls and unsafe text", () => {
    const skipped: string[] = [];
    const headers = claimHeaders(
      { sub: 42, scope: true, groups: [{ nested: 1 }], extra: "not configured" },
      forward,
      (_level, entry) => skipped.push(String(entry.claim)),
    );
    expect(headers).toEqual({ "x-auth-sub": "42", "x-auth-scope": "true" });
    expect(skipped).toEqual(["groups"]);
    const unsafe = { sub: "a\nb", scope: "tab\there", groups: ["ok", "caf\u00e9"] };
    expect(claimHeaders(unsafe, forward)).toEqual({});
    expect(claimHeaders({ sub: null, scope: Number.NaN }, forward)).toEqual({});
  });
});
