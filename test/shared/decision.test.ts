import { describe, expect, it } from "vitest";
import { denyDecision, errorResponseBody } from "../../shared/decision.js";

describe("denyDecision", () => {
  it("answers a missing token with a bare challenge (RFC 6750 §3.1)", () => {
    const d = denyDecision("ERR_TOKEN_MISSING", { realm: "api" });
    expect(d.status).toBe(401);
    expect(d.wwwAuthenticate).toBe('Bearer realm="api"');
  });

  it("answers an invalid token with error=invalid_token", () => {
    const d = denyDecision("ERR_JWT_EXPIRED", { realm: "api" });
    expect(d.status).toBe(401);
    expect(d.wwwAuthenticate).toBe('Bearer realm="api", error="invalid_token", error_description="the access token expired"');
  });

  it("answers a malformed request with 400 invalid_request", () => {
    expect(denyDecision("ERR_REQUEST_INVALID", { realm: "api" })).toMatchObject({ status: 400, error: "invalid_request" });
    expect(denyDecision("ERR_PATH_INVALID", { realm: "api" })).toMatchObject({ status: 400, error: "invalid_request" });
  });

  it("answers a missing scope with 403 and the scopes the route needs", () => {
    const d = denyDecision("ERR_SCOPE_INSUFFICIENT", { realm: "api", scopes: ["orders:read", "orders:write"] });
    expect(d.status).toBe(403);
    expect(d.wwwAuthenticate).toContain('error="insufficient_scope"');
    expect(d.wwwAuthenticate).toContain('scope="orders:read orders:write"');
  });

  it("escapes quotes and backslashes in the realm", () => {
    expect(denyDecision("ERR_TOKEN_MISSING", { realm: 'a"b\\c' }).wwwAuthenticate).toBe('Bearer realm="a\\"b\\\\c"');
  });

  it("answers unavailable keys with 503 and Retry-After, and no challenge", () => {
    const d = denyDecision("ERR_KEYS_UNAVAILABLE", { realm: "api", retryAfterSeconds: 30 });
    expect(d).toMatchObject({ status: 503, retryAfterSeconds: 30, wwwAuthenticate: undefined });
    expect(denyDecision("ERR_INTERNAL", { realm: "api" })).toMatchObject({ status: 500, wwwAuthenticate: undefined });
  });

  it("builds a body with only error and error_description", () => {
    const body = JSON.parse(errorResponseBody(denyDecision("ERR_JWS_SIGNATURE_INVALID", { realm: "api" })));
    expect(Object.keys(body).sort()).toEqual(["error", "error_description"]);
  });
});
