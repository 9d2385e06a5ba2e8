// The official socket.io-client against the pushwire server: connecting to namespaces,
// auth and query, refusals by middleware and unknown namespaces, dynamic namespaces, and
// every way a socket can disconnect; over polling, WebSocket, and polling upgraded.
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
} from "./server-harness.js";

afterEach(closeAll);

describe.each(MODES)("socket.io-client over $mode: connecting", (mode) => {
  it("connects to the main namespace with the server's socket id, not the sid", async () => {
    const server = await start(mode);
    const [serverSocket] = await Promise.all([
      next<[Socket]>(server.io, "connection"),
      connected(server.client()),
    ]).then(([[s]]) => [s]);
    const client = [...server.io.sockets.sockets.values()][0]!;
    expect(client).toBe(serverSocket);
    expect(serverSocket!.id).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(serverSocket!.id).not.toBe(serverSocket!.conn.id);
  });

  it("multiplexes namespaces on one connection, with auth and query in the handshake", async () => {
    const server = await start(mode);
    const handshakes: unknown[] = [];
    server.io
      .of("/admin")
      .on("connection", (s) =>
        handshakes.push(["admin", s.handshake.auth, s.handshake.query.room]),
      );
    server.io.on("connection", (s) =>
      handshakes.push(["main", s.handshake.auth, s.handshake.query.room]),
    );
    const main = server.client("/", { auth: { token: "m" }, query: { room: "r1" } });
    const admin = main.io.socket("/admin", { auth: { token: "a" } });
    admin.connect();
    await Promise.all([connected(main), connected(admin)]);
    await eventually(() => handshakes.length === 2);
    expect(handshakes).toContainEqual(["main", { token: "m" }, "r1"]);
    expect(handshakes).toContainEqual(["admin", { token: "a" }, "r1"]);
    expect(server.io.engine.clientsCount).toBe(1);
    admin.disconnect();
  });

  it("refuses through middleware with message and data, and accepts the retry", async () => {
    const server = await start(mode);
    server.io.use((socket, next) => {
      if (socket.handshake.auth.token === "good") return next();
      const err = Object.assign(new Error("unauthorized"), { data: { hint: "send a token" } });
      next(err);
    });
    const client = server.client("/", { auth: { token: "bad" } });
    const [err] = await next<[Error & { data?: unknown }]>(client, "connect_error");
    expect(err.message).toBe("unauthorized");
    expect(err.data).toEqual({ hint: "send a token" });
    client.auth = { token: "good" };
    client.connect();
    await connected(client);
    expect(server.io.sockets.sockets.size).toBe(1);
  });

  it("refuses an unknown namespace with `Invalid namespace`", async () => {
    const server = await start(mode);
    const client = server.client("/nowhere");
    const [err] = await next<[Error]>(client, "connect_error");
    expect(err.message).toBe("Invalid namespace");
    expect(server.io._nsps.has("/nowhere")).toBe(false);
  });

  it("connects a dynamic namespace matched by a RegExp", async () => {
    const server = await start(mode);
    server.io.of(/^\/room-\d+$/).on("connection", (socket) => socket.emit("in", socket.nsp.name));
    const client = server.client("/room-42");
    const [name] = await next(client, "in");
    expect(name).toBe("/room-42");
  });

  it("connects a dynamic namespace a function accepts, and broadcasts from it", async () => {
    const server = await start(mode);
    const parent = server.io.of((name, auth, next) => next(null, name === `/user-${auth.id}`));
    const joined: string[] = [];
    parent.on("connection", (socket) => {
      socket.join("here");
      joined.push(socket.nsp.name);
    });
    const client = server.client("/user-7", { auth: { id: 7 } });
    await connected(client);
    await eventually(() => joined.length === 1);
    const got = next(client, "hi");
    server.io.of("/user-7").in("here").emit("hi", "from the child");
    expect(await got).toEqual(["from the child"]);
    const refused = server.client("/user-8", { auth: { id: 9 } });
    expect((await next<[Error]>(refused, "connect_error"))[0].message).toBe("Invalid namespace");
  });
});

describe.each(MODES)("socket.io-client over $mode: disconnecting", (mode) => {
  async function pair(options = {}) {
    const server = await start(mode, options);
    const client = server.client();
    const [[socket]] = await Promise.all([
      next<[Socket]>(server.io, "connection"),
      connected(client),
    ]);
    await settled(client, mode, server);
    return { server, client, socket: socket! };
  }

  it("reports `client namespace disconnect` when the client disconnects, rooms still known while disconnecting", async () => {
    const { client, socket } = await pair();
    socket.join("room");
    const disconnecting = new Promise<Set<string>>((resolve) =>
      socket.once("disconnecting", () => resolve(socket.rooms)),
    );
    const reason = next(socket, "disconnect");
    client.disconnect();
    expect(await disconnecting).toEqual(new Set([socket.id, "room"]));
    expect(await reason).toEqual(["client namespace disconnect", undefined]);
    expect(socket.connected).toBe(false);
  });

  it("reports `io server disconnect` to the client on socket.disconnect()", async () => {
    const { client, socket } = await pair();
    const reason = next(client, "disconnect");
    socket.disconnect();
    expect((await reason)[0]).toBe("io server disconnect");
  });

  it("closes the connection on socket.disconnect(true)", async () => {
    const { server, client, socket } = await pair();
    await pollWaiting(client);
    const reason = next(client, "disconnect");
    socket.disconnect(true);
    expect((await reason)[0]).toBe("io server disconnect");
    await eventually(() => server.io.engine.clientsCount === 0);
  });

  it("reports `transport close` when the client's connection goes away", async () => {
    const { client, socket } = await pair();
    const reason = next(socket, "disconnect");
    client.io.engine.close();
    expect((await reason)[0]).toBe("transport close");
  });

  it("reports `server shutting down` on io.close(), and the client sees the transport close", async () => {
    const { server, client, socket } = await pair();
    client.io.reconnection(false);
    await pollWaiting(client);
    const serverReason = next(socket, "disconnect");
    const clientReason = next(client, "disconnect");
    await server.io.close();
    expect((await serverReason)[0]).toBe("server shutting down");
    expect((await clientReason)[0]).toBe("transport close");
  });

  it("reports `ping timeout` when the client stops answering pings", async () => {
    const { client, socket } = await pair({ pingInterval: 100, pingTimeout: 100 });
    const reason = next(socket, "disconnect");
    // The client keeps receiving pings (so it does not time out itself) but no longer
    // answers them.
    const engine = client.io.engine as unknown as { _sendPacket: (type: string) => void };
    const send = engine._sendPacket.bind(engine);
    engine._sendPacket = (type: string, ...rest: unknown[]) => {
      if (type !== "pong") (send as (...a: unknown[]) => void)(type, ...rest);
    };
    expect((await reason)[0]).toBe("ping timeout");
  });
});
