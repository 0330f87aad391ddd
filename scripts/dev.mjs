#!/usr/bin/env node
// `npm start`: the development issuer (127.0.0.1:8788), the demo origin (127.0.0.1:8789) and the
// Worker under `wrangler dev --env dev` (127.0.0.1:8787) in front of it. Nothing else needed:
// no Cloudflare account, no network. Ctrl-C stops all three.
import { startDemoOrigin, ORIGIN_PORT } from "./demo-origin.mjs";
import { ISSUER, ISSUER_PORT, JWKS_PATH, startIssuer } from "./dev-issuer.mjs";
import { spawnWrangler } from "./wrangler-offline.mjs";

const WORKER_PORT = 8787;

async function start(name, port, run) {
  try {
    return await run();
  } catch (error) {
    const hint = error.code === "EADDRINUSE" ? ` (port ${port} is in use: is another \`npm start\` running?)` : "";
    console.error(`[dev] could not start the ${name} on 127.0.0.1:${port}${hint}: ${error.message}`);
    process.exit(1);
  }
}

const issuer = await start("development issuer", ISSUER_PORT, () => startIssuer());
const origin = await start("demo origin", ORIGIN_PORT, () => startDemoOrigin());
console.log(`[dev] issuer ${ISSUER} (JWKS ${ISSUER.slice(0, -1)}${JWKS_PATH})`);
console.log(`[dev] demo origin http://127.0.0.1:${ORIGIN_PORT}/ (echoes what it receives)`);
console.log(`[dev] Worker http://127.0.0.1:${WORKER_PORT}/  — try:`);
console.log(`[dev]   TOKEN=$(npm run --silent token -- --aud orders-api --scope orders:read)`);
console.log(`[dev]   curl -i -H "Authorization: Bearer $TOKEN" http://127.0.0.1:${WORKER_PORT}/orders/42`);

const worker = spawnWrangler([
  "dev", "--env", "dev", "--ip", "127.0.0.1", "--port", String(WORKER_PORT),
  "--show-interactive-dev-session=false",
]);

let stopping = false;
function stop(code) {
  if (stopping) return;
  stopping = true;
  issuer.close();
  origin.close();
  if (worker.exitCode === null) worker.kill("SIGTERM");
  process.exitCode = code;
}
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));
worker.on("exit", (code) => {
  if (!stopping) console.error(`[dev] wrangler dev exited (${code ?? "signal"})`);
  stop(code ?? 0);
});
