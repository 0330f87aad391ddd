/**
 * A JWKS server on 127.0.0.1 that holds every request until the test releases it, so a test can
 * show that a response came back while a JWKS fetch was still pending (without timing anything).
 *
 * A held request whose client goes away (a fetch timeout, an abort) stops counting as held and is
 * counted in `dropped`: `held === 1` means one request is waiting on this server right now.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface GatedJwksServer {
  readonly url: string;
  /** Requests received so far. */
  readonly requests: number;
  /** Requests received, not yet answered, and still open (the client has not gone away). */
  readonly held: number;
  /** Held requests whose connection closed before they were answered. */
  readonly dropped: number;
  /** Requests answered with the released document. */
  readonly answered: number;
  /** Resolves once `count` requests are held at the same time (at once if they already are). */
  whenHeld(count: number): Promise<void>;
  /** Answers every held request (and every later one) with `jwks`. */
  release(jwks: unknown): void;
  close(): Promise<void>;
}

export async function startGatedJwksServer(): Promise<GatedJwksServer> {
  const held = new Set<ServerResponse>();
  const waiters: { count: number; resolve: () => void }[] = [];
  let released: string | undefined;
  let requests = 0;
  let dropped = 0;
  let answered = 0;

  const notify = () => {
    for (const waiter of [...waiters]) {
      if (held.size >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  const answer = (res: ServerResponse, body: string) => {
    held.delete(res);
    answered += 1;
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  };

  const server = createServer((_req, res) => {
    requests += 1;
    if (released !== undefined) {
      answer(res, released);
      return;
    }
    held.add(res);
    // 'close' also fires after a normal answer; only a close while still held is a drop.
    res.on("close", () => {
      if (held.delete(res)) dropped += 1;
    });
    notify();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    get requests() {
      return requests;
    },
    get held() {
      return held.size;
    },
    get dropped() {
      return dropped;
    },
    get answered() {
      return answered;
    },
    whenHeld(count) {
      return new Promise<void>((resolve) => {
        waiters.push({ count, resolve });
        notify();
      });
    },
    release(jwks) {
      released = JSON.stringify(jwks);
      for (const res of [...held]) answer(res, released);
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
