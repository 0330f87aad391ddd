/**
 * Path confusion: the route the authorizer matches must be the resource the origin serves. A
 * public route (`GET /public/{proxy+}`, `$default`) neighbours a protected one
 * (`GET /admin/{proxy+}`); no spelling of a path may be judged public here while some origin
 * resolves it into `/admin/...`. The rule (shared/request-path.ts): refuse with 400 every spelling
 * an origin might resolve differently, match the rest exactly.
 *
 * Through authorize() with explicit cases and generated ones, then end to end through the Worker
 * in workerd over raw HTTP (so that no client-side URL parser tidies the path first), checking the
 * status and whether, and with which path, the origin was reached.
 */
import { request as httpRequest } from "node:http";
import fc from "fast-check";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuthorizer, parseConfig, type Decision } from "../../shared/index.js";
import { generateTestKey, jwksOf, mintToken, TEST_ISSUER, type TestKey } from "../support/keys.js";
import { startJwksServer, type JwksServer } from "../support/jwks-server.js";
import { bundleWorker } from "../workers/support/worker-harness.js";
import { startOrigin, type OriginServer } from "../workers/support/origin-server.js";
import { someReadingReaches } from "./origin-readings.js";

/** The protected area: `/admin/` and at least one segment (what `GET /admin/{proxy+}` covers). */
const ADMIN = /^\/admin\/[^/]/;

function neighbourConfig(jwksUri: string): Record<string, unknown> {
  return {
    issuers: [{ issuer: TEST_ISSUER, jwksUri, algorithms: ["ES256"] }],
    routes: [
      { route: "GET /public/{proxy+}", public: true },
      { route: "GET /admin/{proxy+}", audience: "admin-api", scopes: ["admin"] },
      { route: "$default", public: true },
    ],
  };
}

let key: TestKey;
let jwks: JwksServer;

beforeAll(async () => {
  key = await generateTestKey("ES256", "k1");
  jwks = await startJwksServer({ jwks: jwksOf(key) });
});
afterAll(() => jwks.close());

function core() {
  return createAuthorizer(parseConfig(neighbourConfig(jwks.url)), { log: () => undefined });
}

type Outcome = "400" | "401" | "public" | "admin";

function outcome(decision: Decision): Outcome {
  if (decision.allow) return decision.route === "GET /admin/{proxy+}" ? "admin" : "public";
  if (decision.status === 400) expect(decision.code).toBe("ERR_PATH_INVALID");
  return String(decision.status) as Outcome;
}

describe("path confusion through authorize()", () => {
  it.each([
    // path, outcome without a token
    ["/public/a", "public"],
    ["/admin/secret", "401"],
    ["/admin/secret/", "401"],
    ["/public/../admin/secret", "400"],
    ["/public/./../admin/secret", "400"],
    ["/admin/./secret", "400"],
    ["/./admin/secret", "400"],
    ["/public/%2e%2e/admin/secret", "400"],
    ["/public/%2E%2E/admin/secret", "400"],
    ["/public/.%2e/admin/secret", "400"],
    ["/public/%2e./admin/secret", "400"],
    ["/%2e/admin/secret", "400"],
    ["/public/..%2Fadmin%2Fsecret", "400"],
    ["/public%2F..%2Fadmin%2Fsecret", "400"],
    ["/admin%2Fsecret", "400"],
    ["/admin%2fsecret", "400"],
    ["/public/..\\admin\\secret", "400"],
    ["/public\\..\\admin\\secret", "400"],
    ["/admin\\secret", "400"],
    ["/public/..%5Cadmin%5Csecret", "400"],
    ["/admin%5csecret", "400"],
    ["/admin/secret%00", "400"],
    ["/public/x%00/../../admin/secret", "400"],
    ["/admin%00/secret", "400"],
    ["/public/%252e%252e/admin/secret", "400"],
    ["/public/..%252Fadmin%252Fsecret", "400"],
    ["/admin%252Fsecret", "400"],
    ["//admin/secret", "400"],
    ["/public//../admin/secret", "400"],
    ["/admin//secret", "400"],
    ["/admin/secret//", "400"],
    ["/admin;x/secret", "400"],
    ["/admin/secret;.css", "400"],
    ["/public/x;/../../admin/secret", "400"],
    ["/admin%3Bx/secret", "400"],
    ["/admin%3bx/secret", "400"],
    ["/admin/%73ecret", "401"], // a plain escape of an ordinary letter decodes and matches
    ["/%61dmin/secret", "401"],
    ["/admin/", "public"], // {proxy+} needs one segment: /admin itself is $default here (as in API Gateway)
    ["/admin", "public"],
    ["/admin/secret#frag", "400"],
    ["/public/a?x=/../../admin/secret", "public"], // the query is not the path
  ] as const)("GET %s -> %s", async (path, expected) => {
    expect(outcome(await core().authorize({ method: "GET", path, headers: {} }))).toBe(expected);
    // Whatever the outcome, a public answer must not be a door into the protected area.
    if (expected === "public") expect(someReadingReaches(path, ADMIN)).toBeUndefined();
  });

  it.each([
    ["GET", "401"], ["get", "401"], ["Get", "401"], ["gEt", "401"],
    ["HEAD", "401"], ["head", "401"], ["Head", "401"],
    // Only GET is protected in this table: other methods fall to the public $default by configuration.
    ["POST", "public"], ["OPTIONS", "public"], ["GETX", "public"], ["GET ", "public"],
  ] as const)("%j /admin/secret -> %s", async (method, expected) => {
    expect(outcome(await core().authorize({ method, path: "/admin/secret", headers: {} }))).toBe(expected);
  });

  it("a valid admin token still works on the canonical path, and only there", async () => {
    const token = await mintToken(key, { claims: { aud: "admin-api", scope: "admin" } });
    const headers = { authorization: `Bearer ${token}` };
    expect(outcome(await core().authorize({ method: "GET", path: "/admin/secret", headers }))).toBe("admin");
    expect(outcome(await core().authorize({ method: "HEAD", path: "/admin/secret", headers }))).toBe("admin");
    expect(outcome(await core().authorize({ method: "GET", path: "/admin/%2e%2e/secret", headers }))).toBe("400");
  });

  it("no generated path is judged public while some origin reads it as /admin/...", async () => {
    const authorizer = core();
    const piece = fc.constantFrom(
      "admin", "public", "secret", "x", "..", ".", "%2e%2e", "%2E%2E", ".%2e", "%2e", "%2f", "%2F", "%5c", "%5C", "\\",
      "%00", "%252e%252e", "%252f", ";", ";x", "%3b", "", "%61dmin", "ADMIN", "..;", "%c0%ae%c0%ae", "%ef%bc%8f", "\u2215",
    );
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { minLength: 1, maxLength: 6 }), fc.constantFrom("/", "//"), fc.boolean(), fc.constantFrom("GET", "get", "HEAD"),
        async (pieces, joiner, trailing, method) => {
          const path = `/${pieces.join(joiner)}${trailing ? "/" : ""}`;
          const result = outcome(await authorizer.authorize({ method, path, headers: {} }));
          if (result === "public") {
            expect(someReadingReaches(path, ADMIN), `public answer for ${path}`).toBeUndefined();
          }
        }),
      { seed: 0x5ec0de, numRuns: 3000, verbose: 1 },
    );
  });
});

describe("path confusion end to end through the Worker (workerd)", { timeout: 60_000 }, () => {
  let origin: OriginServer;
  let mf: Miniflare;
  let base: URL;
  let token: string;

  beforeAll(async () => {
    origin = await startOrigin();
    const scriptPath = await bundleWorker();
    mf = new Miniflare({
      modules: true,
      scriptPath,
      modulesRoot: (await import("node:path")).dirname(scriptPath),
      compatibilityDate: "2026-04-01",
      bindings: { AUTHORIZER_CONFIG: neighbourConfig(jwks.url) as never, UPSTREAM_URL: origin.url },
      handleRuntimeStdio() { /* decision lines are not needed here */ },
    });
    base = await mf.ready;
    token = await mintToken(key, { claims: { aud: "orders-api", scope: "orders:read" }, lifetimeSeconds: 600 });
  }, 60_000);
  afterAll(async () => {
    await mf?.dispose();
    await origin?.close();
  });

  /** One raw HTTP request (the path exactly as written) to workerd; what came back and what the origin got. */
  async function raw(method: string, path: string, headers: Record<string, string> = {}) {
    const before = origin.received.length;
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: base.hostname, port: base.port, method, path, headers: { host: "worker.test", ...headers } }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      });
      req.on("error", reject);
      req.end();
    });
    return { status, reached: origin.received.slice(before).map((r) => r.path) };
  }

  const attacks = [
    "/public/../admin/secret", "/public/%2e%2e/admin/secret", "/public/.%2E/admin/secret", "/public/..%2Fadmin%2Fsecret",
    "/public%2F..%2Fadmin%2Fsecret", "/public/..\\admin\\secret", "/public\\..\\admin\\secret", "/public/..%5Cadmin%5Csecret",
    "/admin%2Fsecret", "/admin%5Csecret", "/admin/secret%00", "/public/x%00/../../admin/secret", "/public/%252e%252e/admin/secret",
    "/admin%252Fsecret", "//admin/secret", "/public//../admin/secret", "/admin//secret", "/admin;x/secret",
    "/public/x;/../../admin/secret", "/./admin/secret", "/admin/./secret", "/admin/secret/", "/%61dmin/secret",
  ];

  it.each(attacks)("GET %s never reaches /admin/... without a token", async (path) => {
    const { status, reached } = await raw("GET", path);
    if (process.env.SHOW_WORKERD_PATHS) console.log(JSON.stringify({ path, status, reached }));
    for (const p of reached) expect(someReadingReaches(p, ADMIN), `origin got ${p} (status ${status})`).toBeUndefined();
    if (reached.length === 0) expect([400, 401]).toContain(status);
  });

  it("answers the canonical protected path with 401 and forwards the public one", async () => {
    expect(await raw("GET", "/admin/secret")).toEqual({ status: 401, reached: [] });
    expect(await raw("HEAD", "/admin/secret")).toEqual({ status: 401, reached: [] });
    expect(await raw("get", "/admin/secret").then((r) => r.reached)).toEqual([]);
    expect(await raw("GET", "/public/a")).toEqual({ status: 201, reached: ["/public/a"] });
  });

  it("dot segments: whatever workerd does with them, the origin gets the path the core judged", async () => {
    // A valid token that does not satisfy /admin: a normalised /admin/secret would be 401 (wrong
    // audience), a refused spelling 400; either way nothing reaches the origin.
    const headers = { authorization: `Bearer ${token}` };
    for (const path of ["/public/../admin/secret", "/public/%2e%2e/admin/secret", "/public/..%2Fadmin%2Fsecret"]) {
      const { status, reached } = await raw("GET", path, headers);
      expect(reached, path).toEqual([]);
      expect([400, 401], path).toContain(status);
    }
  });
});
