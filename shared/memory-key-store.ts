/**
 * The default second-level JWKS store: a Map in this process. It only matters where the first
 * level (the JWKS source's own memory) is rebuilt while the process lives on, such as a second
 * authorizer created over the same store; the Worker replaces it with Workers KV.
 */
import type { KeyStore, StoredJwks } from "./types.js";

export function createMemoryKeyStore(): KeyStore {
  const documents = new Map<string, StoredJwks>();
  return {
    get: (jwksUri) => documents.get(jwksUri),
    put: (jwksUri, value) => {
      documents.set(jwksUri, { jwks: value.jwks, fetchedAt: value.fetchedAt });
    },
  };
}
