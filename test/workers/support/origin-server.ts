/**
 * The origin behind the Worker in tests: a real HTTP server on 127.0.0.1 that records every
 * request it receives (method, path, headers, body) and answers with a body of its own, so tests
 * can assert what crossed the Worker in both directions.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface OriginServer {
  readonly url: string;
  readonly received: ReceivedRequest[];
  close(): Promise<void>;
}

export interface OriginOptions {
  /**
   * Runs once a request has been received (and recorded) and before it is answered: a test can
   * hold the answer until something else has happened (a background JWKS fetch reaching its server).
   */
  beforeAnswer?: (request: ReceivedRequest) => Promise<void>;
}

/** Paths with a special answer: `/redirect` (302 to elsewhere); everything else echoes. */
export async function startOrigin(options: OriginOptions = {}): Promise<OriginServer> {
  const received: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const path = req.url ?? "/";
      const request: ReceivedRequest = { method: req.method ?? "", path, headers: req.headers, body };
      received.push(request);
      if (options.beforeAnswer !== undefined) await options.beforeAnswer(request);
      if (path.startsWith("/redirect")) {
        res.writeHead(302, { location: "https://elsewhere.test/landing", "x-origin": "yes" });
        res.end();
        return;
      }
      // A body in several chunks, so the client gets a streamed (chunked) answer.
      res.writeHead(201, { "content-type": "text/plain", "x-origin": "yes" });
      res.write(`origin saw ${req.method} ${path}\n`);
      res.end(`body bytes: ${Buffer.byteLength(body)}\n`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
