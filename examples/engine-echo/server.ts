/**
 * A tiny Engine.IO echo server: every message a client sends comes back to it.
 *
 *   PORT=5000 npm start
 *
 * Connect with engine.io-client: `new Socket("ws://127.0.0.1:5000")`.
 */
import { createServer } from "node:http";
import { EngineServer } from "../../src/engine/index.js";

const port = Number(process.env.PORT ?? 5000);
const httpServer = createServer((_req, res) => {
  res.writeHead(200, { "Content-Type": "text/plain" });
  res.end("pushwire engine echo: connect an Engine.IO v4 client to /engine.io/\n");
});
const engine = new EngineServer(httpServer);

engine.on("connection", (session) => {
  session.onmessage = (data) => session.send(data);
});

httpServer.listen(port, "127.0.0.1", () => {
  console.log(`engine echo listening on http://127.0.0.1:${port}/engine.io/`);
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    engine.close();
    httpServer.close(() => process.exit(0));
    httpServer.closeAllConnections();
  });
}
