/**
 * The bare Engine.IO server the official engine.io-protocol test suite expects
 * (its README, "Test suite"): path /engine.io/, pingInterval 300, pingTimeout 200,
 * maxPayload 1e6, CORS "*", every message echoed. Runs in the foreground on
 * 127.0.0.1:$PORT (default 3000).
 *
 *   npm run conformance:engine
 *   # elsewhere: cd <engine.io-protocol>/test-suite && npm install && npx mocha test-suite.js
 */
import { createServer } from "node:http";
import { EngineServer } from "../src/engine/index.js";

const port = Number(process.env.PORT ?? 3000);
const httpServer = createServer((_req, res) => {
  res.writeHead(404).end();
});
const engine = new EngineServer(httpServer, {
  pingInterval: 300,
  pingTimeout: 200,
  maxHttpBufferSize: 1e6,
  cors: { origin: "*" },
});

engine.on("connection", (session) => {
  session.onmessage = (data) => session.send(data);
});

httpServer.listen(port, "127.0.0.1", () => {
  console.log(`engine.io conformance server on http://127.0.0.1:${port}/engine.io/`);
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    engine.close();
    httpServer.close(() => process.exit(0));
    httpServer.closeAllConnections();
  });
}
