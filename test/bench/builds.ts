/**
 * The built artefacts the startup and Worker rows measure. `npm run bench` rebuilds them with the
 * project's own scripts (so a fresh clone measures its current code), unless `--no-build`; a
 * missing script or a failed build makes those rows "not measured", with the reason.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { build as esbuild } from "esbuild";

export const LAMBDA_BUNDLE = "dist/lambda/authorizer.mjs";
/** Where the bench bundles `lambdas/authorizer.ts` itself while the project has no `build:lambda`. */
export const LAMBDA_FALLBACK_BUNDLE = "dist/bench/lambda-fallback/authorizer.mjs";
export const WORKER_DIR = "dist/worker";
export const WORKER_ENTRY = `${WORKER_DIR}/index.js`;

export type BuildState = { ok: true; path: string; note?: string } | { ok: false; reason: string };

const builds = new Map<string, Promise<BuildState>>();

/** Runs `npm run <script>` once per process (when needed) and checks that `output` exists. */
export function ensureBuilt(script: string, output: string): Promise<BuildState> {
  let pending = builds.get(script);
  if (pending === undefined) {
    pending = build(script, output);
    builds.set(script, pending);
  }
  return pending;
}

async function build(script: string, output: string): Promise<BuildState> {
  const skip = process.argv.includes("--no-build");
  const scripts = (JSON.parse(readFileSync("package.json", "utf8")) as { scripts?: Record<string, string> }).scripts ?? {};
  if (!skip) {
    if (scripts[script] === undefined) {
      return existsSync(output)
        ? { ok: true, path: output }
        : { ok: false, reason: `no \`${script}\` script in package.json and no ${output}` };
    }
    const { code, stderr } = await run("npm", ["run", "--silent", script]);
    if (code !== 0) return { ok: false, reason: `\`npm run ${script}\` failed (exit ${code}): ${stderr.trim().split("\n").slice(-1)[0] ?? ""}` };
  }
  return existsSync(output) ? { ok: true, path: output } : { ok: false, reason: `${output} is missing${skip ? " (--no-build)" : ` after \`npm run ${script}\``}` };
}

/**
 * The Lambda bundle: the project's own build when it has one; otherwise `lambdas/authorizer.ts`
 * bundled here as CONTRACT.md §4 describes it (one ESM file, everything bundled, minified), and
 * labelled as such in the output.
 */
export async function ensureLambdaBundle(): Promise<BuildState> {
  const own = await ensureBuilt("build:lambda", LAMBDA_BUNDLE);
  if (own.ok || !existsSync("lambdas/authorizer.ts")) return own;
  try {
    await esbuild({
      entryPoints: ["lambdas/authorizer.ts"], bundle: true, platform: "node", format: "esm", target: "node20",
      minify: true, outfile: LAMBDA_FALLBACK_BUNDLE, logLevel: "silent",
    });
  } catch (error) {
    return { ok: false, reason: `${own.reason}; bundling lambdas/authorizer.ts failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}` };
  }
  return { ok: true, path: LAMBDA_FALLBACK_BUNDLE, note: "bundled by the bench with esbuild (minify, esm): the project has no `build:lambda` yet" };
}

export function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
