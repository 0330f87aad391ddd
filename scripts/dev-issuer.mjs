// The development issuer: one ES256 key pair, generated on first use and kept under .wrangler/
// (git-ignored) so tokens minted before a restart stay valid; a JWKS endpoint for the Worker; and
// the minting used by `npm run token`. For local use only: anyone with the file can mint tokens.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT } from "jose";

export const ISSUER_PORT = 8788;
export const ISSUER = `http://127.0.0.1:${ISSUER_PORT}/`;
export const JWKS_PATH = "/.well-known/jwks.json";
const ALG = "ES256";
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const KEY_FILE = join(ROOT, ".wrangler", "dev-issuer", "key.json");

/** The persisted private JWK, created on first use. */
export async function loadOrCreateKey() {
  try {
    return JSON.parse(await readFile(KEY_FILE, "utf8"));
  } catch (error) {
    if (error.code !== "ENOENT") throw error;
  }
  const { privateKey } = await generateKeyPair(ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  jwk.kid = await calculateJwkThumbprint(jwk);
  jwk.alg = ALG;
  jwk.use = "sig";
  await mkdir(dirname(KEY_FILE), { recursive: true });
  // `wx`: if another process (npm start / npm run token) won the race, use its key instead.
  try {
    await writeFile(KEY_FILE, JSON.stringify(jwk, null, 2), { mode: 0o600, flag: "wx" });
  } catch (error) {
    if (error.code === "EEXIST") return JSON.parse(await readFile(KEY_FILE, "utf8"));
    throw error;
  }
  return jwk;
}

export function publicJwks(privateJwk) {
  const { d: _private, ...publicJwk } = privateJwk;
  return { keys: [publicJwk] };
}

/** Mints an RFC 9068 access token (`typ: at+jwt`) for the development issuer. */
export async function mintToken({ audience, scopes = [], subject = "dev-user", ttlSeconds = 600, claims = {} }) {
  const privateJwk = await loadOrCreateKey();
  const key = await importJWK(privateJwk, ALG);
  const jwt = new SignJWT({ ...claims, client_id: "dev-client", ...(scopes.length > 0 ? { scope: scopes.join(" ") } : {}) })
    .setProtectedHeader({ alg: ALG, kid: privateJwk.kid, typ: "at+jwt" })
    .setIssuer(ISSUER)
    .setSubject(subject)
    .setIssuedAt()
    .setJti(crypto.randomUUID())
    .setExpirationTime(`${ttlSeconds}s`);
  if (audience.length > 0) jwt.setAudience(audience.length === 1 ? audience[0] : audience);
  return jwt.sign(key);
}

/** Serves the JWKS on 127.0.0.1; resolves once listening. */
export async function startIssuer(port = ISSUER_PORT) {
  const jwks = JSON.stringify(publicJwks(await loadOrCreateKey()));
  const server = createServer((request, response) => {
    if (request.method === "GET" && request.url === JWKS_PATH) {
      response.writeHead(200, { "content-type": "application/jwk-set+json", "cache-control": "max-age=300" });
      response.end(jwks);
      return;
    }
    response.writeHead(404, { "content-type": "application/json" });
    response.end(JSON.stringify({ error: "not_found", jwks_uri: `${ISSUER.slice(0, -1)}${JWKS_PATH}` }));
  });
  await listen(server, port);
  return server;
}

export function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
}
