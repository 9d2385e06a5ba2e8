// A mixed cluster: a socket.io 4 server with the official @socket.io/redis-adapter and a
// pushwire node share broadcasts, room changes, disconnects and fetchSockets.
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdapter as theirAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";
import { Server as SocketIOServer } from "socket.io";
import { io as connect, type Socket as ClientSocket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisAdapter, reconnectStrategy } from "../../src/adapter/redis/index.js";
import { startRedis, type RedisServer } from "../support/redis-server.js";
import { FakeHost, until } from "./fake-host.js";

type Client = ReturnType<typeof createClient>;
let redis: RedisServer;
let http: HttpServer;
let sio: SocketIOServer;
let ours: FakeHost;
let client: ClientSocket;
const clients: Client[] = [];

async function redisClient(): Promise<Client> {
  const c = createClient({ socket: { path: redis.socketPath, tls: false, reconnectStrategy } });
  c.on("error", () => {});
  await c.connect();
  clients.push(c);
  return c;
}

beforeAll(async () => {
  redis = await startRedis();
  const [pub, sub] = [await redisClient(), await redisClient()];
  http = createServer();
  sio = new SocketIOServer(http, { adapter: theirAdapter(pub, sub, { requestsTimeout: 1500 }) });
  sio.on("connection", (socket) => {
    socket.data = { from: "socket.io" };
    void socket.join("shared");
  });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  ours = new FakeHost("/");
  ours.adapter = createRedisAdapter(await redisClient(), { log: () => {} })(ours);
  await ours.adapter.init();
  client = connect(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, {
    transports: ["websocket"],
  });
  await new Promise<void>((r) => client.once("connect", () => r()));
});

afterAll(async () => {
  client?.disconnect();
  await ours?.adapter.close();
  await new Promise<void>((r) => sio.close(() => r()));
  await Promise.all(clients.map((c) => c.destroy()));
  await redis.close();
});

describe("mixed cluster with socket.io's Redis adapter", () => {
  it("carries broadcasts both ways", async () => {
    const mine = ours.connect("shared");
    const got: unknown[] = [];
    client.on("from-pushwire", (...args) => got.push(args));
    ours.adapter.broadcast(
      { type: 2, nsp: "/", data: ["from-pushwire", { a: 1 }] },
      { rooms: new Set(["shared"]) },
    );
    sio.to("shared").emit("from-socketio", 2);
    await until(() => got.length === 1 && mine.received.length === 2);
    expect(got).toEqual([[{ a: 1 }]]);
    expect(mine.events()).toEqual(["from-pushwire", "from-socketio"]);
  });

  it("lets socket.io fetch and act on pushwire's sockets", async () => {
    const mine = ours.connect("shared");
    mine.data = { from: "pushwire" };
    const sockets = await sio.in("shared").fetchSockets();
    const remote = sockets.find((s) => s.id === mine.id);
    expect(remote?.data).toEqual({ from: "pushwire" });
    expect(sockets.some((s) => (s.data as { from?: string }).from === "socket.io")).toBe(true);
    sio.in(mine.id).socketsJoin("joined-by-socketio");
    await until(() => mine.rooms.has("joined-by-socketio"));
    sio.in(mine.id).disconnectSockets();
    await until(() => mine.disconnected === "keep");
  });

  it("lets pushwire make socket.io's sockets join rooms", async () => {
    const joined = new Promise<void>((r) => client.once("in-new-room", () => r()));
    ours.adapter.addSockets({ rooms: new Set(["shared"]) }, ["new-room"]);
    await until(() => sio.of("/").adapter.rooms.get("new-room")?.size === 1);
    sio.to("new-room").emit("in-new-room");
    await joined;
  });
});
