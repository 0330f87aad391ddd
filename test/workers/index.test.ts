/**
 * The Worker end to end inside workerd: every row of CONTRACT.md's decision table through fetch,
 * what reaches the origin (identity headers, Authorization, bodies) and what the client gets back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startJwksServer, refusedUrl, type JwksServer } from "../support/jwks-server.js";
import { generateTestKey, jwksOf, mintToken, type TestKey } from "../support/keys.js";
import { workerConfig } from "./support/fixtures.js";
import { startOrigin, type OriginServer } from "./support/origin-server.js";
import { startWorker, type TestWorker } from "./support/worker-harness.js";

let key: TestKey;
let jwks: JwksServer;
let origin: OriginServer;
let worker: TestWorker;

beforeAll(async () => {
  key = await generateTestKey("ES256", "key-1");
  jwks = await startJwksServer({ jwks: jwksOf(key) });
  origin = await startOrigin();
  worker = await startWorker({ config: workerConfig(jwks.url), upstreamUrl: origin.url });
});

afterAll(async () => {
  await worker?.dispose();
  await origin?.close();
  await jwks?.close();
});

/** The requests the origin receives while `action` runs. */
async function originRequests(action: () => Promise<unknown>) {
  const before = origin.received.length;
  await action();
  return origin.received.slice(before);
}

async function expectErrorAnswer(
  response: Awaited<ReturnType<TestWorker["fetch"]>>,
  status: number,
  error: string,
): Promise<{ body: Record<string, unknown>; text: string; challenge: string | null }> {
  expect(response.status).toBe(status);
  expect(response.headers.get("cache-control")).toBe("no-store");
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  const text = await response.text();
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(body.error).toBe(error);
  expect(typeof body.error_description).toBe("string");
  return { body, text, challenge: response.headers.get("www-authenticate") };
}

const REALM = "edge-authorizer";

interface ExactAnswer {
  status: number;
  error: string;
  description: string;
  /** The whole WWW-Authenticate value; null: no such header. */
  challenge: string | null;
}

/** The Worker's own answer, exactly: status, headers, and the whole body. */
async function expectExactAnswer(response: Awaited<ReturnType<TestWorker["fetch"]>>, expected: ExactAnswer, label = "") {
  expect({
    status: response.status,
    contentType: response.headers.get("content-type"),
    cacheControl: response.headers.get("cache-control"),
    challenge: response.headers.get("www-authenticate"),
    body: await response.text(),
  }, label).toEqual({
    status: expected.status,
    contentType: "application/json",
    cacheControl: "no-store",
    challenge: expected.challenge,
    body: JSON.stringify({ error: expected.error, error_description: expected.description }),
  });
}

/** RFC 6750 challenge with an error attribute (400/401/403), as CONTRACT.md section 2 lists. */
function challengeFor(error: string, description: string, scope?: string): string {
  return `Bearer realm="${REALM}", error="${error}", error_description="${description}"` + (scope === undefined ? "" : `, scope="${scope}"`);
}

describe("allowed requests", () => {
  it("forwards a public route with identity headers and Authorization stripped", async () => {
    let response!: Awaited<ReturnType<TestWorker["fetch"]>>;
    const seen = await originRequests(async () => {
      response = await worker.fetch("/health?probe=1", {
        headers: { "x-auth-sub": "admin", "X-Auth-Anything": "spoof", authorization: "Basic YTpi", "x-other": "kept" },
      });
    });
    expect(response.status).toBe(201);
    expect(await response.text()).toBe("origin saw GET /health?probe=1\nbody bytes: 0\n");
    expect(seen).toHaveLength(1);
    const headers = seen[0]!.headers;
    expect(Object.keys(headers).filter((name) => name.startsWith("x-auth-"))).toEqual([]);
    expect(headers.authorization).toBeUndefined();
    expect(headers["x-other"]).toBe("kept");
  });

  it("forwards a valid token with exactly the configured claim headers, spoofed ones removed", async () => {
    const token = await mintToken(key, {
      claims: {
        sub: "alice",
        scope: "orders:read orders:list",
        roles: ["buyer", "beta", 7, true],
        level: 3,
        active: false,
        profile: { team: "red" },
        note: "line one\r\nx-auth-admin: true",
        email: "caf\u00e9@example.com",
      },
    });
    let response!: Awaited<ReturnType<TestWorker["fetch"]>>;
    const seen = await originRequests(async () => {
      response = await worker.fetch("/orders/42?expand=items", {
        headers: { authorization: `Bearer ${token}`, "x-auth-sub": "mallory", "x-auth-admin": "true" },
      });
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("x-origin")).toBe("yes");
    expect(seen).toHaveLength(1);
    const received = seen[0]!;
    expect(received.path).toBe("/orders/42?expand=items");
    const identity = Object.fromEntries(Object.entries(received.headers).filter(([name]) => name.startsWith("x-auth-")));
    expect(identity).toEqual({
      "x-auth-sub": "alice",
      "x-auth-scope": "orders:read orders:list",
      "x-auth-roles": "buyer beta 7 true",
      "x-auth-level": "3",
      "x-auth-active": "false",
    });
    expect(received.headers.authorization).toBeUndefined();
  });

  it("streams a request body to the origin and the origin's body back, untouched", async () => {
    const token = await mintToken(key, { claims: { scope: "orders:write" } });
    const payload = "x".repeat(300_000) + "\u00e9nd";
    let response!: Awaited<ReturnType<TestWorker["fetch"]>>;
    const seen = await originRequests(async () => {
      response = await worker.fetch("/orders", {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" },
        body: payload,
      });
    });
    expect(response.status).toBe(201);
    expect(await response.text()).toBe(`origin saw POST /orders\nbody bytes: ${Buffer.byteLength(payload)}\n`);
    expect(seen[0]!.body).toBe(payload);
  });

  it("hands the origin's redirect to the client instead of following it", async () => {
    const token = await mintToken(key);
    const response = await worker.fetch("/redirect", { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("https://elsewhere.test/landing");
    expect(response.headers.get("x-origin")).toBe("yes");
  });
});

describe("denied requests never reach the origin", () => {
  it("401 without an error attribute when there is no token", async () => {
    const seen = await originRequests(async () => {
      const { challenge } = await expectErrorAnswer(await worker.fetch("/orders/1"), 401, "unauthorized");
      expect(challenge).toMatch(/^Bearer realm="[^"]+"$/);
    });
    expect(seen).toEqual([]);
  });

  it("answers a denied HEAD with the same status and headers and no body", async () => {
    const response = await worker.fetch("/orders/1", { method: "HEAD" });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer realm=/);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.text()).toBe("");
  });

  it("401 without an error attribute for another scheme (Basic)", async () => {
    const seen = await originRequests(async () => {
      const response = await worker.fetch("/orders/1", { headers: { authorization: "Basic YWxpY2U6c2VjcmV0" } });
      const { challenge } = await expectErrorAnswer(response, 401, "unauthorized");
      expect(challenge).not.toContain("error=");
    });
    expect(seen).toEqual([]);
  });

  it("400 invalid_request for two tokens and for Bearer with no token", async () => {
    const token = await mintToken(key);
    const seen = await originRequests(async () => {
      const two = await worker.fetch("/orders/1", {
        headers: [["authorization", `Bearer ${token}`], ["authorization", `Bearer ${token}`]],
      });
      const twoAnswer = await expectErrorAnswer(two, 400, "invalid_request");
      expect(twoAnswer.challenge).toContain('error="invalid_request"');
      expect(twoAnswer.text).not.toContain(token);
      const empty = await worker.fetch("/orders/1", { headers: { authorization: "Bearer " } });
      expect((await expectErrorAnswer(empty, 400, "invalid_request")).challenge).toContain('error="invalid_request"');
    });
    expect(seen).toEqual([]);
  });

  it("400 for a path the origin could read differently (encoded slash, double encoding, empty segment)", async () => {
    // (Dot segments never get this far: the URL parser resolves them before the Worker runs, and
    // the Worker forwards the path it judged.)
    const token = await mintToken(key);
    const seen = await originRequests(async () => {
      for (const path of ["/orders/1%2F..%2Fadmin", "/health%252F..", "/orders//1", "/health;x=/admin"]) {
        const response = await worker.fetch(path, { headers: { authorization: `Bearer ${token}` } });
        await expectErrorAnswer(response, 400, "invalid_request");
      }
    });
    expect(seen).toEqual([]);
  });

  it("401 invalid_token for every kind of bad token, with neither token nor claims in the body", async () => {
    const otherKey = await generateTestKey("ES256", "key-1"); // same kid, different key: bad signature
    const rsaKey = await generateTestKey("RS256", "key-1");
    const now = Math.floor(Date.now() / 1000);
    const secretSub = "subject-that-must-not-leak";
    const tokens: Record<string, string> = {
      signature: await mintToken(otherKey, { claims: { sub: secretSub } }),
      expired: await mintToken(key, { claims: { sub: secretSub }, nowSeconds: now - 7200 }),
      notYetValid: await mintToken(key, { claims: { sub: secretSub, nbf: now + 3600, iat: now } }),
      audience: await mintToken(key, { claims: { sub: secretSub, aud: "someone-else" } }),
      issuer: await mintToken(key, { claims: { sub: secretSub, iss: "https://evil.test/" } }),
      algorithm: await mintToken(rsaKey, { claims: { sub: secretSub } }),
      unknownKid: await mintToken(await generateTestKey("ES256", "nobody"), { claims: { sub: secretSub } }),
      format: "not.a.jwt",
    };
    const seen = await originRequests(async () => {
      for (const [kind, token] of Object.entries(tokens)) {
        const response = await worker.fetch("/orders/1", { headers: { authorization: `Bearer ${token}` } });
        const { text, challenge } = await expectErrorAnswer(response, 401, "invalid_token");
        expect(challenge, kind).toMatch(/^Bearer realm="[^"]+", error="invalid_token"/);
        expect(text, kind).not.toContain(token);
        expect(text, kind).not.toContain(token.split(".")[2] ?? token);
        expect(text, kind).not.toContain(secretSub);
      }
    });
    expect(seen).toEqual([]);
  });

  it("403 insufficient_scope when the scope is missing, without claims in the body", async () => {
    const token = await mintToken(key, { claims: { sub: "bob-the-reader", scope: "orders:read" } });
    const seen = await originRequests(async () => {
      const response = await worker.fetch("/orders", { method: "POST", headers: { authorization: `Bearer ${token}` }, body: "{}" });
      const { text, challenge } = await expectErrorAnswer(response, 403, "insufficient_scope");
      expect(challenge).toContain('error="insufficient_scope"');
      expect(text).not.toContain("bob-the-reader");
      expect(text).not.toContain(token);
    });
    expect(seen).toEqual([]);
  });

  it("403 when a valid token calls a path no route covers", async () => {
    const token = await mintToken(key);
    const seen = await originRequests(async () => {
      await expectErrorAnswer(await worker.fetch("/nowhere", { headers: { authorization: `Bearer ${token}` } }), 403, "insufficient_scope");
    });
    expect(seen).toEqual([]);
  });

  it("logs one decision line per request, naming sub but never the token", async () => {
    const token = await mintToken(key, { claims: { sub: "log-subject", email: "secret@example.com" } });
    await worker.fetch("/orders/9", { headers: { authorization: `Bearer ${token}` } });
    const decision = worker.logEntries().find((entry) => entry.event === "decision" && entry.sub === "log-subject");
    expect(decision).toMatchObject({ decision: "allow", route: "GET /orders/{id}" });
    const everything = worker.logLines.join("\n");
    expect(everything).not.toContain(token.split(".")[2]!);
    expect(everything).not.toContain("secret@example.com");
  });
});

describe("CONTRACT.md section 2, every row of the decision table, exact answers", () => {
  it("public route: forwarded, identity headers stripped, no challenge", async () => {
    let response!: Awaited<ReturnType<TestWorker["fetch"]>>;
    const seen = await originRequests(async () => {
      response = await worker.fetch("/health", { headers: { "x-auth-sub": "spoofed", authorization: `Bearer ${await mintToken(key)}` } });
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("www-authenticate")).toBeNull();
    expect(await response.text()).toBe("origin saw GET /health\nbody bytes: 0\n");
    expect(seen).toHaveLength(1);
    expect(Object.keys(seen[0]!.headers).filter((name) => name.startsWith("x-auth-") || name === "authorization")).toEqual([]);
  });

  it("valid token, route satisfied: forwarded with identity headers, no challenge", async () => {
    const token = await mintToken(key, { claims: { sub: "row-two", scope: "orders:read" } });
    let response!: Awaited<ReturnType<TestWorker["fetch"]>>;
    const seen = await originRequests(async () => {
      response = await worker.fetch("/orders/7", { headers: { authorization: `Bearer ${token}` } });
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("www-authenticate")).toBeNull();
    expect(await response.text()).toBe("origin saw GET /orders/7\nbody bytes: 0\n");
    expect(seen).toHaveLength(1);
    expect(seen[0]!.headers["x-auth-sub"]).toBe("row-two");
    expect(seen[0]!.headers["x-auth-scope"]).toBe("orders:read");
  });

  it("claims: a token whose claim matches the path parameter (string, or array holding it) is forwarded", async () => {
    for (const tenantId of ["acme", ["other", "acme"]]) {
      const token = await mintToken(key, { claims: { tenant_id: tenantId } });
      let response!: Awaited<ReturnType<TestWorker["fetch"]>>;
      const seen = await originRequests(async () => {
        response = await worker.fetch("/tenants/acme/orders", { headers: { authorization: `Bearer ${token}` } });
      });
      expect(response.status, JSON.stringify(tenantId)).toBe(201);
      expect(seen.map((r) => r.path)).toEqual(["/tenants/acme/orders"]);
    }
  });

  it("no token (none, Basic, Digest): 401 with a challenge without an error attribute", async () => {
    const answer: ExactAnswer = {
      status: 401, error: "unauthorized", description: "a Bearer access token is required", challenge: `Bearer realm="${REALM}"`,
    };
    const seen = await originRequests(async () => {
      await expectExactAnswer(await worker.fetch("/orders/1"), answer, "none");
      await expectExactAnswer(await worker.fetch("/orders/1", { headers: { authorization: "Basic YWxpY2U6c2VjcmV0" } }), answer, "Basic");
      await expectExactAnswer(await worker.fetch("/orders/1", { headers: { authorization: 'Digest username="alice"' } }), answer, "Digest");
      // On a route no configuration covers too: no credentials is 401 everywhere (no route mapping).
      await expectExactAnswer(await worker.fetch("/nowhere"), answer, "no route");
    });
    expect(seen).toEqual([]);
  });

  it("malformed request (two tokens, Bearer with no token): 400 invalid_request", async () => {
    const token = await mintToken(key);
    const description = "the request must carry exactly one Bearer token";
    const answer: ExactAnswer = {
      status: 400, error: "invalid_request", description, challenge: challengeFor("invalid_request", description),
    };
    const seen = await originRequests(async () => {
      const two = await worker.fetch("/orders/1", { headers: [["authorization", `Bearer ${token}`], ["authorization", `Bearer ${token}`]] });
      await expectExactAnswer(two, answer, "two Authorization headers");
      await expectExactAnswer(await worker.fetch("/orders/1", { headers: { authorization: `Bearer ${token}, Bearer ${token}` } }), answer, "two in one");
      await expectExactAnswer(await worker.fetch("/orders/1", { headers: { authorization: "Bearer" } }), answer, "Bearer alone");
      await expectExactAnswer(await worker.fetch("/orders/1", { headers: { authorization: "Bearer " } }), answer, "Bearer and a space");
    });
    expect(seen).toEqual([]);
  });

  it("invalid token (signature, alg, kid, iss, aud, exp, nbf, typ, format): 401 invalid_token", async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: [kind: string, token: string, description: string][] = [
      ["signature", await mintToken(await generateTestKey("ES256", "key-1")), "the token signature is invalid"],
      ["alg", await mintToken(await generateTestKey("RS256", "key-1")), "the token's signing algorithm is not accepted"],
      ["kid", await mintToken(await generateTestKey("ES256", "nobody")), "no trusted key matches the token"],
      ["iss", await mintToken(key, { claims: { iss: "https://evil.test/" } }), "the token issuer is not trusted"],
      ["aud", await mintToken(key, { claims: { aud: "someone-else" } }), "the token is not intended for this API"],
      ["exp", await mintToken(key, { nowSeconds: now - 7200 }), "the access token expired"],
      ["nbf", await mintToken(key, { claims: { nbf: now + 3600, iat: now } }), "the access token is not valid yet"],
      ["typ JWT", await mintToken(key, { header: { typ: "JWT" } }), "the token type is not accepted"],
      ["typ absent", await mintToken(key, { header: { typ: undefined } }), "the token type is not accepted"],
      ["typ id_token", await mintToken(key, { header: { typ: "id_token+jwt" } }), "the token type is not accepted"],
      ["format", "not.a.jwt", "the access token is malformed"],
    ];
    const seen = await originRequests(async () => {
      for (const [kind, token, description] of cases) {
        const response = await worker.fetch("/orders/1", { headers: { authorization: `Bearer ${token}` } });
        await expectExactAnswer(response, {
          status: 401, error: "invalid_token", description, challenge: challengeFor("invalid_token", description),
        }, kind);
      }
    });
    expect(seen).toEqual([]);
    // The media-type spelling of the accepted typ is the same type (RFC 7515 section 4.1.9).
    const mediaType = await mintToken(key, { header: { typ: "application/AT+JWT" } });
    expect((await worker.fetch("/orders/1", { headers: { authorization: `Bearer ${mediaType}` } })).status).toBe(201);
  });

  it("valid token, scope or claim not met, or no route: 403 insufficient_scope", async () => {
    const scopeMissing = "the token lacks a required scope";
    const claimMissing = "the token is not authorized for this resource";
    const noRoute = "no route allows this request";
    const cases: [kind: string, path: string, init: Parameters<TestWorker["fetch"]>[1], claims: Record<string, unknown>, ExactAnswer][] = [
      ["scopes (all required)", "/orders", { method: "POST", body: "{}" }, { scope: "orders:read" },
        { status: 403, error: "insufficient_scope", description: scopeMissing, challenge: challengeFor("insufficient_scope", scopeMissing, "orders:write") }],
      ["anyScopes (none held)", "/admin/users", {}, { aud: "admin-api", scope: "orders:read" },
        { status: 403, error: "insufficient_scope", description: scopeMissing, challenge: challengeFor("insufficient_scope", scopeMissing) }],
      ["claim of another tenant", "/tenants/acme/orders", {}, { tenant_id: "globex" },
        { status: 403, error: "insufficient_scope", description: claimMissing, challenge: challengeFor("insufficient_scope", claimMissing) }],
      ["claim array without the tenant", "/tenants/acme/orders", {}, { tenant_id: ["globex", "initech"] },
        { status: 403, error: "insufficient_scope", description: claimMissing, challenge: challengeFor("insufficient_scope", claimMissing) }],
      ["claim absent", "/tenants/acme/orders", {}, {},
        { status: 403, error: "insufficient_scope", description: claimMissing, challenge: challengeFor("insufficient_scope", claimMissing) }],
      ["no route", "/nowhere", {}, {},
        { status: 403, error: "insufficient_scope", description: noRoute, challenge: challengeFor("insufficient_scope", noRoute) }],
    ];
    const seen = await originRequests(async () => {
      for (const [kind, path, init, claims, answer] of cases) {
        const token = await mintToken(key, { claims: { sub: "row-six-subject", ...claims } });
        const response = await worker.fetch(path, { ...init, headers: { authorization: `Bearer ${token}` } });
        await expectExactAnswer(response, answer, kind);
      }
    });
    expect(seen).toEqual([]);
  });
});

describe("CORS preflight", () => {
  const preflight = { "access-control-request-method": "POST", origin: "https://app.example" };

  it("passes to the origin where a route allows OPTIONS", async () => {
    let response!: Awaited<ReturnType<TestWorker["fetch"]>>;
    const seen = await originRequests(async () => {
      response = await worker.fetch("/orders", { method: "OPTIONS", headers: preflight });
    });
    expect(response.status).toBe(201);
    expect(seen.map((r) => `${r.method} ${r.path}`)).toEqual(["OPTIONS /orders"]);
  });

  it("is answered by the Worker where no route allows OPTIONS (no token: 401)", async () => {
    const seen = await originRequests(async () => {
      await expectErrorAnswer(await worker.fetch("/orders/1", { method: "OPTIONS", headers: preflight }), 401, "unauthorized");
      await expectErrorAnswer(await worker.fetch("/admin/users", { method: "OPTIONS", headers: preflight }), 401, "unauthorized");
    });
    expect(seen).toEqual([]);
  });
});

describe("configuration variants", () => {
  it("keeps Authorization for the origin when forward.keepAuthorization is true", async () => {
    const keeping = await startWorker({
      config: workerConfig(jwks.url, { forward: { headerPrefix: "x-auth-", claimHeaders: { sub: "x-auth-sub" }, keepAuthorization: true } }),
      upstreamUrl: origin.url,
    });
    try {
      const token = await mintToken(key, { claims: { sub: "carol" } });
      const seen = await originRequests(() => keeping.fetch("/orders/5", { headers: { authorization: `Bearer ${token}`, "x-auth-sub": "mallory" } }));
      expect(seen[0]!.headers.authorization).toBe(`Bearer ${token}`);
      expect(seen[0]!.headers["x-auth-sub"]).toBe("carol");
    } finally {
      await keeping.dispose();
    }
  });

  it("accepts AUTHORIZER_CONFIG as a JSON string and, without UPSTREAM_URL, forwards to the request's own URL", async () => {
    const own = await startWorker({ config: JSON.stringify(workerConfig(jwks.url)), withoutKv: true });
    try {
      const token = await mintToken(key);
      let response!: Awaited<ReturnType<TestWorker["fetch"]>>;
      const seen = await originRequests(async () => {
        // The request's own URL is the origin server's: the Worker sends it there unchanged.
        response = await own.fetch(`${origin.url}/orders/77?x=1`, { headers: { authorization: `Bearer ${token}` } });
      });
      expect(response.status).toBe(201);
      expect(seen.map((r) => r.path)).toEqual(["/orders/77?x=1"]);
    } finally {
      await own.dispose();
    }
  });

  it("answers 503 with Retry-After when the keys are unavailable", async () => {
    const down = await startWorker({ config: workerConfig(await refusedUrl()), upstreamUrl: origin.url });
    try {
      const token = await mintToken(key);
      const seen = await originRequests(async () => {
        const response = await down.fetch("/orders/1", { headers: { authorization: `Bearer ${token}` } });
        expect(response.headers.get("retry-after")).toMatch(/^[1-9][0-9]*$/);
        await expectExactAnswer(response, {
          status: 503, error: "temporarily_unavailable", description: "the issuer's signing keys are unavailable", challenge: null,
        });
      });
      expect(seen).toEqual([]);
    } finally {
      await down.dispose();
    }
  });

  it("answers 500 on every request to a bad configuration, logs the problems each time, never forwards", async () => {
    const badConfig = workerConfig(jwks.url);
    (badConfig.routes as Record<string, unknown>[])[2] = { route: "GET /orders/{id}", scopes: ["orders:read"] };
    const bad = await startWorker({ config: badConfig, upstreamUrl: origin.url });
    try {
      const token = await mintToken(key);
      const seen = await originRequests(async () => {
        for (const path of ["/health", "/orders/1"]) {
          const response = await bad.fetch(path, { headers: { authorization: `Bearer ${token}` } });
          await expectExactAnswer(response, {
            status: 500, error: "server_error", description: "the authorizer is misconfigured", challenge: null,
          }, path);
        }
      });
      expect(seen).toEqual([]);
      await expectLogCount(bad, 2, (entry) => entry.event === "config_invalid" && String(entry.problems).includes("routes[2].audience"));
    } finally {
      await bad.dispose();
    }
  });

  it("answers 500 when AUTHORIZER_CONFIG is missing or UPSTREAM_URL is not an http(s) URL", async () => {
    for (const [options, problem] of [
      [{ config: undefined, upstreamUrl: origin.url }, "AUTHORIZER_CONFIG: required"],
      [{ config: workerConfig(jwks.url), upstreamUrl: "ftp://origin.test" }, "UPSTREAM_URL: must be an http(s) URL"],
    ] as const) {
      const bad = await startWorker(options);
      try {
        await expectErrorAnswer(await bad.fetch("/health"), 500, "server_error");
        await expectLogCount(bad, 1, (entry) => entry.event === "config_invalid" && String(entry.problems).startsWith(problem));
      } finally {
        await bad.dispose();
      }
    }
  });

  it("answers 500 when AUTHORIZER_CONFIG is not JSON, without quoting it", async () => {
    const bad = await startWorker({ config: '{"issuers": [{"secret": "hunter2"', upstreamUrl: origin.url });
    try {
      await expectErrorAnswer(await bad.fetch("/health"), 500, "server_error");
      await expectLogCount(bad, 1, (entry) => entry.event === "config_invalid" && entry.problems === "AUTHORIZER_CONFIG: not valid JSON");
      expect(bad.logLines.join("\n")).not.toContain("hunter2");
    } finally {
      await bad.dispose();
    }
  });
});

/** Log lines arrive through workerd's stdout shortly after the response: wait for them. */
async function expectLogCount(target: TestWorker, count: number, match: (entry: Record<string, unknown>) => boolean) {
  for (let i = 0; i < 100 && target.logEntries().filter(match).length < count; i += 1) {
    await new Promise((r) => setTimeout(r, 20));
  }
  expect(target.logEntries().filter(match)).toHaveLength(count);
}
