/**
 * Runs the built `edge-authorizer` command as a user would: `node dist/.../edge-authorizer.mjs`
 * in a child process, with arguments, stdin and environment, collecting stdout, stderr and the
 * exit code. The bundle is built once per test file into a temporary folder by cli/build.mjs
 * (the same build as `npm run build:cli`).
 */
import { execFile, spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export async function buildCli(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "edge-authorizer-cli-"));
  const outfile = join(dir, "edge-authorizer.mjs");
  await promisify(execFile)(process.execPath, [join(ROOT, "cli", "build.mjs"), outfile], { cwd: ROOT });
  return outfile;
}

export function runCli(bin: string, args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    // A clean environment: an AUTHORIZER_CONFIG of the machine must not leak into a test.
    const env: Record<string, string> = { PATH: process.env.PATH ?? "", ...options.env };
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? "");
  });
}

/** Writes JSON files into a fresh temporary folder; returns their paths by name. */
export async function writeJsonFiles(files: Record<string, unknown>): Promise<Record<string, string>> {
  const dir = await mkdtemp(join(tmpdir(), "edge-authorizer-cli-in-"));
  const paths: Record<string, string> = {};
  for (const [name, value] of Object.entries(files)) {
    paths[name] = join(dir, name);
    await writeFile(paths[name] as string, typeof value === "string" ? value : JSON.stringify(value, null, 2));
  }
  return paths;
}
