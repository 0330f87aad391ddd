// The core must run unchanged in workerd, Lambda and browsers: Web APIs only. The shared
// tsconfig (types: []) catches Node globals at typecheck; this catches imports and globals by text.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const sharedDir = fileURLToPath(new URL("../../shared/", import.meta.url));
const FORBIDDEN: ReadonlyArray<[RegExp, string]> = [
  [/from\s+["']node:/, "node: import"],
  [/from\s+["'](fs|path|crypto|http|https|os|buffer|stream|util)["']/, "Node built-in import"],
  [/\brequire\s*\(/, "require()"],
  [/\bprocess\.(env|argv|exit|hrtime|nextTick)/, "process global"],
  [/\bBuffer\./, "Buffer global"],
  [/\b__dirname\b|\b__filename\b/, "CommonJS path global"],
  [/from\s+["']cloudflare:/, "cloudflare: import"],
  [/@cloudflare\/workers-types|\bKVNamespace\b|\bExecutionContext\b/, "Cloudflare type"],
  [/from\s+["']aws-lambda["']|\bAPIGateway\w+Event\b/, "AWS Lambda type"],
];

describe("shared/ stays runtime-free", () => {
  const files = readdirSync(sharedDir).filter((f) => f.endsWith(".ts"));

  it("has source files to check", () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it.each(files)("%s uses only web-standard APIs", (file) => {
    const text = readFileSync(join(sharedDir, file), "utf8");
    const found = FORBIDDEN.filter(([pattern]) => pattern.test(text)).map(([, what]) => what);
    expect(found).toEqual([]);
  });
});
