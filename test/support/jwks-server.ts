/**
 * A real JWKS server on 127.0.0.1 (node:http, port 0) that serves a document and misbehaves on
 * command, for tests of the JWKS source, the adapters and the fault suite.
 *
 *   const server = await startJwksServer({ jwks: jwksOf(key) });
 *   server.url                         // http://127.0.0.1:PORT/.well-known/jwks.json
 *   server.behave({ kind: "hang" })    // every following request (until changed)
 *   server.queue({ kind: "status", status: 500 }, { kind: "serve" }) // the next requests, in order
 *   server.setJwks(jwksOf(newKey))     // rotation
 *   server.requests                    // requests received on the JWKS path so far
 *   await server.close()               // also drops hanging and endless responses
 *
 * Every request to any path is counted in `requestLog`; `requests` counts only the JWKS path.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type JwksServerBehavior =
  /** The current document, HTTP 200, `application/json` with a Content-Length. */
  | { kind: "serve" }
  /** The current document after `ms` milliseconds (slow past a timeout). */
  | { kind: "delay"; ms: number }
  /** Accept the request and never answer. */
  | { kind: "hang" }
  /** Headers and the first half of the document, then nothing more (a stalled body). */
  | { kind: "stall-body" }
  /** Any status, with an optional body (404, 500, 503, ...). */
  | { kind: "status"; status: number; body?: string; contentType?: string }
  /** A literal body with status 200 unless given (HTML, JSON that is not a JWKS, ...). */
  | { kind: "body"; body: string | Uint8Array; contentType?: string; status?: number }
  /** An HTML error page with status 200 (a captive portal or a misrouted proxy). */
  | { kind: "html" }
  /** The current document cut off in the middle (valid Content-Length for what is sent). */
  | { kind: "truncated" }
  /** A JSON body of `bytes` bytes; with `declareLength` a Content-Length, else chunked. */
  | { kind: "oversized"; bytes: number; declareLength: boolean }
  /** A chunked body that never ends (it stops when the client goes away). */
  | { kind: "endless" }
  /** A redirect (302 unless given) to `location`, with the current document as body. */
  | { kind: "redirect"; location: string; status?: number }
  /** Destroy the connection without answering. */
  | { kind: "close" };

export interface JwksServerRequest {
  method: string;
  path: string;
  accept: string | undefined;
}

export interface JwksServer {
  /** The JWKS URL (`origin` + `path`). */
  readonly url: string;
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  /** Requests received on the JWKS path. */
  readonly requests: number;
  /** Every request received, on any path, in order. */
  readonly requestLog: readonly JwksServerRequest[];
  /** Serve this document from now on (a rotation). */
  setJwks(jwks: unknown): void;
  /** Apply `behavior` to every following request until changed (default `{ kind: "serve" }`). */
  behave(behavior: JwksServerBehavior): void;
  /** One-shot behaviors for the next requests, in order, before the persistent one applies again. */
  queue(...behaviors: JwksServerBehavior[]): void;
  /** Closes the listener and every open connection (hanging and endless responses included). */
  close(): Promise<void>;
}

export interface JwksServerOptions {
  jwks?: unknown;
  /** Path of the JWKS; default `/.well-known/jwks.json`. */
  path?: string;
}

export async function startJwksServer(options: JwksServerOptions = {}): Promise<JwksServer> {
  const path = options.path ?? "/.well-known/jwks.json";
  let jwks: unknown = options.jwks ?? { keys: [] };
  let persistent: JwksServerBehavior = { kind: "serve" };
  const pending: JwksServerBehavior[] = [];
  const log: JwksServerRequest[] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const sockets = new Set<Socket>();
  let requests = 0;

  const server = createServer((req, res) => {
    const requestPath = req.url ?? "/";
    log.push({ method: req.method ?? "", path: requestPath, accept: req.headers.accept });
    if (requestPath !== path) {
      send(res, 404, "application/json", '{"error":"not found"}');
      return;
    }
    requests += 1;
    respond(req, res, pending.shift() ?? persistent);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  function documentText(): string {
    return JSON.stringify(jwks);
  }

  function respond(req: IncomingMessage, res: ServerResponse, behavior: JwksServerBehavior): void {
    switch (behavior.kind) {
      case "serve":
        send(res, 200, "application/json", documentText());
        return;
      case "delay": {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!res.destroyed) send(res, 200, "application/json", documentText());
        }, behavior.ms);
        timers.add(timer);
        return;
      }
      case "hang":
        return;
      case "stall-body": {
        const text = documentText();
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
        res.write(text.slice(0, Math.floor(text.length / 2)));
        return;
      }
      case "status":
        send(res, behavior.status, behavior.contentType ?? "text/plain", behavior.body ?? "");
        return;
      case "body":
        send(res, behavior.status ?? 200, behavior.contentType ?? "application/json", behavior.body);
        return;
      case "html":
        send(res, 200, "text/html", "<!doctype html><html><body><h1>Sign in to the network</h1></body></html>");
        return;
      case "truncated": {
        const text = documentText();
        send(res, 200, "application/json", text.slice(0, Math.floor(text.length / 2)));
        return;
      }
      case "oversized": {
        const body = `{"keys":[],"padding":"${"x".repeat(Math.max(0, behavior.bytes - 24))}"}`;
        if (behavior.declareLength) {
          send(res, 200, "application/json", body);
        } else {
          res.writeHead(200, { "content-type": "application/json" }); // chunked
          streamChunks(res, body);
        }
        return;
      }
      case "endless":
        res.writeHead(200, { "content-type": "application/json" });
        res.write('{"keys":[');
        pumpForever(res);
        return;
      case "redirect":
        res.writeHead(behavior.status ?? 302, { location: behavior.location, "content-type": "application/json" });
        res.end(documentText());
        return;
      case "close":
        req.socket.destroy();
        return;
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    url: origin + path,
    origin,
    get requests() {
      return requests;
    },
    get requestLog() {
      return log;
    },
    setJwks(next) {
      jwks = next;
    },
    behave(behavior) {
      persistent = behavior;
    },
    queue(...behaviors) {
      pending.push(...behaviors);
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback URL where nothing listens: fetching it is refused at once. */
export async function refusedUrl(path = "/.well-known/jwks.json"): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}${path}`;
}

function send(res: ServerResponse, status: number, contentType: string, body: string | Uint8Array): void {
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

const CHUNK = Buffer.alloc(16 * 1024, " ");

/** Writes `body` in 16 KiB chunks, honouring back-pressure, until done or the client leaves. */
function streamChunks(res: ServerResponse, body: string): void {
  const bytes = Buffer.from(body);
  let offset = 0;
  const pump = (): void => {
    while (!res.destroyed && offset < bytes.length) {
      const next = bytes.subarray(offset, offset + CHUNK.length);
      offset += next.length;
      if (!res.write(next)) {
        res.once("drain", pump);
        return;
      }
    }
    if (!res.destroyed) res.end();
  };
  pump();
}

/** Writes whitespace for ever (valid inside JSON), until the client goes away. */
function pumpForever(res: ServerResponse): void {
  const pump = (): void => {
    while (!res.destroyed) {
      if (!res.write(CHUNK)) {
        res.once("drain", pump);
        return;
      }
    }
  };
  res.on("error", () => undefined);
  pump();
}
