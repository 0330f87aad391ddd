#!/usr/bin/env node
// `npm run token -- --aud orders-api --scope orders:read [--sub alice] [--ttl 300] [--claim k=v]`
// Prints one access token signed by the development issuer (the key `npm start` serves), nothing
// else, so that `TOKEN=$(npm run --silent token -- ...)` works.
import { parseArgs } from "node:util";
import { mintToken } from "./dev-issuer.mjs";

const usage = "usage: npm run token -- --aud AUDIENCE [--scope SCOPE]... [--sub SUBJECT] [--ttl SECONDS] [--claim NAME=VALUE]...";

let values;
try {
  ({ values } = parseArgs({
    options: {
      aud: { type: "string", multiple: true },
      scope: { type: "string", multiple: true },
      sub: { type: "string" },
      ttl: { type: "string" },
      claim: { type: "string", multiple: true },
      help: { type: "boolean", short: "h" },
    },
  }));
} catch (error) {
  console.error(`${error.message}\n${usage}`);
  process.exit(2);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}

const ttlSeconds = values.ttl === undefined ? 600 : Number(values.ttl);
if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
  console.error(`--ttl must be a positive number of seconds\n${usage}`);
  process.exit(2);
}
const claims = {};
for (const pair of values.claim ?? []) {
  const eq = pair.indexOf("=");
  if (eq <= 0) {
    console.error(`--claim takes NAME=VALUE\n${usage}`);
    process.exit(2);
  }
  claims[pair.slice(0, eq)] = pair.slice(eq + 1);
}
// `--scope "a b"` and `--scope a --scope b` both give the scope claim "a b".
const scopes = (values.scope ?? []).flatMap((s) => s.split(/\s+/)).filter((s) => s !== "");

const token = await mintToken({
  audience: values.aud ?? [],
  scopes,
  subject: values.sub ?? "dev-user",
  ttlSeconds,
  claims,
});
process.stdout.write(`${token}\n`);
