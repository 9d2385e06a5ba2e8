// The loopback link on its own: a client transport driven by hand (literal Socket.IO
// packets, as the wire carries them) against the real server.
import { afterEach, describe, expect, it } from "vitest";
import type { EnginePacket } from "../../src/engine/codec.js";
import type { TransportSink } from "../../src/client/transport.js";
import { Server } from "../../src/index.js";
import {
  closeLoopbacks,
  loopbackTransport,
  type LoopbackTransport,
} from "../../src/testing/loopback.js";

interface Probe {
  transport: LoopbackTransport;
  events: string[];
  packets: EnginePacket[];
  messages(): Array<string | Uint8Array>;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const io of servers.splice(0)) {
    await closeLoopbacks(io);
    await io.close();
  }
});

function server(): Server {
  const io = new Server({ serveClient: false });
  servers.push(io);
  return io;
}

function open(
  io: Server,
  headers: Record<string, string> = {},
  query: Record<string, string> = {},
): Probe {
  const events: string[] = [];
  const packets: EnginePacket[] = [];
  const sink: TransportSink = {
    onOpen: () => events.push("open"),
    onPacket: (p) => {
      events.push(`packet:${p.type}`);
      packets.push(p);
    },
    onDrain: () => events.push("drain"),
    onError: (err) => events.push(`error:${err.message}`),
    onClose: () => events.push("close"),
  };
  const Transport = loopbackTransport(io);
  const transport = new Transport({
    opts: {
      hostname: "localhost",
      port: "80",
      secure: false,
      path: "/socket.io/",
      extraHeaders: headers,
    },
    query: { EIO: "4", transport: "loopback", ...query },
    cookieJar: undefined,
    sink,
  }) as LoopbackTransport;
  transport.open();
  return {
    transport,
    events,
    packets,
    messages: () => packets.filter((p) => p.type === "message").map((p) => p.data!),
  };
}

// socket.io announces a connection on a timer after its CONNECT answer: turns of the
// event loop that include a timers phase.
const turn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (check()) return;
    await turn();
  }
  throw new Error("condition never held");
}

describe("loopback transport", () => {
  it("is named loopback on its class, as the engine reads it before any instance exists", () => {
    expect(loopbackTransport(server()).prototype.name).toBe("loopback");
  });

  it("opens on a later turn with a handshake that never asks for a heartbeat", async () => {
    const probe = open(server());
    expect(probe.events).toEqual([]);
    await until(() => probe.packets.length > 0);
    expect(probe.events).toEqual(["open", "packet:open"]);
    const handshake = JSON.parse(probe.packets[0]!.data as string);
    expect(handshake).toMatchObject({ upgrades: [], maxPayload: 1e6 });
    expect(typeof handshake.sid).toBe("string");
    // The client's dead-server timer is pingInterval + pingTimeout: it must fit setTimeout.
    expect(handshake.pingInterval + handshake.pingTimeout).toBeLessThan(2 ** 31 - 1);
  });

  it("carries a CONNECT and the server's answer as the wire would", async () => {
    const io = server();
    const probe = open(io);
    await until(() => probe.transport.writable);
    probe.transport.send([{ type: "message", data: "0" }]);
    expect(probe.transport.writable).toBe(false);
    await until(() => probe.messages().length === 1);
    const answer = probe.messages()[0] as string;
    expect(answer).toMatch(/^0\{"sid":"[\w-]+"\}$/);
    expect(probe.events).toContain("drain");
    expect(io.sockets.sockets.size).toBe(1);
  });

  it("delivers events in order, and what one turn sends arrives on the next", async () => {
    const io = server();
    io.on("connection", (socket) => {
      socket.on("ping", (n: number) => {
        socket.emit("pong", n);
        socket.emit("pong", n + 1);
      });
    });
    const probe = open(io);
    await until(() => probe.transport.writable);
    probe.transport.send([
      { type: "message", data: "0" },
      { type: "message", data: '2["ping",1]' },
    ]);
    await until(() => probe.messages().length === 3);
    expect(probe.messages().slice(1)).toEqual(['2["pong",1]', '2["pong",2]']);
  });

  it("copies binary attachments, so neither side shares bytes with the other", async () => {
    const io = server();
    let received: Buffer | undefined;
    io.on("connection", (socket) => socket.on("bin", (b: Buffer) => (received = b)));
    const probe = open(io);
    await until(() => probe.transport.writable);
    const bytes = new Uint8Array([1, 2, 3]);
    probe.transport.send([
      { type: "message", data: "0" },
      { type: "message", data: '51-["bin",{"_placeholder":true,"num":0}]' },
      { type: "message", data: bytes },
    ]);
    bytes[0] = 9;
    await until(() => received !== undefined);
    expect([...received!]).toEqual([1, 2, 3]);
  });

  it("shows the server the request: path, query and headers in lower case", async () => {
    const io = server();
    const probe = open(io, { "X-Trace": "abc" }, { room: "r1" });
    await until(() => probe.transport.writable);
    probe.transport.send([{ type: "message", data: "0" }]);
    await until(() => io.sockets.sockets.size === 1);
    const socket = [...io.sockets.sockets.values()][0]!;
    expect(socket.handshake.headers["x-trace"]).toBe("abc");
    expect(socket.handshake.headers.host).toBe("localhost");
    expect(socket.handshake.query.room).toBe("r1");
    expect(socket.handshake.url).toBe("/socket.io/?EIO=4&transport=loopback&room=r1");
    expect(socket.conn.transportName).toBe("loopback");
  });

  it("tells the server when the client closes, after what was sent before", async () => {
    const io = server();
    const reasons: string[] = [];
    const got: unknown[] = [];
    let announced = false;
    io.on("connection", (socket) => {
      announced = true;
      socket.on("last", (x: unknown) => got.push(x));
      socket.on("disconnect", (reason) => reasons.push(reason));
    });
    const probe = open(io);
    await until(() => probe.transport.writable);
    probe.transport.send([{ type: "message", data: "0" }]);
    await until(() => announced);
    await until(() => probe.transport.writable);
    probe.transport.send([{ type: "message", data: '2["last",1]' }]);
    probe.transport.close();
    await until(() => reasons.length === 1);
    expect(got).toEqual([1]);
    expect(reasons).toEqual(["transport close"]);
    expect(probe.events).not.toContain("close"); // a closed transport reports nothing more
  });

  it("flushes what the server queued, then tells the client it closed", async () => {
    const io = server();
    io.on("connection", (socket) => {
      socket.emit("bye");
      socket.disconnect(true);
    });
    const probe = open(io);
    await until(() => probe.transport.writable);
    probe.transport.send([{ type: "message", data: "0" }]);
    await until(() => probe.events.includes("close"));
    expect(probe.messages().slice(1)).toEqual(['2["bye"]', "1"]);
  });

  it("ends every session of a server when told to, and the server sees a forced server close", async () => {
    const io = server();
    const reasons: string[] = [];
    let announced = 0;
    io.on("connection", (socket) => {
      announced++;
      socket.on("disconnect", (reason) => reasons.push(reason));
    });
    const probes = [open(io), open(io)];
    for (const probe of probes) {
      await until(() => probe.transport.writable);
      probe.transport.send([{ type: "message", data: "0" }]);
    }
    await until(() => announced === 2);
    await closeLoopbacks(io);
    expect(probes.map((p) => p.events.at(-1))).toEqual(["close", "close"]);
    expect(reasons).toEqual(["forced server close", "forced server close"]);
  });
});
