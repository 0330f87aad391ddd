// The core must run unchanged in workerd, Lambda and browsers: Web APIs only. The shared
// tsconfig (types: []) catches Node globals at typecheck; this catches imports and globals by text.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const sharedDir = fileURLToPath(new URL("../../shared/", import.meta.url));
const NODE_BUILTINS = "fs|path|crypto|http|https|os|buffer|stream|util|net|child_process|worker_threads";
const FORBIDDEN: ReadonlyArray<[RegExp, string]> = [
  // Any quoted node: specifier, whatever form loads it (from, bare side-effect import, import(), require).
  [/["'`]node:/, "node: import"],
  [new RegExp(`(?:\\bfrom|\\bimport|\\brequire)\\s*\\(?\\s*["'](?:${NODE_BUILTINS})(?:/[\\w/]*)?["']`), "Node built-in import"],
  [/\brequire\s*\(/, "require()"],
  [/\bprocess\.(env|argv|exit|hrtime|nextTick)/, "process global"],
  [/\bBuffer\./, "Buffer global"],
  [/\b__dirname\b|\b__filename\b/, "CommonJS path global"],
  [/["'`]cloudflare:/, "cloudflare: import"],
  [/@cloudflare\/workers-types|\bKVNamespace\b|\bExecutionContext\b/, "Cloudflare type"],
  [/["']aws-lambda["']|\bAPIGateway\w+Event\b/, "AWS Lambda type"],
];

function forbiddenIn(text: string): string[] {
  return FORBIDDEN.filter(([pattern]) => pattern.test(text)).map(([, what]) => what);
}

describe("the runtime-free check itself", () => {
  it.each([
    ['import "node:crypto";', "node: import"],
    ["import 'node:fs';", "node: import"],
    ['import { createHash } from "node:crypto";', "node: import"],
    ['export { readFile } from "node:fs/promises";', "node: import"],
    ['export * from "node:path";', "node: import"],
    ['const { webcrypto } = await import("node:crypto");', "node: import"],
    ["const fs = require(`node:fs`);", "node: import"],
    ['import "crypto";', "Node built-in import"],
    ['import * as fs from "fs";', "Node built-in import"],
    ['const p = await import("fs/promises");', "Node built-in import"],
    ['import { env } from "cloudflare:workers";', "cloudflare: import"],
    ['import type { Context } from "aws-lambda";', "AWS Lambda type"],
  ])("catches %s", (source, what) => {
    expect(forbiddenIn(source)).toContain(what);
  });

  it("leaves web-standard code alone", () => {
    expect(forbiddenIn('import { importJWK } from "jose";\nconst key = await crypto.subtle.importKey("raw", k, p, false, ["verify"]);')).toEqual([]);
  });
});

describe("shared/ stays runtime-free", () => {
  const files = readdirSync(sharedDir).filter((f) => f.endsWith(".ts"));

  it("has source files to check", () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it.each(files)("%s uses only web-standard APIs", (file) => {
    expect(forbiddenIn(readFileSync(join(sharedDir, file), "utf8"))).toEqual([]);
  });
});
