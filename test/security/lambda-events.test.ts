/**
 * Lambda events with missing or mistyped fields never produce an allow, even with a valid token
 * for the route: the handler throws, or answers without any Allow (`isAuthorized` never true).
 * Each malformed event is derived from a real API Gateway event whose well-formed version is
 * allowed (checked first), so the refusal is down to the malformation alone.
 */
import { afterAll, describe, expect, it } from "vitest";
import { createLambdaHandler } from "../../lambdas/authorizer.js";
import { startJwksServer } from "../support/jwks-server.js";
import { generateTestKey, jwksOf, mintToken, TEST_ISSUER } from "../support/keys.js";
import {
  FIXTURES_PRESENT, hasAnyAllow, httpApiEvent, MISSING_FIXTURES, policyAllows, restRequestEvent, restTokenEvent, type Json,
} from "./lambda-events.js";

const key = await generateTestKey("ES256", "k1");
const jwks = await startJwksServer({ jwks: jwksOf(key) });
afterAll(() => jwks.close());
const token = await mintToken(key, { claims: { scope: "orders:read admin", aud: ["orders-api", "admin-api"] }, lifetimeSeconds: 3600 });
const config = JSON.stringify({
  issuers: [{ issuer: TEST_ISSUER, jwksUri: jwks.url, algorithms: ["ES256"] }],
  routes: [
    { route: "GET /orders/{id}", audience: "orders-api", scopes: ["orders:read"] },
    { route: "GET /public/{proxy+}", public: true },
    { route: "ANY /admin/{proxy+}", audience: "admin-api", scopes: ["admin"] },
  ],
});
const log = () => undefined;
const iam = createLambdaHandler({ env: { AUTHORIZER_CONFIG: config, HTTP_API_RESPONSE: "iam" }, log, writeMetric: () => {} });
const simple = createLambdaHandler({ env: { AUTHORIZER_CONFIG: config }, log, writeMetric: () => {} });

const request = { method: "GET", path: "/orders/42", headers: { Authorization: `Bearer ${token}` } };
const good = {
  token: () => restTokenEvent("GET", "/orders/42", `Bearer ${token}`),
  rest: () => restRequestEvent(request),
  http: () => httpApiEvent(request, "GET /orders/{id}"),
};
const without = (event: Json, ...names: string[]): Json => Object.fromEntries(Object.entries(event).filter(([k]) => !names.includes(k)));

/**
 * The errors the handler throws on purpose (lambdas/authorizer.ts, lambdas/answers.ts): the
 * contract's `Error("Unauthorized")` (400/401), the refusal of an event no processor accepts, and
 * the 5xx error. Anything else (a TypeError from reading a field of null, a RangeError) is a crash
 * that happened to fail closed: a bug, even though API Gateway would not allow.
 */
const DELIBERATE_ERRORS: [name: string, message: RegExp][] = [
  ["Error", /^Unauthorized$/],
  ["Error", /^malformed authorizer event$/],
  ["AuthorizerUnavailableError", /^authorizer unavailable \(ERR_[A-Z_]+\)$/],
];

function expectDeliberateError(error: unknown, what: string): void {
  const detail = `${what}: threw ${error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error)}`;
  expect(error, detail).toBeInstanceOf(Error);
  const { name, message } = error as Error;
  expect(DELIBERATE_ERRORS.some(([n, m]) => n === name && m.test(message)), detail).toBe(true);
}

/** Never an allow: one of the handler's deliberate errors, or an answer with no Allow in it. */
async function expectNoAllow(handler: typeof iam, event: unknown, what: string): Promise<void> {
  let result: unknown;
  try {
    result = await handler(event as never);
  } catch (error) {
    expectDeliberateError(error, what);
    return;
  }
  expect(hasAnyAllow(result), `${what}: ${JSON.stringify(result)}`).toBe(false);
}

describe.skipIf(!FIXTURES_PRESENT)("malformed Lambda events never produce an allow", () => {
  it("the well-formed events are allowed (so the refusals below are down to the malformation)", async () => {
    expect(policyAllows(await iam(good.token() as never), String(good.token().methodArn))).toBe(true);
    expect(policyAllows(await iam(good.rest() as never), String(good.rest().methodArn))).toBe(true);
    expect(policyAllows(await iam(good.http() as never), String(good.http().routeArn))).toBe(true);
    expect(await simple(good.http() as never)).toMatchObject({ isAuthorized: true });
  });

  const arnGarbage = [
    "", "not-an-arn", "arn:aws:execute-api", "arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9",
    "arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/prod",
    "arn:aws:lambda:eu-west-1:123456789012:function:x/prod/GET/orders/42", "arn:aws:execute-api:eu-west-1:12345:puhdx84jy9/prod/GET/orders/42",
    "arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/prod/*/orders/42", "arn:aws:execute-api:eu-west-1:123456789012:*/prod/GET/orders/42",
    "arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/*/GET/orders/42", "arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/prod/get/orders/42",
    "arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/prod/GET/public/../admin/x", "arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/prod/GET/public/%2e%2e/admin/x",
    "arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/prod/GET//admin/x", `arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/prod/GET/${"a/".repeat(2000)}`,
  ];

  const tokenEvents: [string, () => unknown][] = [
    ["no methodArn", () => without(good.token(), "methodArn")],
    ["methodArn a number", () => ({ ...good.token(), methodArn: 42 })],
    ["methodArn null", () => ({ ...good.token(), methodArn: null })],
    ["methodArn an array", () => ({ ...good.token(), methodArn: [good.token().methodArn] })],
    ["no type", () => without(good.token(), "type")],
    ["type lower-case", () => ({ ...good.token(), type: "token" })],
    ["unknown type", () => ({ ...good.token(), type: "COGNITO" })],
    ["authorizationToken missing", () => without(good.token(), "authorizationToken")],
    ["authorizationToken an array", () => ({ ...good.token(), authorizationToken: [`Bearer ${token}`] })],
    ["authorizationToken an object", () => ({ ...good.token(), authorizationToken: { value: `Bearer ${token}` } })],
    ...arnGarbage.map((arn): [string, () => unknown] => [`methodArn ${JSON.stringify(arn.slice(0, 90))}`, () => ({ ...good.token(), methodArn: arn })]),
  ];

  const restEvents: [string, () => unknown][] = [
    ["no methodArn", () => without(good.rest(), "methodArn")],
    ["headers null", () => ({ ...good.rest(), headers: null })],
    ["headers missing, token only in multiValueHeaders", () => without(good.rest(), "headers")],
    ["headers null, only the token in multiValueHeaders", () => ({ ...good.rest(), headers: null, multiValueHeaders: { Authorization: [`Bearer ${token}`] } })],
    ["headers missing, only the token in multiValueHeaders", () => ({ ...without(good.rest(), "headers"), multiValueHeaders: { Authorization: [`Bearer ${token}`] } })],
    ["headers and multiValueHeaders null", () => ({ ...good.rest(), headers: null, multiValueHeaders: null })],
    ["headers an array", () => ({ ...good.rest(), headers: [["Authorization", `Bearer ${token}`]] })],
    ["a header value a number", () => ({ ...good.rest(), headers: { ...(good.rest().headers as Json), "Content-Length": 0 } })],
    ["multiValueHeaders a string", () => ({ ...good.rest(), multiValueHeaders: `Bearer ${token}` })],
    ["multiValueHeaders with a non-array value", () => ({ ...good.rest(), multiValueHeaders: { Authorization: `Bearer ${token}` } })],
    ["unknown type", () => ({ ...good.rest(), type: "WEBSOCKET" })],
    ["version 3.0", () => ({ ...good.rest(), version: "3.0" })],
    ["routeArn instead of methodArn", () => ({ ...without(good.rest(), "methodArn"), routeArn: good.rest().methodArn })],
    ...arnGarbage.map((arn): [string, () => unknown] => [`methodArn ${JSON.stringify(arn.slice(0, 90))}`, () => ({ ...good.rest(), methodArn: arn })]),
  ];

  const httpEvents: [string, () => unknown][] = [
    ["no routeArn", () => without(good.http(), "routeArn")],
    ["no routeKey", () => without(good.http(), "routeKey")],
    ["routeKey a number", () => ({ ...good.http(), routeKey: 7 })],
    ["no requestContext", () => without(good.http(), "requestContext")],
    ["requestContext.http missing", () => ({ ...good.http(), requestContext: without(good.http().requestContext as Json, "http") })],
    ["http.method a number", () => ({ ...good.http(), requestContext: { ...(good.http().requestContext as Json), http: { method: 1 } } })],
    ["http.method POST under a GET routeArn", () => ({ ...good.http(), requestContext: { ...(good.http().requestContext as Json), http: { method: "POST", path: "/orders/42" } } })],
    ["headers null", () => ({ ...good.http(), headers: null })],
    ["cookies a string", () => ({ ...good.http(), cookies: "a=b" })],
    ["rawQueryString a number", () => ({ ...good.http(), rawQueryString: 1 })],
    ["type TOKEN with version 2.0", () => ({ ...good.http(), type: "TOKEN" })],
    ["version 1.0 with a routeArn", () => ({ ...good.http(), version: "1.0" })],
    ...arnGarbage.map((arn): [string, () => unknown] => [`routeArn ${JSON.stringify(arn.slice(0, 90))}`, () => ({ ...good.http(), routeArn: arn })]),
  ];

  const notEvents: [string, () => unknown][] = [
    ["undefined", () => undefined], ["null", () => null], ["a string", () => "TOKEN"], ["an array", () => [good.token()]],
    ["an empty object", () => ({})], ["a number", () => 1],
  ];

  it("a methodArn without a path is the root path: no route there, so no allow for it", async () => {
    // `.../prod/GET` reads as `GET /`. The cache-safe policy may still list the routes this token
    // satisfies elsewhere (as for any 403); the request itself is denied.
    const arn = "arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/prod/GET";
    for (const event of [{ ...good.token(), methodArn: arn }, { ...good.rest(), methodArn: arn }]) {
      const result = await iam(event as never);
      expect(policyAllows(result, arn)).toBe(false);
      expect(policyAllows(result, `${arn}/`)).toBe(false);
      expect(policyAllows(result, `${arn}/orders/42`)).toBe(true);
    }
  });

  it("the check refuses a crash that happens to fail closed (TypeError), and an error of another message", async () => {
    const crash = (async () => { throw new TypeError("Cannot read properties of null (reading 'Authorization')"); }) as unknown as typeof iam;
    const other = (async () => { throw new Error("Unauthorized: token eyJ..."); }) as unknown as typeof iam;
    await expect(expectNoAllow(crash, {}, "crash")).rejects.toThrow(/TypeError/);
    await expect(expectNoAllow(other, {}, "other")).rejects.toThrow(/Unauthorized: token/);
    await expect(expectNoAllow((async () => { throw new Error("Unauthorized"); }) as unknown as typeof iam, {}, "ok")).resolves.toBeUndefined();
  });

  it.each(tokenEvents)("REST TOKEN, %s", async (what, make) => expectNoAllow(iam, make(), what));
  it.each(restEvents)("REST REQUEST, %s", async (what, make) => expectNoAllow(iam, make(), what));
  it.each(httpEvents)("HTTP API (iam), %s", async (what, make) => expectNoAllow(iam, make(), what));
  it.each(httpEvents)("HTTP API (simple), %s", async (what, make) => expectNoAllow(simple, make(), what));
  it.each(notEvents)("not an event: %s", async (what, make) => {
    await expectNoAllow(iam, make(), what);
    await expectNoAllow(simple, make(), what);
  });
});

describe.skipIf(FIXTURES_PRESENT)("malformed Lambda events never produce an allow", () => {
  it.skip(MISSING_FIXTURES, () => undefined);
});
