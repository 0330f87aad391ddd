/**
 * Finds the read-only vector handout at `../shared/vectors/` beside the repository root and loads
 * its JSON files. Vectors are never copied into the repository; when the folder is missing the
 * suites skip and say so.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
export const VECTORS_DIR = fileURLToPath(new URL("../shared/vectors/", new URL(`file://${repoRoot}`)));

export function vectorsPresent(relative: string): boolean {
  const present = existsSync(VECTORS_DIR + relative);
  if (!present) console.warn(`skipping: test vectors not found at ${VECTORS_DIR}${relative}`);
  return present;
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

export function hexToBytes(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}
