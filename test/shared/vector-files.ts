/**
 * Finds the read-only vector handout at `../shared/vectors/` beside the repository root and loads
 * its JSON files. Vectors are never copied into the repository. When the folder is missing a
 * user's run skips and says so; a CI run fails instead, so a lost handout cannot turn the
 * acceptance suites into a silent pass.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
/** EDGE_AUTHORIZER_VECTORS_DIR moves the handout (the CI-failure test points it at nothing). */
export const VECTORS_DIR = withSlash(
  process.env.EDGE_AUTHORIZER_VECTORS_DIR || fileURLToPath(new URL("../shared/vectors/", new URL(`file://${repoRoot}`))),
);

function withSlash(dir: string): string {
  return dir.endsWith("/") ? dir : `${dir}/`;
}

export type VectorVerdict = { kind: "present" } | { kind: "skip"; message: string } | { kind: "fail"; message: string };

/** CI systems set CI=true; "false" and "0" are how people turn it off by hand. */
export function isCi(env: Record<string, string | undefined>): boolean {
  const value = env.CI;
  return value !== undefined && value !== "" && value !== "false" && value !== "0";
}

export function vectorVerdict(path: string, options: { ci: boolean; exists: (path: string) => boolean }): VectorVerdict {
  if (options.exists(path)) return { kind: "present" };
  if (options.ci) {
    return {
      kind: "fail",
      message: `test vectors missing: ${path} not found (CI is set, so the vector suites must run; lay the shared/vectors handout beside the checkout)`,
    };
  }
  return { kind: "skip", message: `skipping: test vectors not found at ${path}` };
}

/** True when the vectors are there; otherwise warns (skip) or registers a failing test (CI). */
export function vectorsPresent(relative: string): boolean {
  const verdict = vectorVerdict(VECTORS_DIR + relative, { ci: isCi(process.env), exists: existsSync });
  if (verdict.kind === "present") return true;
  if (verdict.kind === "skip") console.warn(verdict.message);
  else {
    describe(`vectors ${relative}`, () => {
      it("are present", () => {
        expect.fail(verdict.message);
      });
    });
  }
  return false;
}

export function loadVectors<T>(relative: string): T {
  return JSON.parse(readFileSync(VECTORS_DIR + relative, "utf8")) as T;
}

/** Per-file outcome counts, printed as one summary line when the file's suite ends. */
export class Tally {
  validOk = 0;
  invalidOk = 0;
  acceptableAccepted = 0;
  acceptableRejected = 0;
  skipped = 0;
  wrong: string[] = [];

  constructor(readonly name: string) {}

  summary(): string {
    const acceptable =
      this.acceptableAccepted + this.acceptableRejected > 0
        ? `, acceptable ${this.acceptableAccepted} accepted / ${this.acceptableRejected} rejected`
        : "";
    const wrong = this.wrong.length > 0 ? `, WRONG ${this.wrong.length}: ${this.wrong.join(" ")}` : "";
    return `${this.name}: valid ok ${this.validOk}, invalid ok ${this.invalidOk}${acceptable}, skipped ${this.skipped}${wrong}`;
  }
}

/**
 * The last test of a file's suite (vitest runs a file's tests in order): cases of both kinds ran
 * (no filter of ours dropped a whole file) and none came out wrong. How many there are is the
 * handout's business: it is read from the files and printed, never copied here.
 */
export function expectCasesRan(tally: Tally): void {
  it("ran valid and invalid cases, none wrong", () => {
    expect(tally.validOk).toBeGreaterThan(0);
    expect(tally.invalidOk).toBeGreaterThan(0);
    expect(tally.wrong).toEqual([]);
  });
}

export function hexToBytes(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}
