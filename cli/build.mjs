// Builds the command line tool into one ESM file with a shebang: `npm run build:cli`.
// Tests import `buildCli` to build the same bundle into a temporary folder.
import { chmod } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const DEFAULT_OUTFILE = join(ROOT, "dist", "cli", "edge-authorizer.mjs");

export async function buildCli(outfile = DEFAULT_OUTFILE) {
  await build({
    entryPoints: [join(ROOT, "cli", "main.ts")],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    banner: { js: "#!/usr/bin/env node" },
    legalComments: "none",
    logLevel: "warning",
  });
  await chmod(outfile, 0o755);
  return outfile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildCli(process.argv[2] ?? DEFAULT_OUTFILE);
}
