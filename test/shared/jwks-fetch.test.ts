/**
 * One JWKS fetch against a real server on 127.0.0.1 that misbehaves: every failure is a
 * JwksFetchError with a reason the logs can name, and none takes longer than the timeout allows.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { JwksFetchError } from "../../shared/errors.js";
import { fetchJwks, type JwksFetchRequest } from "../../shared/jwks-fetch.js";
import { type JwksServer, refusedUrl, startJwksServer } from "../support/jwks-server.js";
import { generateTestKey, jwksOf, type TestKey } from "../support/keys.js";

let server: JwksServer;
let key: TestKey;

beforeAll(async () => {
  key = await generateTestKey("ES256", "k1");
  server = await startJwksServer({ jwks: jwksOf(key) });
});
afterAll(() => server.close());
beforeEach(() => {
  server.setJwks(jwksOf(key));
  server.behave({ kind: "serve" });
});

function request(overrides: Partial<JwksFetchRequest> = {}): JwksFetchRequest {
  return { url: server.url, fetch: globalThis.fetch, timeoutMs: 1500, maxBytes: 150_000, algorithms: ["ES256"], ...overrides };
}

async function failureOf(overrides: Partial<JwksFetchRequest> = {}): Promise<JwksFetchError> {
  const error = await fetchJwks(request(overrides)).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(JwksFetchError);
  const failure = error as JwksFetchError;
  expect(failure.code).toBe("ERR_JWKS_FETCH_FAILED");
  expect(failure.message).toContain(overrides.url ?? server.url);
  return failure;
}

describe("fetchJwks", () => {
  it("fetches, asks for JSON, and builds the key set", async () => {
    const fetched = await fetchJwks(request());
    expect(fetched.keySet.hasKid("k1")).toBe(true);
    expect(fetched.document).toEqual(jwksOf(key));
    const accept = server.requestLog.at(-1)?.accept ?? "";
    expect(accept).toContain("application/jwk-set+json");
    expect(accept).toContain("application/json");
  });

  it("times out a server that answers too slowly, never answers, or stalls mid-body", async () => {
    for (const behavior of [{ kind: "delay", ms: 5000 }, { kind: "hang" }, { kind: "stall-body" }] as const) {
      server.behave(behavior);
      expect((await failureOf({ timeoutMs: 200 })).reason, behavior.kind).toBe("timeout");
    }
  });

  it("times out even when the injected fetch ignores the abort signal", async () => {
    server.behave({ kind: "hang" });
    const deaf: typeof fetch = (input, init) => globalThis.fetch(input, { ...init, signal: null });
    expect((await failureOf({ timeoutMs: 200, fetch: deaf })).reason).toBe("timeout");
  });

  it("refuses redirects and never contacts the redirect target", async () => {
    const elsewhere = await startJwksServer({ jwks: jwksOf(key) });
    try {
      for (const status of [301, 302, 307, 308]) {
        server.behave({ kind: "redirect", location: elsewhere.url, status });
        const failure = await failureOf();
        expect(failure.reason).toBe("redirect");
        expect(failure.status).toBe(status);
      }
      expect(elsewhere.requests).toBe(0);
    } finally {
      await elsewhere.close();
    }
  });

  it("fails on any status but 200", async () => {
    for (const status of [201, 204, 404, 500, 503]) {
      server.behave({ kind: "status", status, body: status === 204 ? "" : JSON.stringify(jwksOf(key)), contentType: "application/json" });
      const failure = await failureOf();
      expect(failure.reason).toBe("status");
      expect(failure.status).toBe(status);
    }
  });

  it("fails on HTML, truncated JSON and bytes that are not UTF-8", async () => {
    server.behave({ kind: "html" });
    expect((await failureOf()).reason).toBe("not_json");
    server.behave({ kind: "truncated" });
    expect((await failureOf()).reason).toBe("not_json");
    server.behave({ kind: "body", body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) });
    expect((await failureOf()).reason).toBe("not_json");
  });

  it("fails on JSON that is not a JWKS, and on a JWKS with no key usable for the issuer", async () => {
    server.behave({ kind: "body", body: '{"issuer":"https://issuer.test/"}' });
    expect((await failureOf()).reason).toBe("invalid_jwks");
    server.behave({ kind: "body", body: '{"keys":[]}' });
    expect((await failureOf()).reason).toBe("no_usable_keys");
    const rsa = await generateTestKey("RS256", "r1");
    server.setJwks(jwksOf(rsa));
    server.behave({ kind: "serve" });
    expect((await failureOf({ algorithms: ["ES256"] })).reason).toBe("no_usable_keys");
    server.setJwks({ keys: [{ ...key.publicJwk, use: "enc" }] });
    expect((await failureOf()).reason).toBe("no_usable_keys");
  });

  it("refuses a body over maxBytes by Content-Length, by streamed length, and an endless body", async () => {
    server.behave({ kind: "oversized", bytes: 400_000, declareLength: true });
    expect((await failureOf({ maxBytes: 150_000 })).reason).toBe("too_large");
    server.behave({ kind: "oversized", bytes: 400_000, declareLength: false });
    expect((await failureOf({ maxBytes: 150_000 })).reason).toBe("too_large");
    server.behave({ kind: "endless" });
    expect((await failureOf({ maxBytes: 150_000, timeoutMs: 10_000 })).reason).toBe("too_large");
  });

  it("accepts a document of exactly maxBytes and refuses one byte less of allowance", async () => {
    const size = new TextEncoder().encode(JSON.stringify(jwksOf(key))).byteLength;
    expect((await fetchJwks(request({ maxBytes: size }))).keySet.size).toBe(1);
    expect((await failureOf({ maxBytes: size - 1 })).reason).toBe("too_large");
  });

  it("fails on a closed connection and a refused one", async () => {
    server.behave({ kind: "close" });
    expect((await failureOf()).reason).toBe("network");
    const url = await refusedUrl();
    expect((await failureOf({ url })).reason).toBe("network");
  });

  it("never puts the body or key material in the error message", async () => {
    server.behave({ kind: "status", status: 500, body: JSON.stringify(jwksOf(key)) });
    const failure = await failureOf();
    expect(failure.message).not.toContain(String(key.publicJwk.x));
    expect(failure.message).not.toContain("keys");
  });
});
