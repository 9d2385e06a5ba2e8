// The client's connection behaviour, run against every server target (socket.io and
// pushwire): namespaces from the URL, multiplexing, auth, query, headers, refusals and
// disconnections.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { io, Manager } from "../../src/client/index.js";
import { Clients, once, startServer, targets, type Running } from "./helpers.js";

describe.each(targets)("client connection against $name", (target) => {
  let server: Running;
  const clients = new Clients();

  beforeEach(async () => {
    server = await startServer(target);
  });

  afterEach(async () => {
    clients.closeAll();
    await server.close();
  });

  it("connects to the main namespace with the id the server gave the socket", async () => {
    const serverSide = once(server.io, "connection");
    const socket = clients.open(server.url());
    await once(socket, "connect");
    const [serverSocket] = await serverSide;
    expect(socket.id).toBe(serverSocket.id);
    expect(socket.connected).toBe(true);
    expect(socket.disconnected).toBe(false);
    expect(socket.active).toBe(true);
  });

  it("connects the seed's way: io.connect(ws URL with a namespace path), then hears pushed events", async () => {
    server.io.of("/test_conn").on("connection", (s: any) => {
      s.emit("server_response", { data: "connected" });
    });
    const socket = clients.track(io.connect(`ws://127.0.0.1:${server.port}/test_conn`));
    const [msg] = await once(socket, "server_response");
    expect(msg).toEqual({ data: "connected" });
    expect(socket.nsp).toBe("/test_conn");
  });

  it("multiplexes namespaces of one server on one Engine.IO connection", async () => {
    const serverSides = [
      once(server.io.of("/a"), "connection"),
      once(server.io.of("/b"), "connection"),
    ];
    const a = clients.track(io(server.url("/a")));
    const b = clients.track(io(server.url("/b")));
    expect(a.io).toBe(b.io);
    await Promise.all([once(a, "connect"), once(b, "connect")]);
    const [[sa], [sb]] = (await Promise.all(serverSides)) as [any[], any[]];
    expect(sa.conn.id).toBe(sb.conn.id);
    expect(sa.conn.id).toBe(a.io.engine.id);
  });

  it("has the server's connection handler run by the time connect fires, as socket.io's testing recipe assumes", async () => {
    let serverSocket: any;
    server.io.on("connection", (s: any) => {
      serverSocket = s;
    });
    server.io.of("/second").on("connection", (s: any) => {
      serverSocket = s;
    });
    const socket = clients.open(server.url());
    await once(socket, "connect");
    expect(serverSocket?.id).toBe(socket.id);
    const second = clients.track(io(server.url("/second"), { forceNew: false }));
    await once(second, "connect");
    expect(serverSocket?.id).toBe(second.id);
  });

  it("opens a separate connection with forceNew, with multiplex: false, and for a namespace already in use", async () => {
    const a = clients.track(io(server.url("/a")));
    const forced = clients.track(io(server.url("/b"), { forceNew: true }));
    const unmultiplexed = clients.track(io(server.url("/c"), { multiplex: false }));
    const again = clients.track(io(server.url("/a")));
    expect(forced.io).not.toBe(a.io);
    expect(unmultiplexed.io).not.toBe(a.io);
    expect(again.io).not.toBe(a.io);
    expect(again).not.toBe(a);
  });

  it("sends the auth object in the CONNECT packet", async () => {
    const serverSide = once(server.io, "connection");
    clients.open(server.url(), { auth: { token: "abc", n: 1 } });
    const [s] = await serverSide;
    expect(s.handshake.auth).toEqual({ token: "abc", n: 1 });
  });

  it("calls an auth function for each connection and sends what it hands back", async () => {
    let calls = 0;
    const auth = (cb: (data: object) => void) => {
      calls++;
      setTimeout(() => cb({ attempt: calls }), 1);
    };
    const tokens: unknown[] = [];
    server.io.on("connection", (s: any) => {
      tokens.push(s.handshake.auth);
      if (tokens.length === 1) s.disconnect();
    });
    const socket = clients.open(server.url(), { auth });
    await once(socket, "disconnect");
    const second = once(server.io, "connection");
    socket.connect();
    await Promise.all([once(socket, "connect"), second]);
    expect(tokens).toEqual([{ attempt: 1 }, { attempt: 2 }]);
  });

  it("passes query parameters from the options and from the URL", async () => {
    const first = once(server.io, "connection");
    clients.open(server.url(), { query: { room: "lobby" } });
    expect((await first)[0].handshake.query).toMatchObject({ room: "lobby", EIO: "4" });
    const second = once(server.io, "connection");
    clients.open(server.url("/?lang=fr"));
    expect((await second)[0].handshake.query).toMatchObject({ lang: "fr" });
  });

  it("sends extraHeaders with the handshake on both transports", async () => {
    for (const transports of [["polling"], ["websocket"]]) {
      const serverSide = once(server.io, "connection");
      clients.open(server.url(), { transports, extraHeaders: { "x-token": "t1" } });
      const [s] = await serverSide;
      expect(s.handshake.headers["x-token"]).toBe("t1");
    }
  });

  it("keeps the server's cookies with withCredentials on Node and sends them back, up to the WebSocket upgrade", async () => {
    await server.close();
    server = await startServer(target, { cookie: true });
    const upgradeCookies: Array<string | undefined> = [];
    server.http.on("upgrade", (req) => upgradeCookies.push(req.headers.cookie));
    const socket = clients.open(server.url(), { withCredentials: true });
    await once(socket, "connect");
    if (socket.io.engine!.transport.name !== "websocket") await once(socket.io.engine!, "upgrade");
    expect(upgradeCookies).toEqual([`io=${socket.io.engine!.id}`]);
  });

  it("sends no cookie without withCredentials", async () => {
    await server.close();
    server = await startServer(target, { cookie: true });
    const upgradeCookies: Array<string | undefined> = [];
    server.http.on("upgrade", (req) => upgradeCookies.push(req.headers.cookie));
    const socket = clients.open(server.url());
    await once(socket, "connect");
    if (socket.io.engine!.transport.name !== "websocket") await once(socket.io.engine!, "upgrade");
    expect(upgradeCookies).toEqual([undefined]);
  });

  it("reports a middleware refusal as connect_error with its message and data, and stays down", async () => {
    server.io.of("/private").use((_s: any, next: (err?: Error) => void) => {
      next(Object.assign(new Error("not authorized"), { data: { code: 401 } }));
    });
    const socket = clients.open(server.url("/private"));
    const [err] = await once(socket, "connect_error");
    expect(err.message).toBe("not authorized");
    expect(err.data).toEqual({ code: 401 });
    expect(err.code).toBe("PW_ERR_CLIENT_CONNECT_REFUSED");
    expect(socket.active).toBe(false);
    expect(socket.connected).toBe(false);
  });

  it("refuses to connect to an unknown namespace with 'Invalid namespace'", async () => {
    const socket = clients.open(server.url("/nowhere"));
    const [err] = await once(socket, "connect_error");
    expect(err.message).toBe("Invalid namespace");
    expect(socket.active).toBe(false);
  });

  it("disconnects with 'io server disconnect' when the server disconnects it, and does not reconnect", async () => {
    server.io.on("connection", (s: any) => s.disconnect());
    const socket = clients.open(server.url());
    const [reason] = await once(socket, "disconnect");
    expect(reason).toBe("io server disconnect");
    expect(socket.active).toBe(false);
    expect(socket.id).toBeUndefined();
  });

  it("disconnects with 'io client disconnect' and the server sees 'client namespace disconnect'", async () => {
    const serverSide = once(server.io, "connection");
    const socket = clients.open(server.url());
    await once(socket, "connect");
    const [s] = await serverSide;
    const serverReason = once(s, "disconnect");
    const clientReason = once(socket, "disconnect");
    socket.disconnect();
    expect((await clientReason)[0]).toBe("io client disconnect");
    expect((await serverReason)[0]).toBe("client namespace disconnect");
    expect(socket.active).toBe(false);
  });

  it("connects again after a manual disconnect when connect() is called", async () => {
    const socket = clients.open(server.url());
    await once(socket, "connect");
    const firstId = socket.id;
    socket.disconnect();
    socket.connect();
    await once(socket, "connect");
    expect(socket.connected).toBe(true);
    expect(socket.id).not.toBe(firstId);
  });

  it("waits for connect() when autoConnect is false", async () => {
    let connections = 0;
    server.io.on("connection", () => connections++);
    const socket = clients.open(server.url(), { autoConnect: false });
    expect(socket.io.engine).toBeUndefined();
    expect(socket.active).toBe(false);
    socket.connect();
    await once(socket, "connect");
    expect(connections).toBe(1);
  });

  it("lets a Manager hold several namespaces with their own options", async () => {
    const serverSides = [
      once(server.io.of("/x"), "connection"),
      once(server.io.of("/y"), "connection"),
    ];
    const manager = new Manager(server.url());
    const x = clients.track(manager.socket("/x", { auth: { ns: "x" } }));
    const y = clients.track(manager.socket("/y", { auth: { ns: "y" } }));
    expect(manager.socket("/x")).toBe(x);
    await Promise.all([once(x, "connect"), once(y, "connect")]);
    const [[sx], [sy]] = (await Promise.all(serverSides)) as [any[], any[]];
    expect([sx.handshake.auth, sy.handshake.auth]).toEqual([{ ns: "x" }, { ns: "y" }]);
  });

  it("emits open on the manager and close with 'forced close' once the last socket leaves", async () => {
    const socket = clients.open(server.url());
    const opened = once(socket.io, "open");
    await once(socket, "connect");
    await opened;
    const closed = once(socket.io, "close");
    socket.disconnect();
    expect((await closed)[0]).toBe("forced close");
  });

  it("answers the server's pings and emits ping on the manager", async () => {
    await server.close();
    server = await startServer(target, { pingInterval: 20, pingTimeout: 1000 });
    const socket = clients.open(server.url());
    await once(socket, "connect");
    await once(socket.io, "ping");
    await once(socket.io, "ping");
    expect(socket.connected).toBe(true);
  });
});
