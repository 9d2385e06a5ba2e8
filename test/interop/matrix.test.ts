// The cross matrix: the official socket.io-client against the pushwire server, and the
// pushwire client against the official socket.io server (the two same-vendor pairs run
// too, as the baseline), over polling only, WebSocket only, and polling upgraded to
// WebSocket: namespaces, acknowledgements, binary, rooms and reconnection.
import { io as officialIo } from "socket.io-client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { io as pushwireIo } from "../../src/client/index.js";
import {
  once,
  Proxy,
  pushwireTarget,
  socketIoTarget,
  startServer,
  type Running,
  type ServerTarget,
} from "../client/helpers.js";

interface ClientImpl {
  name: string;
  io: (url: string, options: Record<string, unknown>) => any;
}

const clientImpls: ClientImpl[] = [
  { name: "socket.io-client", io: (url, options) => officialIo(url, options) },
  { name: "pushwire client", io: (url, options) => pushwireIo(url, options) },
];
const serverImpls: ServerTarget[] = [socketIoTarget, pushwireTarget];

const pairs = clientImpls.flatMap((client) =>
  serverImpls.map((server) => ({
    client,
    server,
    label: `${client.name} -> ${server.name} server`,
  })),
);

const modes = [
  { mode: "polling", options: { transports: ["polling"] }, final: "polling" },
  { mode: "websocket", options: { transports: ["websocket"] }, final: "websocket" },
  { mode: "upgrade", options: { transports: ["polling", "websocket"] }, final: "websocket" },
];

describe.each(pairs)("$label", ({ client, server: target }) => {
  describe.each(modes)("over $mode", ({ options: transportOptions, final, mode }) => {
    let server: Running;
    let proxy: Proxy;
    const sockets: any[] = [];

    const open = (nsp = "/", extra: Record<string, unknown> = {}) => {
      const socket = client.io(`http://127.0.0.1:${proxy.port}${nsp}`, {
        forceNew: true,
        reconnectionDelay: 10,
        reconnectionDelayMax: 20,
        ...transportOptions,
        ...extra,
      });
      sockets.push(socket);
      return socket;
    };

    /** Connected, and on its final transport. */
    const ready = async (socket: any) => {
      if (!socket.connected) await once(socket, "connect");
      if (socket.io.engine.transport.name !== final) await once(socket.io.engine, "upgrade");
    };

    beforeEach(async () => {
      server = await startServer(target);
      proxy = await new Proxy(server.port).listen();
    });

    afterEach(async () => {
      for (const socket of sockets.splice(0)) {
        socket.io.reconnection(false);
        socket.disconnect();
      }
      await proxy.close();
      await server.close();
    });

    it(`connects and ends on ${final}`, async () => {
      const socket = open();
      await ready(socket);
      expect(socket.io.engine.transport.name).toBe(final);
      expect(socket.id).toEqual(expect.any(String));
    });

    it("multiplexes two namespaces on one connection", async () => {
      const conns: string[] = [];
      for (const nsp of ["/a", "/b"]) {
        server.io.of(nsp).on("connection", (s: any) => {
          conns.push(s.conn.id);
          s.emit("hi", nsp);
        });
      }
      const a = client.io(`http://127.0.0.1:${proxy.port}/a`, {
        forceNew: false,
        ...transportOptions,
      });
      sockets.push(a);
      const b = client.io(`http://127.0.0.1:${proxy.port}/b`, {
        forceNew: false,
        ...transportOptions,
      });
      sockets.push(b);
      expect(b.io).toBe(a.io);
      const [[fromA], [fromB]] = await Promise.all([once(a, "hi"), once(b, "hi")]);
      expect([fromA, fromB]).toEqual(["/a", "/b"]);
      expect(conns[0]).toBe(conns[1]);
    });

    it("acknowledges both ways", async () => {
      server.io.on("connection", (s: any) => {
        s.on("double", (n: number, ack: (n: number) => void) => ack(n * 2));
      });
      const connection = once(server.io, "connection");
      const socket = open();
      await ready(socket);
      const [s] = await connection;
      socket.on("triple", (n: number, ack: (n: number) => void) => ack(n * 3));
      expect(await socket.emitWithAck("double", 21)).toBe(42);
      expect(await s.timeout(5000).emitWithAck("triple", 5)).toBe(15);
    });

    it("carries binary both ways, nested and in acknowledgements", async () => {
      server.io.on("connection", (s: any) => {
        s.on("reverse", (data: { bytes: Buffer }, ack: (v: unknown) => void) =>
          ack({ bytes: Buffer.from([...data.bytes].reverse()), tag: "r" }),
        );
        s.emit("push", [Buffer.from([1, 2]), { more: Buffer.from([3]) }]);
      });
      const socket = open();
      const pushed = once(socket, "push");
      await ready(socket);
      const answer = await socket.emitWithAck("reverse", { bytes: new Uint8Array([1, 2, 3]) });
      expect([...new Uint8Array(answer.bytes)]).toEqual([3, 2, 1]);
      expect(answer.tag).toBe("r");
      const [[first, { more }]] = await pushed;
      expect([...new Uint8Array(first), ...new Uint8Array(more)]).toEqual([1, 2, 3]);
    });

    it("delivers room broadcasts to members only", async () => {
      server.io.on("connection", (s: any) => {
        s.on("join", (room: string, ack: () => void) => {
          s.join(room);
          ack();
        });
      });
      const member = open();
      const other = open();
      await Promise.all([ready(member), ready(other)]);
      await member.emitWithAck("join", "r1");
      const heard: string[] = [];
      other.on("news", () => heard.push("other"));
      const got = once(member, "news");
      server.io.to("r1").emit("news", "for r1");
      expect((await got)[0]).toBe("for r1");
      // A later event to everyone reaches the other one: had it got the room's, it would be first.
      const all = once(other, "news");
      server.io.emit("news", "all");
      await all;
      expect(heard).toEqual(["other"]);
    });

    it("reconnects after the server closes the transport, and keeps working", async () => {
      server.io.on("connection", (s: any) =>
        s.on("echo", (v: unknown, ack: (v: unknown) => void) => ack(v)),
      );
      const connection = once(server.io, "connection");
      const socket = open();
      await ready(socket);
      const [s] = await connection;
      const firstId = socket.id;
      const reconnected = once(socket.io, "reconnect");
      const disconnected = once(socket, "disconnect");
      s.conn.close();
      expect((await disconnected)[0]).toBe("transport close");
      await reconnected;
      if (!socket.connected) await once(socket, "connect");
      expect(socket.id).not.toBe(firstId);
      expect(await socket.emitWithAck("echo", mode)).toBe(mode);
    });

    it("detects a silent network by the heartbeat, then reconnects", async () => {
      await proxy.close();
      await server.close();
      server = await startServer(target, { pingInterval: 50, pingTimeout: 50 });
      proxy = await new Proxy(server.port).listen();
      server.io.on("connection", (s: any) =>
        s.on("echo", (v: unknown, ack: (v: unknown) => void) => ack(v)),
      );
      const socket = open();
      await ready(socket);
      const disconnected = once(socket, "disconnect");
      proxy.blackhole();
      expect((await disconnected)[0]).toBe("ping timeout");
      proxy.restore();
      await once(socket, "connect");
      expect(await socket.emitWithAck("echo", mode)).toBe(mode);
    });
  });
});
