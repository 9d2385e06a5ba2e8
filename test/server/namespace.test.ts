import { describe, expect, it } from "vitest";
import type { ExtendedError, Namespace, Socket } from "../../src/index.js";
import { announced, fakeServer, until } from "./fake.js";

describe("namespace: middleware", () => {
  it("refuses a socket with CONNECT_ERROR { message, data } on next(err)", async () => {
    const server = fakeServer();
    const connected: string[] = [];
    server.io.use((_socket, next) => {
      const err: ExtendedError = new Error("not authorized");
      err.data = { retry: false };
      next(err);
    });
    server.io.on("connection", (s) => connected.push(s.id));
    const conn = server.open();
    conn.receive("0");
    await until(() => conn.texts.length > 0);
    expect(conn.texts).toEqual(['4{"message":"not authorized","data":{"retry":false}}']);
    expect(server.io.sockets.sockets.size).toBe(0);
    expect(connected).toEqual([]);
    expect(conn.readyState).toBe("open");
  });

  it("lets the client retry after a refusal", async () => {
    const server = fakeServer();
    let attempts = 0;
    server.io.use((_socket, next) => (++attempts === 1 ? next(new Error("later")) : next()));
    const conn = server.open();
    conn.receive("0");
    await until(() => conn.texts.length === 1);
    conn.receive("0");
    await until(() => conn.texts.length === 2);
    expect(conn.texts[0]).toBe('4{"message":"later"}');
    expect(conn.texts[1]).toMatch(/^0\{"sid":/);
  });

  it("runs middlewares in order, async ones included, with the socket's handshake", async () => {
    const server = fakeServer();
    const order: string[] = [];
    server.io.use((socket, next) => {
      order.push(`1:${String(socket.handshake.auth.token)}`);
      setImmediate(next);
    });
    server.io.use(async (socket, next) => {
      await Promise.resolve();
      order.push("2");
      socket.data = { user: "ann" };
      next();
    });
    server.io.use((_socket, next) => {
      order.push("3");
      next();
    });
    let data: unknown;
    server.io.on("connection", (s) => (data = s.data));
    await server.connect("/", { token: "t" });
    expect(order).toEqual(["1:t", "2", "3"]);
    expect(data).toEqual({ user: "ann" });
  });

  it("holds the connection while a middleware has not called next()", async () => {
    const server = fakeServer();
    server.io.use(async () => {});
    const conn = server.open();
    conn.receive("0");
    await announced();
    expect(conn.texts).toEqual([]);
    expect(conn.readyState).toBe("open");
  });

  it("turns a middleware that throws or rejects into a refusal, never a crash", async () => {
    const server = fakeServer();
    server.io.of("/sync").use(() => {
      throw new Error("sync failure");
    });
    server.io.of("/async").use(async () => {
      throw new Error("async failure");
    });
    server.io.of("/value").use(() => {
      throw "a string";
    });
    const conn = server.open();
    conn.receive("0/sync,");
    conn.receive("0/async,");
    conn.receive("0/value,");
    await until(() => conn.texts.length === 3);
    expect(conn.texts.sort()).toEqual([
      '4/async,{"message":"async failure"}',
      '4/sync,{"message":"sync failure"}',
      '4/value,{"message":"a string"}',
    ]);
  });

  it("drops a socket whose connection closed while its middleware ran", async () => {
    const server = fakeServer();
    let release!: () => void;
    server.io.use((_socket, next) => (release = next));
    const connected: string[] = [];
    server.io.on("connection", (s) => connected.push(s.id));
    const conn = server.open();
    conn.receive("0");
    await until(() => release !== undefined);
    conn.drop();
    release();
    await announced();
    expect(connected).toEqual([]);
    expect(server.io.sockets.sockets.size).toBe(0);
  });

  it("closes the connection on an EVENT sent before the CONNECT answer", async () => {
    const server = fakeServer();
    server.io.use(() => {}); // never answers
    const conn = server.open();
    conn.receive("0");
    conn.receive('2["too early"]');
    expect(conn.closedByServer).toBe(true);
  });
});

describe("namespace: dynamic namespaces", () => {
  it("creates a child for a name the RegExp accepts, with the parent's middlewares and listeners", async () => {
    const server = fakeServer();
    const parent = server.io.of(/^\/team-\d+$/);
    const seen: string[] = [];
    parent.use((socket, next) => {
      seen.push(`mw:${socket.nsp.name}`);
      next();
    });
    parent.on("connection", (socket) => seen.push(`conn:${socket.nsp.name}`));
    const created: string[] = [];
    server.io.on("new_namespace", (nsp: Namespace) => created.push(nsp.name));
    await server.connect("/team-7");
    expect(seen).toEqual(["mw:/team-7", "conn:/team-7"]);
    expect(created).toEqual(["/team-7"]);
    expect(server.io._nsps.has("/team-7")).toBe(true);
  });

  it("asks a function parent, which may answer later", async () => {
    const server = fakeServer();
    server.io.of((name, auth, next) => {
      setImmediate(() => next(null, name.startsWith("/user-") && auth.ok === true));
    });
    const conn = server.open();
    conn.receive('0/user-1,{"ok":true}');
    conn.receive('0/user-2,{"ok":false}');
    await until(() => conn.texts.length === 2);
    expect(conn.texts.find((t) => t.startsWith("0/user-1,{"))).toBeDefined();
    expect(conn.texts).toContain('4/user-2,{"message":"Invalid namespace"}');
    expect(server.io._nsps.has("/user-2")).toBe(false);
  });

  it("treats a matcher that throws as a refusal", async () => {
    const server = fakeServer();
    server.io.of(() => {
      throw new Error("bug");
    });
    const conn = server.open();
    conn.receive("0/x,");
    await until(() => conn.texts.length === 1);
    expect(conn.texts).toEqual(['4/x,{"message":"Invalid namespace"}']);
  });

  it("broadcasts from the parent to every child", async () => {
    const server = fakeServer();
    const parent = server.io.of(/^\/r\d$/);
    const a = await server.connect("/r1");
    const b = await server.connect("/r2");
    a.clear();
    b.clear();
    parent.emit("all", 1);
    parent.to("nobody").emit("none");
    expect(a.texts).toEqual(['2/r1,["all",1]']);
    expect(b.texts).toEqual(['2/r2,["all",1]']);
  });

  it("refuses fetchSockets() on a parent namespace", () => {
    const { io } = fakeServer();
    expect(() => io.of(/x/).fetchSockets()).toThrowError(
      expect.objectContaining({ code: "PW_ERR_SERVER_UNSUPPORTED" }),
    );
  });

  it("refuses a stateful RegExp", () => {
    const { io } = fakeServer();
    expect(() => io.of(/x/g)).toThrowError(
      expect.objectContaining({ code: "PW_ERR_SERVER_INVALID_OPTION" }),
    );
  });

  it("removes an empty child with cleanupEmptyChildNamespaces", async () => {
    const server = fakeServer({ cleanupEmptyChildNamespaces: true });
    server.io.of(/^\/c-\d+$/);
    const conn = await server.connect("/c-1");
    expect(server.io._nsps.has("/c-1")).toBe(true);
    conn.receive("1/c-1,");
    expect(server.io._nsps.has("/c-1")).toBe(false);
  });

  it("keeps empty children by default, as socket.io", async () => {
    const server = fakeServer();
    server.io.of(/^\/c-\d+$/);
    const conn = await server.connect("/c-1");
    conn.receive("1/c-1,");
    expect(server.io._nsps.has("/c-1")).toBe(true);
  });
});

describe("namespace: operations on its sockets", () => {
  async function three() {
    const server = fakeServer();
    const sockets: Socket[] = [];
    server.io.on("connection", (s) => sockets.push(s));
    const conns = [await server.connect(), await server.connect(), await server.connect()];
    for (const c of conns) c.clear();
    return { server, sockets, conns };
  }

  it("emits to everyone, to rooms, and except rooms", async () => {
    const { server, sockets, conns } = await three();
    sockets[0]!.join("a");
    sockets[1]!.join(["a", "b"]);
    server.io.emit("all");
    server.io.to("a").emit("a");
    server.io.to("a").to("b").emit("a or b");
    server.io.to("a").except("b").emit("a not b");
    server.io.except("a").emit("not a");
    server.io.in(sockets[2]!.id).emit("by id");
    expect(conns[0]!.texts).toEqual(['2["all"]', '2["a"]', '2["a or b"]', '2["a not b"]']);
    expect(conns[1]!.texts).toEqual(['2["all"]', '2["a"]', '2["a or b"]']);
    expect(conns[2]!.texts).toEqual(['2["all"]', '2["not a"]', '2["by id"]']);
  });

  it("encodes a broadcast once and hands the same prepared object to every recipient", async () => {
    const { server, conns } = await three();
    server.io.emit("news", { big: "x".repeat(1000) });
    const prepared = conns.map((c) => c.sent[0]!.prepared);
    expect(prepared[0]).toBeDefined();
    expect(prepared[1]).toBe(prepared[0]);
    expect(prepared[2]).toBe(prepared[0]);
  });

  it("fetches, joins, moves and disconnects sockets", async () => {
    const { server, sockets } = await three();
    sockets[0]!.join("a");
    const fetched = await server.io.in("a").fetchSockets();
    expect(fetched.map((s) => s.id)).toEqual([sockets[0]!.id]);
    server.io.except("a").socketsJoin(["b", "c"]);
    expect(sockets[1]!.rooms.has("b")).toBe(true);
    expect(sockets[0]!.rooms.has("b")).toBe(false);
    server.io.in("b").socketsLeave("c");
    expect(sockets[2]!.rooms.has("c")).toBe(false);
    expect(await server.io.allSockets()).toEqual(new Set(sockets.map((s) => s.id)));
    server.io.in("b").disconnectSockets();
    expect(sockets.map((s) => s.connected)).toEqual([true, false, false]);
  });

  it("answers serverSideEmitWithAck with no responses on a single node", async () => {
    const { io } = fakeServer();
    await expect(io.serverSideEmitWithAck("ping")).resolves.toEqual([]);
    expect(() => io.serverSideEmit("connection")).toThrowError(
      expect.objectContaining({ code: "PW_ERR_SERVER_RESERVED_EVENT" }),
    );
  });

  it("hands server-side events from other nodes to the namespace's listeners", () => {
    const { io } = fakeServer();
    const got: unknown[] = [];
    io.on("hello", (...args: unknown[]) => got.push(args));
    io.sockets.onServerSideEmit(["hello", 1, 2]);
    expect(got).toEqual([[1, 2]]);
  });
});
