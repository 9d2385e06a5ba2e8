// Three pushwire servers in three processes joined by Redis, with socket.io-client
// clients on each: everything the socket.io API does across a cluster.
import { Emitter as TheirEmitter } from "@socket.io/redis-emitter";
import { createClient } from "redis";
import { io as connect, type Socket as ClientSocket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedis, type RedisServer } from "../support/redis-server.js";
import { until } from "./fake-host.js";
import { spawnNode, type NodeProcess } from "./spawn.js";

let redis: RedisServer;
let nodes: NodeProcess[] = [];
/** Two clients per node: one over WebSocket, one over polling. */
let clients: ClientSocket[][] = [];

function received(socket: ClientSocket, event: string): unknown[][] {
  const list: unknown[][] = [];
  socket.on(event, (...args: unknown[]) => list.push(args));
  return list;
}

beforeAll(async () => {
  redis = await startRedis();
  nodes = await Promise.all(
    ["n0", "n1", "n2"].map((name) =>
      spawnNode("./server-node.ts", { REDIS_PATH: redis.socketPath, NODE_NAME: name }),
    ),
  );
  await until(async () => {
    for (const n of nodes)
      expect((await n.call<{ nodes: string[] }>("state")).nodes).toHaveLength(2);
  }, 5000);
  clients = nodes.map((n) =>
    (["websocket", "polling"] as const).map((transport) =>
      connect(`http://127.0.0.1:${n.port}`, { transports: [transport], reconnection: false }),
    ),
  );
  await Promise.all(
    clients
      .flat()
      .map((c) => new Promise<void>((r) => (c.connected ? r() : c.once("connect", () => r())))),
  );
});

afterAll(async () => {
  for (const c of clients.flat()) c.disconnect();
  for (const n of nodes) n.child.kill("SIGKILL");
  await redis?.close();
});

describe("three pushwire servers over Redis", () => {
  it("broadcasts from one node to the clients of every node", async () => {
    const got = clients.flat().map((c) => received(c, "news"));
    await nodes[1]!.call("emit", { event: "news", args: [{ n: 1 }] });
    await until(() => got.every((g) => g.length === 1));
    expect(got.flat()).toEqual(Array(6).fill([{ n: 1 }]));
  });

  it("delivers to a room across nodes and socket.broadcast leaves out the sender", async () => {
    const [a, b, c] = [clients[0]![0]!, clients[1]![1]!, clients[2]![0]!];
    for (const s of [a, b, c]) s.emit("join", "chat-room");
    await until(async () => {
      const { sockets } = await nodes[0]!.call<{ sockets: unknown[] }>("fetch", {
        room: "chat-room",
      });
      expect(sockets).toHaveLength(3);
    });
    const inRoom = [a, b, c].map((s) => received(s, "room-msg"));
    const outside = received(clients[1]![0]!, "room-msg");
    await nodes[2]!.call("emit", { room: "chat-room", event: "room-msg", args: ["hi"] });
    await until(() => inRoom.every((g) => g.length === 1));
    const chats = clients.flat().map((s) => received(s, "chat"));
    a.emit("chat", "from a");
    await until(() => chats.filter((g) => g.length === 1).length === 5);
    expect(chats[0]).toEqual([]); // the sender
    expect(outside).toEqual([]);
  });

  it("gathers broadcast acks from the clients of every node", async () => {
    clients.flat().forEach((s, i) => s.on("poll", (ack: (v: string) => void) => ack(`c${i}`)));
    const { responses } = await nodes[0]!.call<{ responses: string[] }>("emitWithAck", {
      event: "poll",
    });
    expect(responses.sort()).toEqual(["c0", "c1", "c2", "c3", "c4", "c5"]);
  });

  it("fetches remote sockets whose emit and join act on the node that holds them", async () => {
    const { sockets } = await nodes[2]!.call<{ sockets: { id: string; data: { node: string } }[] }>(
      "fetch",
    );
    expect(sockets).toHaveLength(6);
    expect(sockets.map((s) => s.data.node).sort()).toEqual(["n0", "n0", "n1", "n1", "n2", "n2"]);
    const target = clients[0]![1]!;
    target.emit("join", "vip");
    await until(async () => {
      const { sockets: vip } = await nodes[1]!.call<{ sockets: unknown[] }>("fetch", {
        room: "vip",
      });
      expect(vip).toHaveLength(1);
    });
    const direct = received(target, "direct");
    expect((await nodes[1]!.call<{ count: number }>("remote", { room: "vip" })).count).toBe(1);
    await until(() => direct.length === 1);
    expect(direct[0]).toEqual(["n1"]);
    await until(async () => {
      const { sockets: moved } = await nodes[2]!.call<{ sockets: unknown[] }>("fetch", {
        room: "moved",
      });
      expect(moved).toHaveLength(1);
    });
  });

  it("makes the sockets of every node join a room", async () => {
    await nodes[0]!.call("join", { args: ["everyone"] });
    await until(async () => {
      const { sockets } = await nodes[1]!.call<{ sockets: unknown[] }>("fetch", {
        room: "everyone",
      });
      expect(sockets).toHaveLength(6);
    });
  });

  it("answers serverSideEmitWithAck from every other node", async () => {
    const { answers } = await nodes[1]!.call<{ answers: string[] }>("whoami");
    expect(answers.sort()).toEqual(["n0", "n2"]);
  });

  it("delivers what @socket.io/redis-emitter publishes to pushwire clients on every node", async () => {
    const pub = createClient({ socket: { path: redis.socketPath, tls: false } });
    await pub.connect();
    try {
      const got = clients.flat().map((c) => received(c, "from-worker"));
      new TheirEmitter(pub).emit("from-worker", { job: 42 });
      await until(() => got.every((g) => g.length === 1));
      expect(got[5]).toEqual([[{ job: 42 }]]);
    } finally {
      pub.destroy();
    }
  });

  it("disconnects the targeted clients of every node", async () => {
    const victims = [clients[0]![0]!, clients[2]![1]!];
    for (const v of victims) v.emit("join", "banned");
    await until(async () => {
      const { sockets } = await nodes[1]!.call<{ sockets: unknown[] }>("fetch", { room: "banned" });
      expect(sockets).toHaveLength(2);
    });
    await nodes[1]!.call("kick", { room: "banned" });
    await until(() => victims.every((v) => !v.connected));
    expect(clients[1]![0]!.connected).toBe(true);
    for (const n of nodes) expect(n.child.exitCode).toBeNull();
  });
});
