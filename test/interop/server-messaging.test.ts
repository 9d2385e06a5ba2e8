// The official socket.io-client against the pushwire server: events both ways, binary,
// acknowledgements both ways with timeouts, broadcasts to rooms, broadcast acks,
// catch-all listeners and per-packet middleware, socket-set operations; over polling,
// WebSocket, and polling upgraded.
import { afterEach, describe, expect, it } from "vitest";
import type { Socket } from "../../src/index.js";
import {
  MODES,
  closeAll,
  connected,
  eventually,
  next,
  pollWaiting,
  settled,
  start,
  type Mode,
  type Running,
} from "./server-harness.js";

afterEach(closeAll);

/** `count` clients connected to `/`, with their server-side sockets in the same order. */
async function clients(server: Running, mode: Mode, count: number) {
  const pairs = [];
  for (let i = 0; i < count; i++) {
    const client = server.client();
    const [[socket]] = await Promise.all([
      next<[Socket]>(server.io, "connection"),
      connected(client),
    ]);
    await settled(client, mode, server);
    pairs.push({ client, socket: socket! });
  }
  return pairs;
}

describe.each(MODES)("socket.io-client over $mode: events", (mode) => {
  it("carries events both ways with JSON and binary arguments", async () => {
    const server = await start(mode);
    const { client, socket } = (await clients(server, mode, 1))[0]!;
    const fromClient = next(socket, "up");
    client.emit("up", 1, "two", { three: [3, null] }, Buffer.from([1, 2, 3]));
    const [a, b, c, d] = await fromClient;
    expect([a, b, c]).toEqual([1, "two", { three: [3, null] }]);
    expect(Buffer.from(d as Uint8Array)).toEqual(Buffer.from([1, 2, 3]));

    const fromServer = next(client, "down");
    socket.emit("down", { nested: { bytes: Buffer.from([9]) } }, "x");
    const [payload, x] = await fromServer;
    expect(Buffer.from((payload as { nested: { bytes: Uint8Array } }).nested.bytes)).toEqual(
      Buffer.from([9]),
    );
    expect(x).toBe("x");
  });

  it("acknowledges client emits, with binary in the answer", async () => {
    const server = await start(mode);
    const { client, socket } = (await clients(server, mode, 1))[0]!;
    socket.on("sum", (a: number, b: number, ack: (r: unknown) => void) =>
      ack({ sum: a + b, bytes: Buffer.from([a, b]) }),
    );
    const answer = (await client.emitWithAck("sum", 2, 3)) as { sum: number; bytes: Uint8Array };
    expect(answer.sum).toBe(5);
    expect(Buffer.from(answer.bytes)).toEqual(Buffer.from([2, 3]));
  });

  it("gets acknowledgements from the client, and times out when none comes", async () => {
    const server = await start(mode);
    const { client, socket } = (await clients(server, mode, 1))[0]!;
    client.on("ask", (q: string, ack: (a: string) => void) => ack(`${q}!`));
    client.on("ignore", () => {});
    await expect(socket.emitWithAck("ask", "hi")).resolves.toBe("hi!");
    await expect(socket.timeout(500).emitWithAck("ask", "t")).resolves.toBe("t!");
    await expect(socket.timeout(50).emitWithAck("ignore")).rejects.toMatchObject({
      code: "PW_ERR_ACK_TIMEOUT",
      message: "operation has timed out",
    });
    expect(socket.pendingAcks).toBe(0);
  });

  it("lets the client time out on a server that does not answer", async () => {
    const server = await start(mode);
    const { client } = (await clients(server, mode, 1))[0]!;
    await expect(client.timeout(50).emitWithAck("nobody-listens")).rejects.toThrow(
      "operation has timed out",
    );
  });

  it("calls catch-all listeners both ways and runs per-packet middleware", async () => {
    const server = await start(mode);
    const { client, socket } = (await clients(server, mode, 1))[0]!;
    const incoming: unknown[] = [];
    const outgoing: unknown[] = [];
    socket.onAny((...args) => incoming.push(args));
    socket.onAnyOutgoing((...args) => outgoing.push(args));
    socket.use(([event], next) => (event === "blocked" ? next(new Error("no")) : next()));
    const errors: string[] = [];
    socket.on("error", (err) => errors.push(err.message));
    const got: string[] = [];
    socket.on("blocked", () => got.push("blocked"));
    socket.on("ok", (ack: () => void) => {
      got.push("ok");
      ack();
    });
    client.emit("blocked", 1);
    await client.emitWithAck("ok");
    socket.emit("out", 2);
    await next(client, "out");
    expect(got).toEqual(["ok"]);
    expect(errors).toEqual(["no"]);
    expect(incoming[0]).toEqual(["blocked", 1]);
    expect(outgoing).toEqual([["out", 2]]);
  });

  it("routes events to the namespace they were sent on", async () => {
    const server = await start(mode);
    const got: string[] = [];
    let ready = 0;
    server.io.on("connection", (s) => {
      s.on("where", () => got.push("main"));
      ready++;
    });
    server.io.of("/chat").on("connection", (s) => {
      s.on("where", (ack: () => void) => {
        got.push("chat");
        ack();
      });
      ready++;
    });
    const main = server.client();
    const chat = main.io.socket("/chat");
    chat.connect();
    await Promise.all([connected(main), connected(chat)]);
    await eventually(() => ready === 2);
    await chat.emitWithAck("where");
    expect(got).toEqual(["chat"]);
    chat.disconnect();
  });
});

describe.each(MODES)("socket.io-client over $mode: broadcasts", (mode) => {
  it("broadcasts to all, to rooms, except rooms, and from a socket to the others", async () => {
    const server = await start(mode);
    const pairs = await clients(server, mode, 3);
    const logs = pairs.map(() => [] as string[]);
    pairs.forEach(({ client }, i) => client.onAny((event: string) => logs[i]!.push(event)));
    pairs[0]!.socket.join("red");
    pairs[1]!.socket.join(["red", "blue"]);
    server.io.emit("all");
    server.io.to("red").emit("red");
    server.io.to("red").except("blue").emit("red-not-blue");
    pairs[0]!.socket.broadcast.emit("others");
    pairs[1]!.socket.to("red").emit("red-from-1");
    server.io.emit("end");
    await eventually(() => logs.every((log) => log.includes("end")));
    expect(logs).toEqual([
      ["all", "red", "red-not-blue", "red-from-1", "end"],
      ["all", "red", "others", "end"],
      ["all", "others", "end"],
    ]);
  });

  it("collects every client's answer with io.timeout().emitWithAck", async () => {
    const server = await start(mode);
    const pairs = await clients(server, mode, 3);
    pairs.forEach(({ client }, i) => client.on("poll", (ack: (n: number) => void) => ack(i)));
    const responses = await server.io.timeout(1000).emitWithAck("poll");
    expect([...responses].sort()).toEqual([0, 1, 2]);
  });

  it("rejects a broadcast ack on timeout with the answers that came", async () => {
    const server = await start(mode);
    const pairs = await clients(server, mode, 2);
    pairs[0]!.client.on("poll", (ack: (n: string) => void) => ack("yes"));
    pairs[1]!.client.on("poll", () => {});
    const failure = await server.io
      .timeout(100)
      .emitWithAck("poll")
      .catch((err: unknown) => err);
    expect(failure).toMatchObject({ code: "PW_ERR_ACK_TIMEOUT", responses: ["yes"] });
    expect(pairs.map(({ socket }) => socket.pendingAcks)).toEqual([0, 0]);
  });

  it("fetches, joins, leaves and disconnects sockets across the namespace", async () => {
    const server = await start(mode);
    const pairs = await clients(server, mode, 3);
    server.io.in(pairs[0]!.socket.id).socketsJoin("vip");
    const vip = await server.io.in("vip").fetchSockets();
    expect(vip.map((s) => s.id)).toEqual([pairs[0]!.socket.id]);
    const reasons = pairs.map(({ client }) => next(client, "disconnect"));
    server.io.except("vip").disconnectSockets();
    expect((await reasons[1]!)[0]).toBe("io server disconnect");
    expect((await reasons[2]!)[0]).toBe("io server disconnect");
    expect(pairs[0]!.client.connected).toBe(true);
    server.io.socketsLeave("vip");
    expect(pairs[0]!.socket.rooms.has("vip")).toBe(false);
    await expect(server.io.serverSideEmitWithAck("anyone")).resolves.toEqual([]);
  });

  it("sends `message` events with send() and write(), with compress() and local", async () => {
    const server = await start(mode);
    const { client, socket } = (await clients(server, mode, 1))[0]!;
    const messages: unknown[] = [];
    client.on("message", (m: unknown) => messages.push(m));
    socket.send("one");
    socket.compress(false).write("two");
    server.io.local.emit("message", "three");
    server.io.write("four");
    server.io.of("/").local.emit("message", "five");
    await eventually(() => messages.length === 5);
    expect(messages).toEqual(["one", "two", "three", "four", "five"]);
  });

  it("delivers volatile events to clients ready to receive them", async () => {
    const server = await start(mode);
    const { client, socket } = (await clients(server, mode, 1))[0]!;
    // Over polling, "ready" means a poll is waiting (engine.io drops volatile packets too
    // while none is).
    await pollWaiting(client);
    const got = next(client, "tick");
    socket.volatile.emit("tick", 1);
    expect(await got).toEqual([1]);
    await pollWaiting(client);
    const all = next(client, "tock");
    server.io.volatile.emit("tock", 2);
    expect(await all).toEqual([2]);
  });
});
