// One pushwire Server with the Redis adapter in its own process, for the end-to-end
// cluster suite: clients connect with socket.io-client; the parent drives it over IPC.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createClient } from "redis";
import { Server } from "../../src/index.js";
import {
  createRedisAdapter,
  reconnectStrategy,
  type RedisAdapter,
} from "../../src/adapter/redis/index.js";

process.on("uncaughtException", (err) => {
  console.error("server-node crashed:", err);
  process.exit(70);
});

const client = createClient({
  socket: { path: process.env.REDIS_PATH!, tls: false, reconnectStrategy },
});
client.on("error", () => {});
await client.connect();
const name = process.env.NODE_NAME!;
const http = createServer();
const io = new Server(http, {
  adapter: createRedisAdapter(client, {
    heartbeatInterval: 200,
    heartbeatTimeout: 600,
    requestsTimeout: 2000,
    log: () => {},
  }),
});
io.on("connection", (socket) => {
  socket.data = { node: name };
  socket.on("join", (room: string) => void socket.join(room));
  socket.on("chat", (text: string) => void socket.broadcast.emit("chat", text));
});
io.on("whoami", (reply: (answer: string) => void) => reply(name));
await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
const adapter = io.of("/").adapter as unknown as RedisAdapter;

type Command = { id: number; cmd: string; room?: string; event?: string; args?: unknown[] };
process.on("message", (msg: Command) => {
  const reply = (body: object): void => void process.send!({ id: msg.id, ...body });
  const fail = (err: { code?: string; message: string }): void =>
    reply({ error: err.code ?? err.message });
  const target = msg.room ? io.to(msg.room) : io;
  switch (msg.cmd) {
    case "emit":
      target.emit(msg.event!, ...(msg.args ?? []));
      return reply({});
    case "emitWithAck":
      return void io
        .timeout(1500)
        .emitWithAck(msg.event!)
        .then((responses) => reply({ responses }), fail);
    case "fetch":
      return void target.fetchSockets().then(
        (sockets) =>
          reply({
            sockets: sockets.map((s) => ({ id: s.id, data: s.data, rooms: [...s.rooms] })),
          }),
        fail,
      );
    case "remote": // act on each fetched socket through its RemoteSocket methods
      return void io
        .in(msg.room!)
        .fetchSockets()
        .then((sockets) => {
          for (const s of sockets) {
            s.emit("direct", name);
            s.join("moved");
          }
          reply({ count: sockets.length });
        }, fail);
    case "kick":
      io.in(msg.room!).disconnectSockets(true);
      return reply({});
    case "join":
      (msg.room ? io.in(msg.room) : io).socketsJoin(msg.args as string[]);
      return reply({});
    case "whoami":
      return void io.serverSideEmitWithAck("whoami").then((answers) => reply({ answers }), fail);
    case "state":
      return reply({
        uid: adapter.uid,
        reachable: adapter.reachable,
        nodes: adapter.nodes,
        stats: adapter.stats,
      });
  }
});
process.send!({ ready: true, port: (http.address() as AddressInfo).port, uid: adapter.uid });
