/**
 * The KV key store on its own (Node): what it writes, with which TTL, and that KV failures never
 * become request failures. Its behaviour over a real KV binding in workerd is in jwks-cache.test.ts.
 */
import { describe, expect, it } from "vitest";
import { createKvKeyStore, kvKey, type JwksKv } from "../../workers/kv-key-store.js";
import type { LogEntry } from "../../shared/types.js";

const URI = "https://issuer.test/.well-known/jwks.json";

/** A KV namespace in memory that records puts and can be told to fail. */
function memoryKv(fail: { get?: boolean; put?: boolean } = {}) {
  const values = new Map<string, string>();
  const puts: { key: string; expirationTtl: number }[] = [];
  const kv: JwksKv = {
    async get(key) {
      if (fail.get) throw new Error("KV GET failed: 500");
      const text = values.get(key);
      return text === undefined ? null : JSON.parse(text);
    },
    async put(key, value, options) {
      if (fail.put) throw new Error("KV PUT failed: 429 Too Many Requests");
      values.set(key, value);
      puts.push({ key, expirationTtl: options.expirationTtl });
    },
  };
  return { kv, values, puts };
}

function recordingLog() {
  const entries: { level: string; entry: LogEntry }[] = [];
  return { entries, log: (level: "info" | "warn" | "error", entry: LogEntry) => entries.push({ level, entry }) };
}

describe("createKvKeyStore", () => {
  it("round-trips the document and its fetch time under a readable key", async () => {
    const { kv, values } = memoryKv();
    const store = createKvKeyStore(kv, { maxStaleSeconds: 86_400 });
    const jwks = { keys: [{ kty: "EC", kid: "k1" }] };
    await store.put(URI, { jwks, fetchedAt: 1_700_000_000_000 });
    expect([...values.keys()]).toEqual([`jwks:v1:${URI}`]);
    expect(await store.get(URI)).toEqual({ jwks, fetchedAt: 1_700_000_000_000 });
    expect(await store.get("https://other.test/jwks")).toBeUndefined();
  });

  it("expires entries about when they stop being usable, never under KV's 60 s minimum", async () => {
    const day = memoryKv();
    await createKvKeyStore(day.kv, { maxStaleSeconds: 86_400 }).put(URI, { jwks: { keys: [] }, fetchedAt: 1 });
    expect(day.puts[0]!.expirationTtl).toBe(86_400);
    const short = memoryKv();
    await createKvKeyStore(short.kv, { maxStaleSeconds: 0 }).put(URI, { jwks: { keys: [] }, fetchedAt: 1 });
    expect(short.puts[0]!.expirationTtl).toBe(60);
  });

  it("treats a failing KV read as a miss and logs it", async () => {
    const { kv } = memoryKv({ get: true });
    const { entries, log } = recordingLog();
    await expect(createKvKeyStore(kv, { maxStaleSeconds: 600, log }).get(URI)).resolves.toBeUndefined();
    expect(entries).toEqual([{ level: "warn", entry: expect.objectContaining({ event: "jwks_kv_read_failed", jwksUri: URI }) }]);
  });

  it("drops a failing KV write (rate limit) without throwing, and logs it", async () => {
    const { kv } = memoryKv({ put: true });
    const { entries, log } = recordingLog();
    await expect(createKvKeyStore(kv, { maxStaleSeconds: 600, log }).put(URI, { jwks: { keys: [] }, fetchedAt: 1 })).resolves.toBeUndefined();
    expect(entries[0]).toMatchObject({ level: "warn", entry: { event: "jwks_kv_write_failed" } });
  });

  it("ignores entries it did not write (another format, a manual edit)", async () => {
    const { kv, values } = memoryKv();
    const store = createKvKeyStore(kv, { maxStaleSeconds: 600 });
    for (const junk of ['"text"', "[]", '{"jwks":{"keys":[]}}', '{"jwks":null,"fetchedAt":1}', '{"jwks":{},"fetchedAt":"yesterday"}']) {
      values.set(`jwks:v1:${URI}`, junk);
      expect(await store.get(URI), junk).toBeUndefined();
    }
  });

  it("keys a JWKS URI too long for KV (512 bytes) by its SHA-256", async () => {
    const long = `https://issuer.test/${"k".repeat(600)}`;
    const key = await kvKey(long);
    expect(key).toMatch(/^jwks:v1:sha256:[0-9a-f]{64}$/);
    expect(await kvKey(`${long}x`)).not.toBe(key);
    const { kv } = memoryKv();
    const store = createKvKeyStore(kv, { maxStaleSeconds: 600 });
    await store.put(long, { jwks: { keys: [] }, fetchedAt: 5 });
    expect(await store.get(long)).toEqual({ jwks: { keys: [] }, fetchedAt: 5 });
  });
});
