/**
 * README's "Configuration reference" states the accepted range of every numeric field; these
 * tests hold the document to what parseConfig accepts, so neither can drift from the other.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../shared/config.js";
import { ConfigError } from "../../shared/errors.js";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const reference = readme.slice(readme.indexOf("## Configuration reference"), readme.indexOf("## Security decisions"));

function documentedRange(field: string): { min: number; max: number } {
  const row = reference.split("\n").find((line) => line.startsWith(`| \`${field}\` |`));
  const match = row === undefined ? null : /Integer from (\d+) to (\d+)/.exec(row);
  if (match === null) throw new Error(`README's configuration reference gives no "Integer from A to B" for ${field}`);
  return { min: Number(match[1]), max: Number(match[2]) };
}

const ISSUER = "https://auth.example.com/";
type Place = (value: number) => Record<string, unknown>;
const issuer = (extra: Record<string, number> = {}) => ({
  issuer: ISSUER, jwksUri: "https://auth.example.com/jwks", algorithms: ["RS256"], ...extra,
});
const issuerField = (name: string): Place => (value) => ({ issuers: [issuer({ [name]: value })] });
const jwksField = (name: string): Place => (value) => ({ issuers: [issuer()], jwks: { [name]: value } });
const topField = (name: string): Place => (value) => ({ issuers: [issuer()], [name]: value });

const FIELDS: [string, Place][] = [
  ["clockToleranceSeconds", issuerField("clockToleranceSeconds")],
  ["maxTokenAgeSeconds", issuerField("maxTokenAgeSeconds")],
  ["cacheMaxAgeSeconds", jwksField("cacheMaxAgeSeconds")],
  ["cooldownSeconds", jwksField("cooldownSeconds")],
  ["timeoutMs", jwksField("timeoutMs")],
  ["maxStaleSeconds", jwksField("maxStaleSeconds")],
  ["maxBytes", jwksField("maxBytes")],
  ["verifiedTokenCacheSize", topField("verifiedTokenCacheSize")],
];

function accepts(place: Place, value: number): boolean {
  try {
    parseConfig({ ...place(value), routes: [{ route: "GET /orders", audience: "orders-api" }] });
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return false;
  }
}

describe("README's configuration reference: numeric ranges", () => {
  it.each(FIELDS)("%s: the documented range is exactly what parseConfig accepts", (field, place) => {
    const { min, max } = documentedRange(field);
    expect([accepts(place, min), accepts(place, max)]).toEqual([true, true]);
    expect([accepts(place, min - 1), accepts(place, max + 1), accepts(place, min + 0.5)]).toEqual([false, false, false]);
  });
});
