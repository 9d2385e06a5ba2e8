// One cluster node in its own process, for tests that SIGKILL nodes or Redis: the
// Redis adapter over a namespace without a server (FakeHost), driven over IPC.
import { createClient } from "redis";
import {
  createRedisAdapter,
  reconnectStrategy,
  type RedisAdapter,
} from "../../src/adapter/redis/index.js";
import { FakeHost, type FakeSocket } from "./fake-host.js";

process.on("uncaughtException", (err) => {
  console.error("fake-node crashed:", err);
  process.exit(70);
});

const redisPath = process.env.REDIS_PATH!;
const interval = Number(process.env.HB_INTERVAL ?? 200);
const client = createClient({ socket: { path: redisPath, tls: false, reconnectStrategy } });
client.on("error", () => {});
await client.connect();

const host = new FakeHost("/");
const adapter = createRedisAdapter(client, {
  heartbeatInterval: interval,
  heartbeatTimeout: interval * 3,
  requestsTimeout: Number(process.env.REQUESTS_TIMEOUT ?? 3000),
  log: () => {},
})(host) as RedisAdapter;
host.adapter = adapter;
await adapter.init();
const sockets: FakeSocket[] = [];

type Command =
  | { id: number; cmd: "connect"; rooms: string[] }
  | { id: number; cmd: "broadcast"; data: unknown[]; rooms?: string[] }
  | { id: number; cmd: "received" }
  | { id: number; cmd: "fetch" }
  | { id: number; cmd: "state" };

process.on("message", (msg: Command) => {
  const reply = (body: object): void => void process.send!({ id: msg.id, ...body });
  switch (msg.cmd) {
    case "connect": {
      const socket = host.connect(...msg.rooms);
      sockets.push(socket);
      reply({ sid: socket.id });
      return;
    }
    case "broadcast":
      adapter.broadcast({ type: 2, nsp: "/", data: msg.data }, { rooms: new Set(msg.rooms ?? []) });
      reply({});
      return;
    case "received":
      reply({
        received: Object.fromEntries(sockets.map((s) => [s.id, s.received.map((r) => r.data)])),
      });
      return;
    case "fetch": {
      const started = performance.now();
      adapter.fetchSockets({ rooms: new Set() }).then(
        (found) =>
          reply({
            ids: (found as { id: string }[]).map((s) => s.id),
            elapsed: performance.now() - started,
          }),
        (err: { code: string; message: string }) =>
          reply({ code: err.code, message: err.message, elapsed: performance.now() - started }),
      );
      return;
    }
    case "state":
      reply({
        uid: adapter.uid,
        reachable: adapter.reachable,
        nodes: adapter.nodes,
        stats: adapter.stats,
      });
      return;
  }
});
process.send!({ ready: true, uid: adapter.uid, port: 0 });
