import { describe, expect, it } from "vitest";
import { AuthorizerError } from "../../shared/errors.js";
import { normalizeRequestPath } from "../../shared/request-path.js";

function rejection(raw: string): string | undefined {
  try {
    normalizeRequestPath(raw);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(AuthorizerError);
    expect((error as AuthorizerError).code).toBe("ERR_PATH_INVALID");
    return (error as AuthorizerError).message;
  }
}

describe("normalizeRequestPath accepts", () => {
  it.each([
    ["/", "/", [], ""],
    ["/orders", "/orders", ["orders"], ""],
    ["/orders/", "/orders", ["orders"], ""],
    ["/orders/7?x=1&access_token=a%2Fb", "/orders/7", ["orders", "7"], "x=1&access_token=a%2Fb"],
    ["/?q", "/", [], "q"],
    ["/a/b?", "/a/b", ["a", "b"], ""],
    ["/files/a%20b/%C3%BC", "/files/a%20b/%C3%BC", ["files", "a b", "ü"], ""],
    ["/%41%62c", "/%41%62c", ["Abc"], ""],
    ["/a%3Fb/c%23d", "/a%3Fb/c%23d", ["a?b", "c#d"], ""],
    ["/.well-known/jwks.json", "/.well-known/jwks.json", [".well-known", "jwks.json"], ""],
    ["/.../a.", "/.../a.", ["...", "a."], ""],
    ["/%C4%81%C4%A0", "/%C4%81%C4%A0", ["āĠ"], ""],
    ["/café/ü", "/café/ü", ["café", "ü"], ""],
    ["/caf%C3%A9/é", "/caf%C3%A9/é", ["café", "é"], ""],
    ["/a/b?c=/../d;e", "/a/b", ["a", "b"], "c=/../d;e"],
  ])("%j", (raw, path, segments, query) => {
    expect(normalizeRequestPath(raw)).toEqual({ path, segments, query });
  });
});

describe("normalizeRequestPath refuses (400) what an origin might read differently", () => {
  it.each([
    ["", /start with \//],
    ["orders", /start with \//],
    ["http://example.com/a", /start with \//],
    ["?a=1", /start with \//],
    ["/public/..", /dot segment/],
    ["/public/../admin", /dot segment/],
    ["/./admin", /dot segment/],
    ["/admin/.", /dot segment/],
    ["/admin/./", /dot segment/],
    ["/public/%2e%2e/admin", /encoded dot/],
    ["/public/%2E%2E/admin", /encoded dot/],
    ["/public/.%2e/admin", /encoded dot/],
    ["/%2e/admin", /encoded dot/],
    ["/public%2Fadmin", /encoded slash/],
    ["/public%2fadmin", /encoded slash/],
    ["/public\\..\\admin", /backslash/],
    ["/public\\admin", /backslash/],
    ["/public%5Cadmin", /encoded backslash/],
    ["/public%5cadmin", /encoded backslash/],
    ["/admin%00.json", /control character/],
    ["/admin\u0000", /control character/],
    ["/admin\t", /control character/],
    ["/admin%0A", /control character/],
    ["/admin%7F", /control character/],
    ["/admin\u007f", /control character/],
    ["/admin%C2%85", /control character/],
    ["/admin\u0085", /control character/],
    ["/public/%252e%252e/admin", /double encoding/],
    ["/a%252Fb", /double encoding/],
    ["/a%", /malformed/],
    ["/a%2", /malformed/],
    ["/a%zz", /malformed/],
    ["/a%G0", /malformed/],
    ["/a%C3", /UTF-8/],
    ["/a%C3%28", /UTF-8/],
    ["/a%ED%A0%80", /UTF-8/],
    ["/a%FF", /UTF-8/],
    ["//admin", /empty segment/],
    ["/public//admin", /empty segment/],
    ["//", /empty segment/],
    ["/admin//", /empty segment/],
    ["/admin;jsessionid=1", /semicolon/],
    ["/public;/../admin", /semicolon/],
    ["/admin%3Bx", /encoded semicolon/],
    ["/admin#frag", /fragment/],
  ])("%j", (raw, message) => {
    expect(rejection(raw)).toMatch(message);
  });
});
