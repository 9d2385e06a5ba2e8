// The Redis adapter against a private redis-server: interop with socket.io's emitter,
// garbage, liveness, request failures, and Redis going away (RELIABILITY C1, C3, C7).
import { Emitter as TheirEmitter } from "@socket.io/redis-emitter";
import { createClient } from "redis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createRedisAdapter,
  Emitter,
  reconnectStrategy,
  type RedisAdapter,
  type RedisAdapterOptions,
  type RedisClient,
} from "../../../src/adapter/redis/index.js";
import { encodeMsgpack } from "../../../src/adapter/redis/codec.js";
import { PushwireError } from "../../../src/errors.js";
import { FakeHost, until } from "../../cluster/fake-host.js";
import { startFaultProxy, startRedis, type RedisServer } from "../../support/redis-server.js";

type Client = ReturnType<typeof createClient>;
const FAST = { heartbeatInterval: 100, heartbeatTimeout: 400, requestsTimeout: 800, log: () => {} };

let redis: RedisServer;
const opened: Client[] = [];
const hosts: FakeHost[] = [];

async function client(path?: string | number): Promise<Client> {
  const socket =
    typeof path === "number"
      ? { host: "127.0.0.1", port: path, reconnectStrategy }
      : { path: path ?? redis.socketPath, tls: false as const, reconnectStrategy };
  const c = createClient({ socket });
  c.on("error", () => {});
  await c.connect();
  opened.push(c);
  return c;
}

async function node(
  opts: RedisAdapterOptions = {},
  pub?: RedisClient,
  nsp = "/",
): Promise<FakeHost & { adapter: RedisAdapter }> {
  const host = new FakeHost(nsp);
  host.adapter = createRedisAdapter(pub ?? (await client()), { ...FAST, ...opts })(host);
  await host.adapter.init();
  hosts.push(host);
  return host as FakeHost & { adapter: RedisAdapter };
}

async function formed(...nodes: FakeHost[]): Promise<void> {
  await until(async () => {
    for (const n of nodes) expect(await n.adapter.serverCount()).toBe(nodes.length);
  });
}

beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.adapter.close()));
  for (const c of opened.splice(0)) if (c.isOpen) c.destroy();
});
afterAll(async () => {
  await redis.close();
});

describe("Redis adapter: interop with @socket.io/redis-emitter", () => {
  it("delivers their emitter's broadcasts, room changes, disconnects and server-side events", async () => {
    const [a, b] = [await node(), await node()];
    await formed(a, b);
    const x = a.connect("room1");
    const y = b.connect("room2");
    const z = b.connect("room1", "vip");
    const theirs = new TheirEmitter(await client());
    theirs.emit("all", 1);
    theirs.to("room1").except("vip").emit("r1", { n: 2 });
    theirs.volatile.emit("v");
    await until(() => x.received.length === 3 && y.received.length === 2);
    expect(x.events()).toEqual(["all", "r1", "v"]);
    expect(z.events()).toEqual(["all", "v"]);
    expect(x.received[2]!.flags.volatile).toBe(true);

    theirs.in("room2").socketsJoin("joined");
    await until(() => y.rooms.has("joined"));
    theirs.socketsLeave("room1");
    await until(() => !x.rooms.has("room1") && !z.rooms.has("room1"));
    theirs.serverSideEmit("config", { v: 7 });
    await until(() => a.serverSide.length === 1 && b.serverSide.length === 1);
    expect(a.serverSide[0]).toEqual(["config", { v: 7 }]);
    theirs.in("vip").disconnectSockets(true);
    await until(() => z.disconnected === "close");
    expect(y.disconnected).toBe(false);
    expect(a.adapter.stats.garbage + b.adapter.stats.garbage).toBe(0);
  });

  it("delivers to another namespace through their emitter's of()", async () => {
    const admin = await node({}, undefined, "/admin");
    const s = admin.connect();
    new TheirEmitter(await client()).of("/admin").emit("alert", "disk");
    await until(() => s.received.length === 1);
    expect(s.received[0]!.data).toEqual(["alert", "disk"]);
  });

  it("delivers our emitter's binary to a node as binary", async () => {
    const a = await node();
    const s = a.connect("files");
    new Emitter(await client()).to("files").emit("file", Buffer.from([7, 8]));
    await until(() => s.received.length === 1);
    expect([...(s.received[0]!.data[1] as Uint8Array)]).toEqual([7, 8]);
  });
});

describe("Redis adapter: garbage on the channels (RELIABILITY C7)", () => {
  it("drops and counts garbage on every channel, and keeps working", async () => {
    const a = await node();
    const s = a.connect("r");
    const raw = await client();
    const junk: [string, Buffer | string][] = [
      ["socket.io#/#", Buffer.from([0xc1])],
      ["socket.io#/#", "not msgpack at all"],
      ["socket.io#/#r#", encodeMsgpack(["u", { type: 2, nsp: "/", data: [] }, {}])],
      ["socket.io#/#", encodeMsgpack(["u", { type: 2, nsp: "/", data: ["x"] }, { rooms: 5 }])],
      ["socket.io-request#/#", "{broken json"],
      ["socket.io-request#/#", encodeMsgpack({ type: 7, packet: null })],
      ["socket.io-request#/#", encodeMsgpack([1, 2, 3])],
      [`socket.io-response#/#${a.adapter.uid}#`, encodeMsgpack({ type: 8 })],
      ["socket.io-request#/#", Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff])],
      ["socket.io-request#/#", Buffer.alloc(2 * 1024 * 1024, 0x61)],
    ];
    for (const [channel, bytes] of junk) await raw.publish(channel, bytes);
    await until(() => a.adapter.stats.garbage === junk.length);
    new Emitter(raw).to("r").emit("still", "alive");
    await until(() => s.received.length === 1);
    expect(s.events()).toEqual(["still"]);
  });

  it("refuses to publish a message over maxMessageSize, still delivering locally", async () => {
    const [a, b] = [await node({ maxMessageSize: 1000 }), await node({ maxMessageSize: 1000 })];
    await formed(a, b);
    const here = a.connect();
    const there = b.connect();
    a.adapter.broadcast(
      { type: 2, nsp: "/", data: ["big", "x".repeat(5000)] },
      { rooms: new Set() },
    );
    a.adapter.broadcast({ type: 2, nsp: "/", data: ["small"] }, { rooms: new Set() });
    await until(() => there.received.length === 1);
    expect(here.events()).toEqual(["big", "small"]);
    expect(there.events()).toEqual(["small"]);
    expect(a.adapter.stats.publishErrors).toBe(1);
  });
});

describe("Redis adapter: node liveness and requests", () => {
  it("stops waiting for a node that closes, and counts it out at once", async () => {
    const [a, b, c] = [await node(), await node(), await node()];
    await formed(a, b, c);
    await c.adapter.close();
    await until(async () => expect(await a.adapter.serverCount()).toBe(2));
    expect(await b.adapter.serverCount()).toBe(2);
  });

  it("drops a node that stops sending heartbeats after heartbeatTimeout, unblocking requests", async () => {
    const pubC = await client();
    const [a, b, c] = [await node(), await node(), await node({}, pubC)];
    await formed(a, b, c);
    b.connect();
    // c vanishes without a goodbye: its connections die, its timer keeps firing into nothing.
    pubC.destroy();
    const started = performance.now();
    const found = await a.adapter.fetchSockets({ rooms: new Set() });
    const waited = performance.now() - started;
    expect(found).toHaveLength(1);
    expect(waited).toBeLessThan(FAST.requestsTimeout);
    expect(a.adapter.nodes).toEqual([b.adapter.uid]);
  });

  it("fails a request within requestsTimeout, naming the live nodes that did not answer", async () => {
    const a = await node();
    // A node that announces itself but never answers.
    const raw = await client();
    const beat = (): Promise<unknown> =>
      raw.publish("socket.io-request#/#", encodeMsgpack({ uid: "mute01", type: 100 }));
    await beat();
    const timer = setInterval(() => void beat(), 100);
    try {
      await until(async () => expect(await a.adapter.serverCount()).toBe(2));
      const started = performance.now();
      const err = await a.adapter.fetchSockets({ rooms: new Set() }).catch((e: unknown) => e);
      const waited = performance.now() - started;
      expect(err).toBeInstanceOf(PushwireError);
      expect((err as PushwireError).code).toBe("PW_ERR_CLUSTER_REQUEST_TIMEOUT");
      expect((err as PushwireError).message).toContain("mute01");
      expect((err as PushwireError).data).toEqual({ missing: ["mute01"] });
      expect(waited).toBeGreaterThanOrEqual(FAST.requestsTimeout - 5);
      expect(waited).toBeLessThan(FAST.requestsTimeout + 500);
      const [ackErr, responses] = await new Promise<[Error | null, unknown[]]>((resolve) =>
        a.adapter.serverSideEmit(["q", (e: Error | null, r: unknown[]) => resolve([e, r])]),
      );
      expect((ackErr as PushwireError).code).toBe("PW_ERR_CLUSTER_REQUEST_TIMEOUT");
      expect(responses).toEqual([]);
    } finally {
      clearInterval(timer);
    }
  });

  it("refuses requests beyond maxPendingRequests", async () => {
    const a = await node({ maxPendingRequests: 2, requestsTimeout: 300 });
    const raw = await client();
    await raw.publish("socket.io-request#/#", encodeMsgpack({ uid: "mute02", type: 100 }));
    await until(async () => expect(await a.adapter.serverCount()).toBe(2));
    const all = [0, 1, 2].map(() =>
      a.adapter.fetchSockets({ rooms: new Set() }).catch((e: PushwireError) => e.code),
    );
    expect(await Promise.all(all)).toEqual([
      "PW_ERR_CLUSTER_REQUEST_TIMEOUT",
      "PW_ERR_CLUSTER_REQUEST_TIMEOUT",
      "PW_ERR_CLUSTER_TOO_MANY_REQUESTS",
    ]);
  });

  it("fails waiting requests when the adapter closes", async () => {
    const a = await node({ requestsTimeout: 5000 });
    const raw = await client();
    await raw.publish("socket.io-request#/#", encodeMsgpack({ uid: "mute03", type: 100 }));
    await until(async () => expect(await a.adapter.serverCount()).toBe(2));
    const pending = a.adapter
      .fetchSockets({ rooms: new Set() })
      .catch((e: PushwireError) => e.code);
    await a.adapter.close();
    expect(await pending).toBe("PW_ERR_CLUSTER_CLOSED");
  });
});

describe("Redis adapter: Redis failures (RELIABILITY C1, C3)", () => {
  it("delivers locally when publishing throws or rejects (socket.io-adapter 2.5.7)", async () => {
    const real = await client();
    let mode: "throw" | "reject" = "throw";
    const broken = new Proxy(real, {
      get(target, prop, receiver) {
        if (prop === "publish") {
          return () => {
            if (mode === "throw") throw new Error("boom");
            return Promise.reject(new Error("boom"));
          };
        }
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    }) as unknown as RedisClient;
    const a = await node({}, broken);
    const s = a.connect();
    a.adapter.broadcast({ type: 2, nsp: "/", data: ["one"] }, { rooms: new Set() });
    mode = "reject";
    a.adapter.broadcast({ type: 2, nsp: "/", data: ["two"] }, { rooms: new Set() });
    expect(s.events()).toEqual(["one", "two"]);
    await until(() => a.adapter.stats.publishErrors >= 2);
  });

  it("survives Redis being SIGKILLed: local delivery, degraded mode, fast failures, recovery", async () => {
    const [a, b] = [await node(), await node()];
    await formed(a, b);
    const here = a.connect();
    const there = b.connect();
    const events: string[] = [];
    a.adapter.on("degraded", () => events.push("degraded"));
    a.adapter.on("recovered", () => events.push("recovered"));

    await redis.kill();
    await until(() => !a.adapter.reachable, 2000, "degraded");
    for (let i = 0; i < 50; i++) {
      a.adapter.broadcast({ type: 2, nsp: "/", data: ["during", i] }, { rooms: new Set() });
    }
    expect(here.received).toHaveLength(50); // local delivery: 100 %
    const err = await a.adapter.fetchSockets({ rooms: new Set() }).catch((e: PushwireError) => e);
    expect((err as PushwireError).code).toBe("PW_ERR_CLUSTER_UNAVAILABLE");
    expect(a.adapter.offline.queued).toBe(50);

    await redis.restart();
    const restarted = performance.now();
    await until(() => a.adapter.reachable && b.adapter.reachable, 3000, "recovered");
    // The queued broadcasts went out once Redis was back (nothing was listening before).
    a.adapter.broadcast({ type: 2, nsp: "/", data: ["after"] }, { rooms: new Set() });
    await until(() => there.events().includes("after"), 3000, "cross-node delivery");
    const recovery = performance.now() - restarted;
    console.log(`cross-node delivery back ${Math.round(recovery)} ms after the restart`);
    expect(recovery).toBeLessThan(2000);
    expect(events).toEqual(["degraded", "recovered"]);
    expect(await a.adapter.serverCount()).toBe(2);
  });

  it("bounds the offline queue, dropping the oldest and counting them", async () => {
    const a = await node({ offlineQueueSize: 10 });
    await redis.kill();
    try {
      await until(() => !a.adapter.reachable, 2000);
      for (let i = 0; i < 25; i++) {
        a.adapter.broadcast({ type: 2, nsp: "/", data: ["x", i] }, { rooms: new Set() });
      }
      expect(a.adapter.offline).toEqual({ queued: 10, dropped: 15 });
    } finally {
      await redis.restart();
    }
  });

  it("declares itself degraded when its own heartbeats stop coming back (blackhole)", async () => {
    const proxy = await startFaultProxy(redis.socketPath);
    try {
      const a = await node({}, await client(proxy.port));
      const b = await node();
      await formed(a, b);
      const s = a.connect();
      proxy.setMode("blackhole");
      await until(() => !a.adapter.reachable, 2000, "degraded by missing echo");
      a.adapter.broadcast({ type: 2, nsp: "/", data: ["local"] }, { rooms: new Set() });
      expect(s.events()).toEqual(["local"]);
      // b stops hearing a and drops it after heartbeatTimeout.
      await until(async () => expect(await b.adapter.serverCount()).toBe(1), 2000);
      proxy.setMode("pass");
      await until(() => a.adapter.reachable, 3000, "recovered after the partition healed");
      await until(async () => expect(await b.adapter.serverCount()).toBe(2), 2000);
    } finally {
      await proxy.close();
    }
  });
});
