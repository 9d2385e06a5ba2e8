// Three pushwire processes behind one port, joined by Redis.
//
//   REDIS_URL=redis://127.0.0.1:6379 PORT=3000 npx tsx examples/cluster/server.ts
//
// Open http://127.0.0.1:3000 in several browsers: each page says which worker serves
// it, and a chat message reaches every page whatever its worker. With `--standalone`
// it runs a single node on PORT (for nginx, see nginx.conf).
import cluster from "node:cluster";
import { createServer } from "node:http";
import { Server } from "../../src/index.js";
import { redisMessageQueue, type RedisAdapter } from "../../src/adapter/redis/index.js";
import { acceptFromPrimary, startPrimary } from "./sticky.js";

const PORT = Number(process.env.PORT ?? 3000);
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const WORKERS = Number(process.env.WORKERS ?? 3);
const standalone = process.argv.includes("--standalone");

const page = `<!doctype html>
<meta charset="utf-8"><title>pushwire cluster</title>
<p id="who">connecting...</p>
<form id="f"><input id="m" autocomplete="off"><button>send</button></form>
<ul id="log"></ul>
<script src="/socket.io/socket.io.js"></script>
<script>
  const socket = io();
  const log = (text) => {
    const li = document.createElement("li");
    li.textContent = text;
    document.getElementById("log").append(li);
  };
  socket.on("welcome", (worker) => (document.getElementById("who").textContent = "served by " + worker));
  socket.on("chat", (worker, text) => log(worker + ": " + text));
  document.getElementById("f").onsubmit = (e) => {
    e.preventDefault();
    socket.emit("chat", document.getElementById("m").value);
    document.getElementById("m").value = "";
  };
</script>`;

function startNode(): void {
  const name = `worker ${process.env.WORKER_SLOT ?? "standalone"} (pid ${process.pid})`;
  const mq = redisMessageQueue(REDIS_URL);
  const http = createServer((req, res) => {
    if (req.url === "/") res.setHeader("content-type", "text/html").end(page);
  });
  const io = new Server(http, { adapter: mq.adapter });
  (io.of("/").adapter as unknown as RedisAdapter).on("degraded", ({ reason }) =>
    console.warn(`${name}: Redis unreachable (${reason}); serving local clients only`),
  );
  io.on("connection", (socket) => {
    socket.emit("welcome", name);
    socket.on("chat", (text: string) => io.emit("chat", name, String(text).slice(0, 500)));
  });
  if (standalone) http.listen(PORT, "127.0.0.1", () => console.log(`${name} on :${PORT}`));
  else acceptFromPrimary(http);
  const stop = (): void =>
    void io
      .close()
      .then(() => mq.close())
      .then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

if (standalone || !cluster.isPrimary) startNode();
else {
  const stop = startPrimary(WORKERS, PORT);
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  console.log(`${WORKERS} workers behind http://127.0.0.1:${PORT} (Redis ${REDIS_URL})`);
}
