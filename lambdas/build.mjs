// Bundles the Lambda authorizer into one ESM file, everything included (jose too), ready to zip:
// dist/lambda/authorizer.mjs. Run as `npm run build:lambda`; tests import `buildLambda`.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
export const LAMBDA_ENTRY = `${root}lambdas/authorizer.ts`;
export const LAMBDA_OUTDIR = `${root}dist/lambda`;
export const LAMBDA_OUTFILE = `${LAMBDA_OUTDIR}/authorizer.mjs`;
/**
 * Serverless Framework v3 resolves handlers and package patterns against the service folder and
 * refuses a --config outside the working directory, so the stack in serverless/ gets its own copy.
 */
export const SERVERLESS_OUTDIR = `${root}serverless/dist/lambda`;

export async function buildLambda() {
  await build({
    // echo.mjs is the example stacks' stand-in backend (serverless/), bundled apart.
    entryPoints: [LAMBDA_ENTRY, `${root}lambdas/echo.ts`],
    outdir: LAMBDA_OUTDIR,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    minify: true,
    legalComments: "none",
    logLevel: "warning",
  });
  mkdirSync(SERVERLESS_OUTDIR, { recursive: true });
  for (const file of ["authorizer.mjs", "echo.mjs"]) copyFileSync(`${LAMBDA_OUTDIR}/${file}`, `${SERVERLESS_OUTDIR}/${file}`);
  return LAMBDA_OUTFILE;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildLambda();
}
