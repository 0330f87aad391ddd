/**
 * The vector suites skip for a user whose checkout lacks the handout, and fail in CI, where a
 * skipped acceptance suite would pass unnoticed.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isCi, vectorVerdict } from "./vector-files.js";

const nowhere = () => false;

describe("vectorVerdict", () => {
  it("runs what is there, skips what is missing, and fails for what is missing in CI", () => {
    expect(vectorVerdict("/v/a.json", { ci: true, exists: () => true })).toEqual({ kind: "present" });
    expect(vectorVerdict("/v/a.json", { ci: false, exists: nowhere })).toEqual({ kind: "skip", message: expect.stringContaining("/v/a.json") });
    const failed = vectorVerdict("/v/a.json", { ci: true, exists: nowhere });
    expect(failed).toEqual({ kind: "fail", message: expect.stringMatching(/test vectors missing: \/v\/a\.json not found/) });
  });

  it.each([
    [{ CI: "true" }, true],
    [{ CI: "1" }, true],
    [{}, false],
    [{ CI: "" }, false],
    [{ CI: "false" }, false],
    [{ CI: "0" }, false],
  ])("treats %o as CI: %s", (env, ci) => {
    expect(isCi(env)).toBe(ci);
  });
});

describe("a vector suite run without its folder", () => {
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const run = (ci: string | undefined) => {
    const env: NodeJS.ProcessEnv = { ...process.env, EDGE_AUTHORIZER_VECTORS_DIR: "/nonexistent/vectors-for-this-test" };
    if (ci === undefined) delete env.CI;
    else env.CI = ci;
    const result = spawnSync("npx", ["vitest", "run", "--project", "node", "test/shared/vectors-rfc7520.test.ts"], {
      cwd: root, env, encoding: "utf8", timeout: 60_000,
    });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  };

  it("fails under CI=true, saying what is missing", () => {
    const { status, output } = run("true");
    expect(status).toBe(1);
    expect(output).toContain("test vectors missing: /nonexistent/vectors-for-this-test/rfc7520-cookbook/jws not found");
  }, 60_000);

  it("skips, with a note, for a user", () => {
    const { status, output } = run(undefined);
    expect(status).toBe(0);
    expect(output).toContain("skipping: test vectors not found at /nonexistent/vectors-for-this-test/rfc7520-cookbook/jws");
  }, 60_000);
});
