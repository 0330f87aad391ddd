import { describe, expect, it } from "vitest";
import { AuthorizerError, type ErrorCode } from "../../shared/errors.js";
import { extractToken } from "../../shared/token-extraction.js";
import type { HeadersInput, TokenSource } from "../../shared/types.js";

const JWT = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl";
const OTHER = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIyIn0.c2lnbmF0dXJl";
const AUTH: TokenSource[] = [{ kind: "header", name: "authorization" }];

function extract(headers: HeadersInput, sources: TokenSource[] = AUTH, query = ""): string {
  return extractToken({ headers, query }, sources);
}

function failure(run: () => unknown): { code: ErrorCode; message: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AuthorizerError);
    const e = error as AuthorizerError;
    // errors end up in logs: never the token
    expect(e.message).not.toContain(JWT);
    expect(e.message).not.toContain("c2lnbmF0dXJl");
    return { code: e.code, message: e.message };
  }
  throw new Error("expected a rejection");
}

describe("Authorization header", () => {
  it.each([
    `Bearer ${JWT}`,
    `bearer ${JWT}`,
    `BEARER ${JWT}`,
    `Bearer    ${JWT}`,
    `  Bearer ${JWT}  `,
    `Bearer ${JWT}\t`,
  ])("accepts %j", (value) => {
    expect(extract({ authorization: value })).toBe(JWT);
    expect(extract(new Headers({ Authorization: value }))).toBe(JWT);
  });

  it("accepts every b64token character and trailing =", () => {
    expect(extract({ Authorization: "Bearer aZ09-._~+/==" })).toBe("aZ09-._~+/==");
  });

  it.each([
    ["no header", {}],
    ["an empty header", { authorization: "" }],
    ["only spaces", { authorization: "   " }],
    ["Basic", { authorization: "Basic dXNlcjpwYXNz" }],
    ["Digest with commas", { authorization: 'Digest username="a", realm="b", nonce="c"' }],
    ["a scheme that only starts with Bearer", { authorization: `Bearerx ${JWT}` }],
    ["a token in another header", { "x-token": JWT }],
  ])("is 'no token' with %s", (_, headers) => {
    expect(failure(() => extract(headers as HeadersInput)).code).toBe("ERR_TOKEN_MISSING");
  });

  it.each([
    ["Bearer with no token", { authorization: "Bearer" }],
    ["Bearer and spaces", { authorization: "Bearer    " }],
    ["a tab after Bearer", { authorization: `Bearer\t${JWT}` }],
    ["two tokens in one value", { authorization: `Bearer ${JWT} ${OTHER}` }],
    ["comma-joined Bearer credentials", { authorization: `Bearer ${JWT}, Bearer ${OTHER}` }],
    ["Bearer beside another scheme", { authorization: `Basic dXNlcjpwYXNz, Bearer ${JWT}` }],
    ["a trailing comma part", { authorization: `Bearer ${JWT}, x` }],
    ["two Authorization headers in different casing", { authorization: `Bearer ${JWT}`, Authorization: `Bearer ${OTHER}` }],
    ["the same token twice", { authorization: [`Bearer ${JWT}`, `Bearer ${JWT}`] }],
    ["a token with a quote", { authorization: `Bearer "${JWT}"` }],
    ["a token with a newline", { authorization: `Bearer ${JWT}\nX: y` }],
    ["a token with = inside", { authorization: "Bearer ab=cd" }],
    ["a token with non-ASCII", { authorization: "Bearer abcé" }],
  ])("is invalid_request with %s", (_, headers) => {
    expect(failure(() => extract(headers as HeadersInput)).code).toBe("ERR_REQUEST_INVALID");
  });

  it("refuses two Authorization headers joined by a Headers object", () => {
    const headers = new Headers();
    headers.append("Authorization", `Bearer ${JWT}`);
    headers.append("Authorization", `Bearer ${OTHER}`);
    expect(failure(() => extract(headers)).code).toBe("ERR_REQUEST_INVALID");
  });
});

describe("token header other than Authorization", () => {
  const X: TokenSource[] = [{ kind: "header", name: "x-token" }];
  it("accepts the bare token or Bearer <token>", () => {
    expect(extract({ "X-Token": JWT }, X)).toBe(JWT);
    expect(extract({ "x-token": `bearer ${JWT}` }, X)).toBe(JWT);
    expect(extract(new Headers({ "X-TOKEN": ` ${JWT} ` }), X)).toBe(JWT);
  });
  it("is invalid_request when empty, malformed or repeated", () => {
    expect(failure(() => extract({ "x-token": "" }, X)).code).toBe("ERR_REQUEST_INVALID");
    expect(failure(() => extract({ "x-token": "Bearer" }, X)).code).toBe("ERR_REQUEST_INVALID");
    expect(failure(() => extract({ "x-token": `Basic ${JWT}` }, X)).code).toBe("ERR_REQUEST_INVALID");
    expect(failure(() => extract({ "x-token": [JWT, OTHER] }, X)).code).toBe("ERR_REQUEST_INVALID");
  });
  it("ignores the Authorization header when it is not a configured source", () => {
    expect(failure(() => extract({ authorization: `Bearer ${JWT}` }, X)).code).toBe("ERR_TOKEN_MISSING");
  });
});

describe("cookie source", () => {
  const C: TokenSource[] = [{ kind: "cookie", name: "access_token" }];
  it("finds the named cookie, exact name, among others", () => {
    expect(extract({ cookie: `theme=dark; access_token=${JWT}; lang=en` }, C)).toBe(JWT);
    expect(extract({ Cookie: `access_token="${JWT}"` }, C)).toBe(JWT);
    expect(extract({ cookie: ["a=1", `access_token=${JWT}`] }, C)).toBe(JWT);
    expect(extract(new Headers({ cookie: `x=1;access_token=${JWT}` }), C)).toBe(JWT);
  });
  it("is 'no token' when the cookie is absent or differs in case", () => {
    expect(failure(() => extract({ cookie: `Access_Token=${JWT}; my_access_token=${JWT}` }, C)).code).toBe("ERR_TOKEN_MISSING");
    expect(failure(() => extract({}, C)).code).toBe("ERR_TOKEN_MISSING");
  });
  it("is invalid_request when empty, malformed or twice (also across Cookie headers)", () => {
    expect(failure(() => extract({ cookie: "access_token=" }, C)).code).toBe("ERR_REQUEST_INVALID");
    expect(failure(() => extract({ cookie: "access_token=a b" }, C)).code).toBe("ERR_REQUEST_INVALID");
    expect(failure(() => extract({ cookie: `access_token=${JWT}; access_token=${OTHER}` }, C)).code).toBe("ERR_REQUEST_INVALID");
    expect(failure(() => extract({ cookie: [`access_token=${JWT}`, `access_token=${OTHER}`] }, C)).code).toBe("ERR_REQUEST_INVALID");
    const joined = new Headers();
    joined.append("cookie", `access_token=${JWT}`);
    joined.append("cookie", `access_token=${OTHER}`);
    expect(failure(() => extract(joined, C)).code).toBe("ERR_REQUEST_INVALID");
  });
});

describe("query source", () => {
  const Q: TokenSource[] = [{ kind: "query", name: "access_token" }];
  it("reads the parameter with URLSearchParams semantics", () => {
    expect(extract({}, Q, `a=1&access_token=${JWT}`)).toBe(JWT);
    expect(extract({}, Q, `access_token=${JWT.replace(/\./g, "%2E")}`)).toBe(JWT);
  });
  it("is 'no token' without the parameter", () => {
    expect(failure(() => extract({}, Q, "")).code).toBe("ERR_TOKEN_MISSING");
    expect(failure(() => extract({}, Q, `token=${JWT}`)).code).toBe("ERR_TOKEN_MISSING");
  });
  it("is invalid_request when empty, malformed or twice", () => {
    expect(failure(() => extract({}, Q, "access_token=")).code).toBe("ERR_REQUEST_INVALID");
    expect(failure(() => extract({}, Q, "access_token")).code).toBe("ERR_REQUEST_INVALID");
    expect(failure(() => extract({}, Q, `access_token=${JWT}&access_token=${OTHER}`)).code).toBe("ERR_REQUEST_INVALID");
    expect(failure(() => extract({}, Q, "access_token=a+b")).code).toBe("ERR_REQUEST_INVALID");
  });
});

describe("several sources", () => {
  const ALL: TokenSource[] = [...AUTH, { kind: "cookie", name: "at" }, { kind: "query", name: "access_token" }];
  it("takes the one token wherever it is", () => {
    expect(extract({ authorization: `Bearer ${JWT}` }, ALL)).toBe(JWT);
    expect(extract({ cookie: `at=${JWT}` }, ALL)).toBe(JWT);
    expect(extract({}, ALL, `access_token=${JWT}`)).toBe(JWT);
  });
  it("refuses a token in two places, even the same token", () => {
    expect(failure(() => extract({ authorization: `Bearer ${JWT}` }, ALL, `access_token=${JWT}`)).code).toBe("ERR_REQUEST_INVALID");
    expect(failure(() => extract({ authorization: `Bearer ${JWT}`, cookie: `at=${OTHER}` }, ALL)).code).toBe("ERR_REQUEST_INVALID");
  });
  it("is 'no token' when another scheme is the only credential", () => {
    expect(failure(() => extract({ authorization: "Basic dXNlcjpwYXNz" }, ALL, "x=1")).code).toBe("ERR_TOKEN_MISSING");
  });
});
