#!/usr/bin/env node
// Runs the project's wrangler with what it needs to work offline (no metrics, no banner, no
// request to Cloudflare for the `cf` object), so `npm start` and `npm run build` need no account.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

export const OFFLINE_ENV = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
};

export function wranglerBin() {
  return createRequire(import.meta.url).resolve("wrangler/bin/wrangler.js");
}

export function spawnWrangler(args, options = {}) {
  return spawn(process.execPath, [wranglerBin(), ...args], {
    stdio: "inherit",
    ...options,
    env: { ...process.env, ...OFFLINE_ENV, ...options.env },
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const child = spawnWrangler(process.argv.slice(2));
  child.on("exit", (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
}
