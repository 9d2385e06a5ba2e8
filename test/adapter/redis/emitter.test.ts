// The emitter publishes exactly the bytes of @socket.io/redis-emitter for the same calls.
import { Emitter as TheirEmitter } from "@socket.io/redis-emitter";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Emitter } from "../../../src/adapter/redis/index.js";
import { PushwireError } from "../../../src/errors.js";
import { startRedis, type RedisServer } from "../../support/redis-server.js";

type Client = ReturnType<typeof createClient>;
interface Published {
  channel: string;
  bytes: Buffer;
}

let redis: RedisServer;
let pub: Client;
let sub: Client;
const seen: Published[] = [];

beforeAll(async () => {
  redis = await startRedis();
  pub = createClient({ socket: { path: redis.socketPath, tls: false } });
  sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  await sub.pSubscribe(
    "*",
    (bytes, channel) => seen.push({ channel: String(channel), bytes }),
    true,
  );
});

afterAll(async () => {
  await Promise.all([pub?.quit(), sub?.quit()]);
  await redis?.close();
});

/** Publishes through `act`, then returns what reached Redis. */
async function capture(act: () => void): Promise<Published[]> {
  seen.length = 0;
  act();
  await pub.ping(); // PUBLISH replies come in order: after PONG, every message was sent
  await sub.ping();
  return seen.splice(0);
}

type Call = (e: any) => void;
const calls: Record<string, Call> = {
  "emit to everyone": (e) => e.emit("news", 1, "two", { three: [3, 3.5, -7, null, true] }),
  "emit to one room (room channel)": (e) => e.to("room1").emit("hello", "world"),
  "emit to rooms with exceptions": (e) => e.to(["a", "b"]).except("c").emit("x", { y: 1 }),
  "emit with in() and several except()": (e) => e.in("a").except(["b", "c"]).emit("x"),
  "emit volatile in another namespace": (e) => e.of("/admin").volatile.emit("tick", 42),
  "emit with compress(false)": (e) => e.compress(false).emit("raw", "data"),
  "emit with a namespace given without slash": (e) => e.of("orders").emit("new", { id: 9 }),
  "emit binary": (e) => e.emit("file", Buffer.from([1, 2, 3]), { nested: Buffer.from("hi") }),
  "emit undefined members and a Date": (e) =>
    e.emit("obj", { a: undefined, b: 1, when: new Date(1700000000123) }, [undefined]),
  "emit large integers and floats": (e) => e.emit("n", 2 ** 40, -(2 ** 33), 1e-7, 255, 65536),
  "emit long strings": (e) => e.emit("s", "x".repeat(300), "é".repeat(70000)),
  socketsJoin: (e) => e.socketsJoin("room2"),
  "socketsJoin from a room": (e) => e.in("room1").socketsJoin(["r2", "r3"]),
  socketsLeave: (e) => e.except("vip").socketsLeave("lobby"),
  disconnectSockets: (e) => e.disconnectSockets(),
  "disconnectSockets with close": (e) => e.in("banned").disconnectSockets(true),
  serverSideEmit: (e) => e.serverSideEmit("reload", { version: 7 }),
  "serverSideEmit in another namespace": (e) => e.of("/admin").serverSideEmit("ping"),
};

describe("Emitter", () => {
  for (const [name, call] of Object.entries(calls)) {
    it(`publishes the same bytes on the same channel as @socket.io/redis-emitter: ${name}`, async () => {
      const theirs = await capture(() => call(new TheirEmitter(pub)));
      const ours = await capture(() => call(new Emitter(pub)));
      expect(theirs.length).toBe(1);
      expect(ours.map((m) => m.channel)).toEqual(theirs.map((m) => m.channel));
      expect(ours.map((m) => m.bytes.toString("hex"))).toEqual(
        theirs.map((m) => m.bytes.toString("hex")),
      );
    });
  }

  it("uses the key option as the channel prefix, as theirs does", async () => {
    const theirs = await capture(() => new TheirEmitter(pub, { key: "app" }).to("r").emit("e"));
    const ours = await capture(() => new Emitter(pub, { key: "app" }).to("r").emit("e"));
    expect(ours[0]!.channel).toBe("app#/#r#");
    expect(ours).toEqual(theirs);
  });

  it("sends serverSideEmit with binary as msgpack, which their nodes also decode", async () => {
    const [msg] = await capture(() => new Emitter(pub).serverSideEmit("blob", Buffer.from([9])));
    expect(msg!.channel).toBe("socket.io-request#/#");
    expect(msg!.bytes[0]).not.toBe(0x7b); // not JSON
  });

  it("refuses a reserved event name", () => {
    const emitter = new Emitter(pub);
    for (const ev of ["connect", "connect_error", "disconnect", "disconnecting", "newListener"]) {
      expect(() => emitter.emit(ev)).toThrow(PushwireError);
    }
    try {
      emitter.to("r").emit("disconnect");
    } catch (err) {
      expect((err as PushwireError).code).toBe("PW_ERR_REDIS_RESERVED_EVENT");
    }
  });

  it("refuses an acknowledgement callback on serverSideEmit", () => {
    expect(() => new Emitter(pub).serverSideEmit("q", () => {})).toThrow(
      expect.objectContaining({ code: "PW_ERR_REDIS_ACK_UNSUPPORTED" }),
    );
  });

  it("reports a failed publish to onError instead of throwing or rejecting", async () => {
    const errors: Error[] = [];
    const failing = {
      publish: () => Promise.reject(new Error("connection lost")),
    };
    const throwing = {
      publish: () => {
        throw new Error("client closed");
      },
    };
    new Emitter(failing, { onError: (e) => errors.push(e) }).emit("x");
    new Emitter(throwing, { onError: (e) => errors.push(e) }).socketsJoin("r");
    await new Promise((r) => setImmediate(r));
    expect(errors.map((e) => e.message)).toEqual(["client closed", "connection lost"]);
  });

  it("never mutates the operator it was derived from", async () => {
    const base = new Emitter(pub).to("a");
    base.to("b");
    base.except("c");
    void base.volatile;
    const [msg] = await capture(() => base.emit("e"));
    expect(msg!.channel).toBe("socket.io#/#a#");
  });
});
