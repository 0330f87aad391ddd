/**
 * wrangler.toml as deployed: read by wrangler's own config readers (the raw TOML and the resolved
 * per-environment config), each AUTHORIZER_CONFIG block (top-level [vars] and [env.dev.vars])
 * through the core's parseConfig, the bindings CONTRACT.md section 3 names, and each environment's
 * configuration started in workerd.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { supportedCompatibilityDate } from "miniflare";
import { experimental_readRawConfig, unstable_readConfig } from "wrangler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../shared/config.js";
import { configWarnings } from "../../shared/index.js";
import { parseUpstreamUrl } from "../../workers/forward.js";
import { startOrigin, type OriginServer } from "./support/origin-server.js";
import { deployedWorkerSettings, startWorker, WRANGLER_TOML } from "./support/worker-harness.js";

const ROOT = join(WRANGLER_TOML, "..");

/** `undefined`: the top level (what `wrangler deploy` uses); "dev": `wrangler dev --env dev`. */
const ENVIRONMENTS = [
  { label: "top level [vars]", env: undefined, warnings: [] as string[] },
  // The development issuer is a local one, on plain http: the one finding expected there.
  { label: "[env.dev.vars]", env: "dev", warnings: ["issuers[0].jwksUri"] },
];

function resolved(env: string | undefined) {
  return unstable_readConfig({ config: WRANGLER_TOML, ...(env === undefined ? {} : { env }) }, { hideWarnings: true });
}

type Table = Record<string, unknown>;
const isTable = (value: unknown): value is Table => typeof value === "object" && value !== null && !Array.isArray(value);

describe("wrangler.toml as written", () => {
  it("declares AUTHORIZER_CONFIG as a table in both [vars] and [env.dev.vars] (vars are not inherited)", () => {
    const { rawConfig } = experimental_readRawConfig({ config: WRANGLER_TOML });
    expect(rawConfig.main).toBe("workers/index.ts");
    expect(isTable(rawConfig.vars?.AUTHORIZER_CONFIG)).toBe(true);
    const dev = rawConfig.env?.dev;
    expect(isTable(dev?.vars?.AUTHORIZER_CONFIG)).toBe(true);
    // Each block stands on its own: both pass the core's parser as written.
    expect(() => parseConfig(rawConfig.vars?.AUTHORIZER_CONFIG)).not.toThrow();
    expect(() => parseConfig(dev?.vars?.AUTHORIZER_CONFIG)).not.toThrow();
  });
});

describe.each(ENVIRONMENTS)("wrangler.toml resolved by wrangler: $label", ({ env, warnings }) => {
  it("names the Worker entry, a compatibility date workerd supports, and the JWKS_CACHE KV binding", () => {
    const config = resolved(env);
    expect(config.main).toBe(join(ROOT, "workers/index.ts"));
    expect(existsSync(config.main!)).toBe(true);
    expect(config.compatibility_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // The bundled workerd refuses a date later than it knows.
    expect(config.compatibility_date! <= supportedCompatibilityDate).toBe(true);
    const kv = config.kv_namespaces.filter((namespace: { binding: string }) => namespace.binding === "JWKS_CACHE");
    expect(kv).toHaveLength(1);
    expect(kv[0]!.id).toMatch(/^[0-9a-f]{32}$/);
  });

  it("has an AUTHORIZER_CONFIG that parseConfig accepts (only the expected warnings), and a valid UPSTREAM_URL", () => {
    const { vars } = resolved(env);
    expect(isTable(vars.AUTHORIZER_CONFIG)).toBe(true);
    const parsed = parseConfig(vars.AUTHORIZER_CONFIG);
    expect(configWarnings(parsed).map((warning) => warning.path)).toEqual(warnings);
    expect(parsed.issuers.length).toBeGreaterThan(0);
    for (const issuer of parsed.issuers) expect(issuer.tokenTypes).toEqual(["at+jwt"]);
    expect(parsed.routes.map((route) => route.route)).toContain("GET /health");
    expect(parsed.forward.headerPrefix).toBe("x-auth-");
    expect(typeof vars.UPSTREAM_URL).toBe("string");
    expect(parseUpstreamUrl(vars.UPSTREAM_URL as string)).toBeInstanceOf(URL);
  });
});

describe("the test harness runs what wrangler.toml deploys", () => {
  it("takes main, the compatibility date and the flags from wrangler.toml", () => {
    const config = resolved(undefined);
    expect(deployedWorkerSettings()).toEqual({
      main: config.main,
      compatibilityDate: config.compatibility_date,
      compatibilityFlags: config.compatibility_flags,
    });
  });
});

describe.each(ENVIRONMENTS)("the Worker in workerd with the $label configuration", ({ env }) => {
  let origin: OriginServer;
  beforeAll(async () => {
    origin = await startOrigin();
  });
  afterAll(async () => {
    await origin?.close();
  });

  it("starts ready: the public route reaches the origin, a protected one wants a token", async () => {
    const { vars } = resolved(env);
    // The same AUTHORIZER_CONFIG table as a [vars] binding; only the origin is a local one.
    const worker = await startWorker({ config: vars.AUTHORIZER_CONFIG, upstreamUrl: origin.url });
    try {
      const health = await worker.fetch("/health");
      expect(health.status).toBe(201);
      expect(await health.text()).toBe("origin saw GET /health\nbody bytes: 0\n");
      const orders = await worker.fetch("/orders/1");
      expect(orders.status).toBe(401);
      expect(orders.headers.get("www-authenticate")).toBe('Bearer realm="edge-authorizer"');
      expect(worker.logEntries().some((entry) => entry.event === "config_invalid")).toBe(false);
    } finally {
      await worker.dispose();
    }
  });
});
