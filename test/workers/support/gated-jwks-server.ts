/**
 * A JWKS server on 127.0.0.1 that holds every request until the test releases it, so a test can
 * show that a response came back while a JWKS fetch was still pending (without timing anything).
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface GatedJwksServer {
  readonly url: string;
  /** Requests received so far. */
  readonly requests: number;
  /** Requests received and not yet answered. */
  readonly held: number;
  /** Answers every held request (and every later one) with `jwks`. */
  release(jwks: unknown): void;
  close(): Promise<void>;
}

export async function startGatedJwksServer(): Promise<GatedJwksServer> {
  const held: ServerResponse[] = [];
  let released: string | undefined;
  let requests = 0;
  const server = createServer((_req, res) => {
    requests += 1;
    if (released === undefined) held.push(res);
    else answer(res, released);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    get requests() {
      return requests;
    },
    get held() {
      return held.length;
    },
    release(jwks) {
      released = JSON.stringify(jwks);
      for (const res of held.splice(0)) answer(res, released);
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function answer(res: ServerResponse, body: string): void {
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}
