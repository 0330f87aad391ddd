// The demo origin behind the Worker in `npm start`: it answers every request with what it
// received (method, path, identity headers, whether a bearer token reached it, body size), so
// the effect of the Worker's forwarding rules is visible in a curl call.
import { createServer } from "node:http";
import { listen } from "./dev-issuer.mjs";

export const ORIGIN_PORT = 8789;

export async function startDemoOrigin(port = ORIGIN_PORT) {
  const server = createServer((request, response) => {
    let bodyBytes = 0;
    request.on("data", (chunk) => (bodyBytes += chunk.length));
    request.on("end", () => {
      const identity = Object.fromEntries(
        Object.entries(request.headers).filter(([name]) => name.startsWith("x-auth-")),
      );
      const echo = {
        origin: "demo",
        method: request.method,
        path: request.url,
        identity,
        authorization: request.headers.authorization === undefined ? "stripped" : "present",
        bodyBytes,
      };
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(echo, null, 2) + "\n");
    });
  });
  await listen(server, port);
  return server;
}
