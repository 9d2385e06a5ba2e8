/**
 * The Socket.IO server the official socket.io-protocol test suite expects (its README,
 * "Test suite"): pingInterval 300, pingTimeout 200, maxPayload 1e6, connectTimeout
 * 1000, CORS "*", and the handlers the suite talks to. Runs in the foreground on
 * 127.0.0.1:$PORT (default 3000). Written as socket.io's reference configuration,
 * with only the import changed.
 *
 *   npm run conformance:socketio
 *   # elsewhere: cd <socket.io-protocol>/test-suite && npm install && npx mocha test-suite.js
 */
import { createServer } from "node:http";
import { Server } from "../src/index.js";

const port = Number(process.env.PORT ?? 3000);
const httpServer = createServer((_req, res) => {
  res.writeHead(404).end();
});

const io = new Server(httpServer, {
  pingInterval: 300,
  pingTimeout: 200,
  maxHttpBufferSize: 1e6,
  connectTimeout: 1000,
  cors: { origin: "*" },
});

io.on("connection", (socket) => {
  socket.emit("auth", socket.handshake.auth);

  socket.on("message", (...args: unknown[]) => {
    socket.emit("message-back", ...args);
  });

  socket.on("message-with-ack", (...args: unknown[]) => {
    const ack = args.pop() as (...a: unknown[]) => void;
    ack(...args);
  });
});

io.of("/custom").on("connection", (socket) => {
  socket.emit("auth", socket.handshake.auth);
});

httpServer.listen(port, "127.0.0.1", () => {
  console.log(`socket.io conformance server on http://127.0.0.1:${port}/socket.io/`);
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    void io.close().then(() => process.exit(0));
  });
}
