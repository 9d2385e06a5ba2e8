// One adapter contract, run against the in-memory adapter (every "node" is the same
// one) and the Redis adapter (three nodes, each with its own Redis connections).
import { createClient } from "redis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Adapter } from "../../src/adapter/index.js";
import { createRedisAdapter, reconnectStrategy } from "../../src/adapter/redis/index.js";
import { startRedis, type RedisServer } from "../support/redis-server.js";
import { FakeHost, until } from "./fake-host.js";

interface Cluster {
  /** Three namespace views; for the in-memory adapter, the same one thrice. */
  nodes: FakeHost[];
  /** How many distinct nodes the cluster has. */
  distinct: number;
  close(): Promise<void>;
}

let redis: RedisServer;
const clients: ReturnType<typeof createClient>[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.destroy()));
  await redis.close();
});

const FAST = {
  heartbeatInterval: 100,
  heartbeatTimeout: 400,
  requestsTimeout: 1500,
  log: () => {},
};

async function redisCluster(nsps: string[] = ["/"]): Promise<Cluster & { byNsp: FakeHost[][] }> {
  const byNsp: FakeHost[][] = nsps.map(() => []);
  for (let i = 0; i < 3; i++) {
    const pub = createClient({ socket: { path: redis.socketPath, tls: false, reconnectStrategy } });
    pub.on("error", () => {});
    await pub.connect();
    clients.push(pub);
    const factory = createRedisAdapter(pub, FAST);
    for (const [n, nsp] of nsps.entries()) {
      const host = new FakeHost(nsp);
      host.adapter = factory(host);
      await host.adapter.init();
      byNsp[n]!.push(host);
    }
  }
  const all = byNsp.flat();
  await until(async () => {
    for (const host of all) expect(await host.adapter.serverCount()).toBe(3);
  });
  return {
    nodes: byNsp[0]!,
    byNsp,
    distinct: 3,
    close: async () => {
      await Promise.all(all.map((h) => h.adapter.close()));
    },
  };
}

function memoryCluster(nsps: string[] = ["/"]): Cluster & { byNsp: FakeHost[][] } {
  const byNsp = nsps.map((nsp) => {
    const host = new FakeHost(nsp);
    host.adapter = new Adapter(host);
    return [host, host, host];
  });
  return { nodes: byNsp[0]!, byNsp, distinct: 1, close: () => Promise.resolve() };
}

const kinds = {
  "in-memory": memoryCluster,
  redis: redisCluster,
} as const;

for (const [kind, make] of Object.entries(kinds)) {
  describe(`adapter contract (${kind})`, () => {
    let cluster: Cluster & { byNsp: FakeHost[][] };
    afterEach(async () => {
      await cluster?.close();
    });

    it("broadcasts to every socket of every node", async () => {
      cluster = await make();
      const [a, b, c] = cluster.nodes.map((n) => n.connect());
      cluster.nodes[1]!.adapter.broadcast(
        { type: 2, nsp: "/", data: ["news", { n: 1 }] },
        { rooms: new Set() },
      );
      await until(() => [a, b, c].every((s) => s!.received.length === 1));
      expect(a!.received[0]!.data).toEqual(["news", { n: 1 }]);
    });

    it("broadcasts to a room reach its members on every node and no one else", async () => {
      cluster = await make();
      const [n0, n1, n2] = cluster.nodes as [FakeHost, FakeHost, FakeHost];
      const inRoom = [n0.connect("r"), n2.connect("r"), n1.connect("r", "other")];
      const outside = [n0.connect("x"), n1.connect(), n2.connect("x")];
      n1.adapter.broadcast({ type: 2, nsp: "/", data: ["hi"] }, { rooms: new Set(["r"]) });
      await until(() => inRoom.every((s) => s.received.length === 1));
      // A later broadcast to everyone is a barrier: what the first one sent has arrived.
      n1.adapter.broadcast({ type: 2, nsp: "/", data: ["all"] }, { rooms: new Set() });
      await until(() => outside.every((s) => s.received.length === 1));
      expect(outside.map((s) => s.events())).toEqual([["all"], ["all"], ["all"]]);
    });

    it("leaves out the sockets of excepted rooms and ids on every node", async () => {
      cluster = await make();
      const [n0, n1, n2] = cluster.nodes as [FakeHost, FakeHost, FakeHost];
      const sender = n0.connect("r");
      const muted = n2.connect("r", "muted");
      const ok = [n1.connect("r"), n2.connect("r")];
      n0.adapter.broadcast(
        { type: 2, nsp: "/", data: ["chat"] },
        { rooms: new Set(["r"]), except: new Set([sender.id, "muted"]) },
      );
      n0.adapter.broadcast({ type: 2, nsp: "/", data: ["end"] }, { rooms: new Set() });
      await until(() => [sender, muted, ...ok].every((s) => s.events().includes("end")));
      expect(ok.map((s) => s.events())).toEqual([
        ["chat", "end"],
        ["chat", "end"],
      ]);
      expect(sender.events()).toEqual(["end"]);
      expect(muted.events()).toEqual(["end"]);
    });

    it("reaches a socket in several targeted rooms once, and a socket by its id", async () => {
      cluster = await make();
      const [n0, , n2] = cluster.nodes as [FakeHost, FakeHost, FakeHost];
      const both = n2.connect("a", "b");
      const target = n2.connect();
      n0.adapter.broadcast(
        { type: 2, nsp: "/", data: ["x"] },
        { rooms: new Set(["a", "b", target.id]) },
      );
      await until(() => both.received.length === 1 && target.received.length === 1);
      n0.adapter.broadcast({ type: 2, nsp: "/", data: ["end"] }, { rooms: new Set([both.id]) });
      await until(() => both.received.length === 2);
      expect(both.events()).toEqual(["x", "end"]);
    });

    it("keeps a local broadcast on the emitting node", async () => {
      cluster = await make();
      const [n0, n1] = cluster.nodes as [FakeHost, FakeHost];
      const here = n0.connect();
      const there = n1.connect();
      n0.adapter.broadcast(
        { type: 2, nsp: "/", data: ["local"] },
        { rooms: new Set(), flags: { local: true } },
      );
      n0.adapter.broadcast({ type: 2, nsp: "/", data: ["end"] }, { rooms: new Set() });
      await until(() => here.received.length === 2 && there.received.length >= 1);
      expect(here.events()).toEqual(["local", "end"]);
      expect(there.events()).toEqual(cluster.distinct === 1 ? ["local", "end"] : ["end"]);
    });

    it("encodes a broadcast once per node: its recipients there share the same parts", async () => {
      cluster = await make();
      const [n0, , n2] = cluster.nodes as [FakeHost, FakeHost, FakeHost];
      const there = [n2.connect(), n2.connect(), n2.connect()];
      const here = [n0.connect(), n0.connect()];
      n0.adapter.broadcast({ type: 2, nsp: "/", data: ["once", "x"] }, { rooms: new Set() });
      await until(() => [...there, ...here].every((s) => s.received.length === 1));
      for (const group of [there, here]) {
        const parts = new Set(group.map((s) => s.received[0]!.parts));
        expect(parts.size).toBe(1);
      }
    });

    it("carries the volatile and compress flags to every node's writes", async () => {
      cluster = await make();
      const s = cluster.nodes[2]!.connect();
      cluster.nodes[0]!.adapter.broadcast(
        { type: 2, nsp: "/", data: ["v"] },
        { rooms: new Set(), flags: { volatile: true, compress: false } },
      );
      await until(() => s.received.length === 1);
      expect(s.received[0]!.flags).toEqual({ volatile: true, compress: false });
    });

    it("delivers binary data as binary", async () => {
      cluster = await make();
      const s = cluster.nodes[2]!.connect();
      cluster.nodes[0]!.adapter.broadcast(
        { type: 2, nsp: "/", data: ["bin", Buffer.from([1, 2, 3])] },
        { rooms: new Set() },
      );
      await until(() => s.received.length === 1);
      const bytes = s.received[0]!.data[1] as Uint8Array;
      expect(ArrayBuffer.isView(bytes)).toBe(true);
      expect([...bytes]).toEqual([1, 2, 3]);
    });

    it("makes the matching sockets of every node join and leave rooms", async () => {
      cluster = await make();
      const [n0, n1, n2] = cluster.nodes as [FakeHost, FakeHost, FakeHost];
      const a = n0.connect("lobby");
      const b = n2.connect("lobby");
      const c = n1.connect();
      n1.adapter.addSockets({ rooms: new Set(["lobby"]) }, ["game", "chat"]);
      await until(() => a.rooms.has("game") && b.rooms.has("chat"));
      expect(c.rooms.has("game")).toBe(false);
      n1.adapter.delSockets({ rooms: new Set(["game"]), except: new Set([a.id]) }, ["chat"]);
      await until(() => !b.rooms.has("chat"));
      expect(a.rooms.has("chat")).toBe(true);
    });

    it("disconnects the matching sockets of every node", async () => {
      cluster = await make();
      const [n0, n1, n2] = cluster.nodes as [FakeHost, FakeHost, FakeHost];
      const bad = [n0.connect("banned"), n2.connect("banned")];
      const good = n1.connect();
      n1.adapter.disconnectSockets({ rooms: new Set(["banned"]) }, true);
      await until(() => bad.every((s) => s.disconnected === "close"));
      expect(good.disconnected).toBe(false);
    });

    it("fetches the sockets of every node with their id, rooms, data and handshake", async () => {
      cluster = await make();
      const [n0, n1, n2] = cluster.nodes as [FakeHost, FakeHost, FakeHost];
      const a = n0.connect("r");
      a.data = { user: "ann" };
      const c = n2.connect("r", "s");
      n1.connect();
      const found = (await n1.adapter.fetchSockets({ rooms: new Set(["r"]) })) as {
        id: string;
        rooms: Iterable<string>;
        data: unknown;
        handshake: { query: unknown };
      }[];
      const byId = new Map(found.map((s) => [s.id, s]));
      expect([...byId.keys()].sort()).toEqual([a.id, c.id].sort());
      expect(byId.get(a.id)!.data).toEqual({ user: "ann" });
      expect([...byId.get(c.id)!.rooms].sort()).toEqual([c.id, "r", "s"].sort());
      expect(byId.get(c.id)!.handshake.query).toEqual({ q: "1" });
    });

    it("hands serverSideEmit to the other nodes' listeners and gathers their answers", async () => {
      cluster = await make();
      const [n0, n1, n2] = cluster.nodes as [FakeHost, FakeHost, FakeHost];
      for (const [i, host] of [n0, n1, n2].entries()) {
        host.onServerSide = (args) => {
          host.serverSide.push(args);
          const reply = args.at(-1);
          if (typeof reply === "function") reply(`node${i}`);
        };
      }
      n0.adapter.serverSideEmit(["hello", 1]);
      if (cluster.distinct > 1) {
        await until(() => n1.serverSide.length === 1 && n2.serverSide.length === 1);
        expect(n1.serverSide[0]).toEqual(["hello", 1]);
      }
      expect(cluster.distinct === 1 || n0.serverSide.length === 0).toBe(true);
      const answers = await new Promise<[unknown, unknown[]]>((resolve) =>
        n0.adapter.serverSideEmit(["q", (err: unknown, res: unknown[]) => resolve([err, res])]),
      );
      expect(answers[0]).toBeNull();
      expect(answers[1].sort()).toEqual(cluster.distinct === 1 ? [] : ["node1", "node2"]);
    });

    it("counts the servers and gathers broadcast acks from the clients of every node", async () => {
      cluster = await make();
      const [n0, n1, n2] = cluster.nodes as [FakeHost, FakeHost, FakeHost];
      const sockets = [n0.connect(), n1.connect(), n2.connect(), n2.connect()];
      expect(await n0.adapter.serverCount()).toBe(cluster.distinct);
      const counts: number[] = [];
      const acks: unknown[] = [];
      n0.adapter.broadcastWithAck(
        { type: 2, nsp: "/", data: ["q"] },
        { rooms: new Set(), flags: { timeout: 2000 } },
        (n) => counts.push(n),
        (value) => acks.push(value),
      );
      await until(() => sockets.every((s) => s.acks.size === 1));
      sockets.forEach((s, i) => s.answer(`a${i}`));
      await until(() => acks.length === 4 && counts.length === cluster.distinct);
      expect(counts.reduce((x, y) => x + y)).toBe(4);
      expect(acks.sort()).toEqual(["a0", "a1", "a2", "a3"]);
    });

    it("keeps namespaces apart", async () => {
      cluster = await make(["/a", "/b"]);
      const [a, b] = cluster.byNsp as [FakeHost[], FakeHost[]];
      const inA = a[2]!.connect();
      const inB = b[2]!.connect();
      a[0]!.adapter.broadcast({ type: 2, nsp: "/a", data: ["for-a"] }, { rooms: new Set() });
      b[0]!.adapter.broadcast({ type: 2, nsp: "/b", data: ["for-b"] }, { rooms: new Set() });
      await until(() => inA.received.length === 1 && inB.received.length === 1);
      expect([inA.events(), inB.events()]).toEqual([["for-a"], ["for-b"]]);
    });
  });
}
