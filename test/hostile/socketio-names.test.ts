// RELIABILITY 3a, A6: event names, JSON, namespaces and rooms at scale, against the
// server (raw WebSocket frames where the wire matters, the adapter directly for the
// room-scale cases).
import { assertNotPoisoned } from "../fuzz/poisoning.js";
import { afterEach, describe, expect, it } from "vitest";
import { Adapter } from "../../src/adapter/index.js";
import type { PushwireError, Socket } from "../../src/index.js";
import { FakeHost } from "../adapter/host.js";
import { closeAll, hostile } from "./socketio-harness.js";

afterEach(closeAll);

describe("A6 event names, JSON, namespaces and rooms", () => {
  it("A6-1 dispatches odd but valid event names to their listeners without throwing", async () => {
    const server = await hostile();
    const got: string[] = [];
    const names = [
      "error",
      "",
      "__proto__",
      "constructor",
      "hasOwnProperty",
      "toString",
      "x".repeat(500_000),
    ];
    server.io.on("connection", (socket) => {
      for (const name of names) socket.on(name, () => got.push(name.slice(0, 20)));
      socket.on("42", () => got.push("42"));
    });
    const client = await server.connected();
    for (const name of names) client.send(`2${JSON.stringify([name])}`);
    client.send("2[42]");
    client.send('21["echo","after"]');
    expect(await client.next()).toBe('431["after"]');
    expect(got).toEqual([...names.map((n) => n.slice(0, 20)), "42"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("A6-1 survives an `error` event nobody listens to (CVE-2024-38355)", async () => {
    const server = await hostile();
    const client = await server.connected();
    client.send('2["error",{"message":"boom"}]');
    client.send('21["echo","after"]');
    expect(await client.next()).toBe('431["after"]');
  });

  it("A6-1 closes the connection on array, object, boolean and null names", async () => {
    const server = await hostile();
    for (const name of ["[1]", '{"a":1}', "true", "null"]) {
      const client = await server.connected();
      client.send(`2[${name},1]`);
      await client.closed;
    }
    await server.healthy();
  });

  it("A6-2 closes the connection on reserved event names", async () => {
    const server = await hostile();
    for (const name of [
      "connect",
      "connect_error",
      "disconnect",
      "disconnecting",
      "newListener",
      "removeListener",
    ]) {
      const client = await server.connected();
      client.send(`2["${name}"]`);
      await client.closed;
    }
    await server.healthy();
  });

  it("A6-3 keeps Object.prototype clean with __proto__ and constructor in auth and arguments", async () => {
    const server = await hostile();
    const seen: unknown[] = [];
    server.io.on("connection", (socket: Socket) => {
      seen.push(socket.handshake.auth);
      socket.on("data", (arg) => seen.push(arg));
    });
    const client = await server.connected(
      "/",
      JSON.parse('{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}}}'),
    );
    client.send(
      '2["data",{"__proto__":{"polluted":3},"constructor":{"prototype":{"polluted":4}}}]',
    );
    client.send('21["echo",{"__proto__":{"x":1}}]');
    expect(await client.next()).toBe('431[{"__proto__":{"x":1}}]');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(seen[0])).toBe(Object.prototype);
    expect(Object.keys(seen[1] as object)).toEqual(["__proto__", "constructor"]);
    assertNotPoisoned(); // @fast-check/poisoning: nothing reachable from globalThis changed
  });

  it("A6-4 decodes deep nesting in EVENT and BINARY_EVENT and never overflows the stack echoing it", async () => {
    const server = await hostile();
    const outcomes: string[] = [];
    server.io.on("connection", (socket) => {
      socket.on("deep", (arg: unknown, ack: (x: unknown) => void) => {
        try {
          ack(arg);
          outcomes.push("echoed");
        } catch (err) {
          outcomes.push((err as PushwireError).code);
        }
      });
    });
    const client = await server.connected();
    const shallow = "[".repeat(1000) + "]".repeat(1000);
    client.send(`21["deep",${shallow}]`);
    expect((await client.next()).toString().startsWith("431[[[[")).toBe(true);
    for (const depth of [10_000, 100_000, 499_990]) {
      client.send(`22["deep",${"[".repeat(depth)}${"]".repeat(depth)}]`);
    }
    const binaryDeep = "[".repeat(100_000) + '{"_placeholder":true,"num":0}' + "]".repeat(100_000);
    client.send(`51-3["deep",${binaryDeep}]`);
    client.send(new Uint8Array([1]));
    client.send('24["echo","after"]');
    expect(await client.next()).toBe('434["after"]');
    expect(outcomes).toEqual([
      "echoed",
      "PW_ERR_PROTOCOL_UNENCODABLE",
      "PW_ERR_PROTOCOL_UNENCODABLE",
      "PW_ERR_PROTOCOL_UNENCODABLE",
      "PW_ERR_PROTOCOL_UNENCODABLE",
    ]);
  });

  it("A6-5 reads huge, negative-zero and long integers as plain numbers", async () => {
    const server = await hostile();
    const got: unknown[] = [];
    server.io.on("connection", (socket) =>
      socket.on("n", (...args: unknown[]) => got.push(...args)),
    );
    const client = await server.connected();
    client.send(`2["n",1e400,-0,${"9".repeat(400)}]`);
    client.send('21["echo","after"]');
    await client.next();
    expect(got).toEqual([Infinity, -0, Number("9".repeat(400))]);
    expect(got.every((n) => typeof n === "number")).toBe(true);
  });

  it("A6-6 caps namespaces per connection and removes empty child namespaces", async () => {
    const server = await hostile({
      maxNamespacesPerConnection: 50,
      cleanupEmptyChildNamespaces: true,
    });
    server.io.of(/^\/dyn-\d+$/);
    const baseline = server.io._nsps.size;
    const client = await server.raw();
    const total = 10_000;
    let accepted = 0;
    let refused = 0;
    // In batches that the client reads as it goes (the client and the server share this
    // process; 10^4 unread answers at once would make it a slow consumer).
    for (let batch = 0; batch < total; batch += 500) {
      for (let i = batch; i < batch + 500; i++) client.send(`0/dyn-${i},`);
      for (let i = batch; i < batch + 500; i++) {
        const answer = (await client.next()).toString();
        if (answer.startsWith("40/dyn-")) accepted++;
        else if (answer.includes("PW_ERR_SERVER_NAMESPACE_LIMIT")) refused++;
      }
    }
    expect(accepted).toBe(50);
    expect(refused).toBe(total - 50);
    expect(server.io._nsps.size).toBe(baseline + 50);
    client.ws.close();
    await client.closed;
    for (let i = 0; i < 100 && server.io._nsps.size !== baseline; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(server.io._nsps.size).toBe(baseline);
    await server.healthy();
  });

  it("A6-7 caps the rooms of one socket and leaves them all on disconnect", async () => {
    const server = await hostile({ maxRoomsPerSocket: 1000 });
    let socket!: Socket;
    const errors: string[] = [];
    server.io.on("connection", (s) => {
      socket = s;
      s.on("error", (err) => errors.push((err as PushwireError).code));
      s.on("join", (rooms: string[]) => s.join(rooms));
    });
    const client = await server.connected();
    const rooms = Array.from({ length: 100_000 }, (_, i) => `room-${i}`);
    for (let i = 0; i < rooms.length; i += 10_000) {
      client.send(`2${JSON.stringify(["join", rooms.slice(i, i + 10_000)])}`);
    }
    client.send('21["echo","after"]');
    await client.next();
    expect(socket.rooms.size).toBe(1001);
    expect(errors.length).toBeGreaterThan(0);
    expect(new Set(errors)).toEqual(new Set(["PW_ERR_SERVER_ROOM_LIMIT"]));
    const adapter = server.io.of("/").adapter;
    client.ws.close();
    await client.closed;
    for (let i = 0; i < 100 && adapter.rooms.size !== 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(adapter.rooms.size).toBe(0);
    expect(adapter.sids.size).toBe(0);
  });

  it("A6-7 holds 10^5 sockets in one room and empties the maps as they leave", () => {
    const host = new FakeHost();
    const adapter = new Adapter(host);
    host.adapter = adapter;
    const count = 100_000;
    for (let i = 0; i < count; i++) adapter.addAll(`s${i}`, ["lobby"]);
    expect(adapter.rooms.get("lobby")!.size).toBe(count);
    for (let i = 0; i < count; i++) adapter.delAll(`s${i}`);
    expect(adapter.rooms.size).toBe(0);
    expect(adapter.sids.size).toBe(0);
  });

  it("A6-8 never runs client strings of 50 KiB through namespace matchers or offset parsing", async () => {
    const server = await hostile({ connectionStateRecovery: {} });
    const matched: number[] = [];
    server.io.of((name, _auth, next) => {
      matched.push(name.length);
      next(null, /^\/(a+)+$/.test(name)); // catastrophic on long near-matches
    });
    const adversarial = "/" + "a".repeat(50 * 1024) + "!";
    const client = await server.raw();
    client.send(`0${adversarial},`);
    await client.closed;
    expect(matched).toEqual([]);
    const recovering = await server.raw();
    recovering.send(
      `0${JSON.stringify({ pid: "p".repeat(50 * 1024), offset: "o".repeat(50 * 1024) })}`,
    );
    expect((await recovering.next()).toString()).toMatch(/^40\{"sid"/);
    await server.healthy();
  });
});
