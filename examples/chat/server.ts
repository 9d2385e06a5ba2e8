/**
 * The chat on http://127.0.0.1:$PORT (default 3001): the page at /, Socket.IO at
 * /socket.io/ (with the client bundle at /socket.io/socket.io.js).
 *
 *   npx tsx examples/chat/server.ts
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { startChat } from "./chat.js";

const page = readFileSync(new URL("./index.html", import.meta.url));
const httpServer = createServer((req, res) => {
  if (req.url === "/" || req.url === "/index.html") {
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(page);
  } else res.writeHead(404).end();
});
const io = startChat(httpServer);
const port = Number(process.env.PORT ?? 3001);
httpServer.listen(port, "127.0.0.1", () => console.log(`chat on http://127.0.0.1:${port}/`));

process.on("SIGINT", () => {
  void io.close().then(() => process.exit(0));
});
