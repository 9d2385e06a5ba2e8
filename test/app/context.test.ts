// The context functions (emit, send, call, joinRoom, leaveRoom, closeRoom, rooms,
// disconnect, request) and Flask-SocketIO's emit options.
import { describe, expect, it } from "vitest";
import {
  call,
  closeRoom,
  disconnect,
  emit,
  joinRoom,
  leaveRoom,
  request,
  rooms,
  send,
} from "../../src/index.js";
import { splitEmitOptions } from "../../src/app/options.js";
import { makeApp, testClient } from "./helpers.js";

const names = (list: { name: string; args: unknown[] }[]): unknown[] =>
  list.map((r) => [r.name, ...r.args]);

describe("emit inside a handler", () => {
  it("goes to the sender only, by default", async () => {
    const socketio = makeApp();
    socketio.on("hi", (x: unknown) => emit("reply", x));
    const [a, b] = [await testClient(socketio), await testClient(socketio)];
    await a.emit("hi", 1);
    expect(names(a.getReceived())).toEqual([["reply", 1]]);
    expect(b.getReceived()).toEqual([]);
  });

  it("goes to every client of the namespace with broadcast, the sender too unless includeSelf is false", async () => {
    const socketio = makeApp();
    socketio.on("all", () => emit("news", 1, { broadcast: true }));
    socketio.on("others", () => emit("news", 2, { broadcast: true, includeSelf: false }));
    const [a, b] = [await testClient(socketio), await testClient(socketio)];
    await a.emit("all");
    expect(names(a.getReceived())).toEqual([["news", 1]]);
    expect(names(b.getReceived())).toEqual([["news", 1]]);
    await a.emit("others");
    expect(a.getReceived()).toEqual([]);
    expect(names(b.getReceived())).toEqual([["news", 2]]);
  });

  it("goes to a room with to (or room), and leaves out skipSid", async () => {
    const socketio = makeApp();
    socketio.on("join", (room: string) => joinRoom(room));
    socketio.on("to", (room: string) => emit("in", room, { to: room }));
    socketio.on("room", (room: string) => emit("in", room, { room }));
    socketio.on("skip", (room: string, sid: string) =>
      emit("in", room, { to: room, skipSid: sid }),
    );
    const [a, b, c] = [
      await testClient(socketio),
      await testClient(socketio),
      await testClient(socketio),
    ];
    await a.emit("join", "r");
    await b.emit("join", "r");
    await c.emit("to", "r");
    expect(names(a.getReceived())).toEqual([["in", "r"]]);
    expect(names(b.getReceived())).toEqual([["in", "r"]]);
    expect(c.getReceived()).toEqual([]);
    await c.emit("room", "r");
    expect(names(a.getReceived())).toEqual([["in", "r"]]);
    expect(names(b.getReceived())).toEqual([["in", "r"]]);
    await c.emit("skip", "r", a.sid());
    expect(a.getReceived()).toEqual([]);
    expect(names(b.getReceived())).toEqual([["in", "r"]]);
  });

  it("reaches one client by its sid", async () => {
    const socketio = makeApp();
    socketio.on("dm", (sid: string, text: string) => emit("dm", text, { to: sid }));
    const [a, b] = [await testClient(socketio), await testClient(socketio)];
    await a.emit("dm", b.sid(), "psst");
    expect(names(b.getReceived())).toEqual([["dm", "psst"]]);
    expect(a.getReceived()).toEqual([]);
  });

  it("goes to the same client on another namespace with namespace", async () => {
    const socketio = makeApp();
    socketio.on("tell_admin", () => emit("from_root", request.namespace, { namespace: "/admin" }));
    socketio.on("connect", () => {}, { namespace: "/admin" });
    const client = await testClient(socketio);
    await client.connect("/admin");
    await client.emit("tell_admin");
    expect(client.getReceived("/admin")).toEqual([
      { name: "from_root", args: ["/"], namespace: "/admin" },
    ]);
  });

  it("calls callback with the client's acknowledgement", async () => {
    const socketio = makeApp();
    const answers: unknown[] = [];
    socketio.on("ask", () =>
      emit("question", 1, { callback: (...a: unknown[]) => answers.push(a) }),
    );
    const client = await testClient(socketio);
    client.on("question", (n) => (n as number) + 1);
    await client.emit("ask");
    for (let i = 0; i < 50 && answers.length === 0; i++) await new Promise((r) => setImmediate(r));
    expect(answers).toEqual([[2]]);
  });

  it("refuses a callback with a broadcast: it needs one recipient", async () => {
    const socketio = makeApp();
    socketio.on("bad", () => emit("x", { broadcast: true, callback: () => {} }));
    socketio.onError((err) => (err as { code: string }).code);
    const client = await testClient(socketio);
    expect(await client.emit("bad")).toBe("PW_ERR_APP_INVALID_OPTION");
  });

  it("sends emits of the connect handler to the connecting client first, its broadcast copy too", async () => {
    const socketio = makeApp();
    socketio.on("connect", () => {
      joinRoom("lobby");
      emit("hello");
      emit("joined", request.sid, { to: "lobby" });
      emit("everyone", { broadcast: true });
      emit("others", { broadcast: true, includeSelf: false });
    });
    const first = await testClient(socketio);
    expect(first.getReceived().map((r) => r.name)).toEqual(["hello", "joined", "everyone"]);
    const second = await testClient(socketio);
    expect(second.getReceived().map((r) => r.name)).toEqual(["hello", "joined", "everyone"]);
    expect(first.getReceived()).toEqual([
      { name: "joined", args: [second.sid()], namespace: "/" },
      { name: "everyone", args: [], namespace: "/" },
      { name: "others", args: [], namespace: "/" },
    ]);
  });
});

describe("the trailing options rule", () => {
  it("takes a last plain object of option keys as options, anything else as data", () => {
    expect(splitEmitOptions([1, { to: "r" }])).toEqual({ data: [1], opts: { to: "r" } });
    expect(splitEmitOptions([{ data: 1 }])).toEqual({ data: [{ data: 1 }], opts: {} });
    expect(splitEmitOptions([{}])).toEqual({ data: [{}], opts: {} });
    expect(splitEmitOptions([{ to: "r", data: 1 }])).toEqual({
      data: [{ to: "r", data: 1 }],
      opts: {},
    });
    expect(splitEmitOptions([new Map()])).toEqual({ data: [new Map()], opts: {} });
    // To send an object that looks like options, pass options after it.
    expect(splitEmitOptions([{ to: "r" }, { broadcast: false }])).toEqual({
      data: [{ to: "r" }],
      opts: { broadcast: false },
    });
  });

  it("refuses options of the wrong type", () => {
    expect(() => splitEmitOptions([{ to: 5 }])).toThrow(
      expect.objectContaining({ code: "PW_ERR_APP_INVALID_OPTION" }),
    );
    expect(() => splitEmitOptions([{ namespace: "chat" }])).toThrow(/namespace/);
    expect(() => splitEmitOptions([{ callback: "x" }])).toThrow(/callback/);
  });
});

describe("send, call and rooms", () => {
  it("send echoes an unnamed message to the sender", async () => {
    const socketio = makeApp();
    socketio.on("message", (msg: unknown) => send(msg));
    const client = await testClient(socketio);
    await client.send({ text: "hi" });
    expect(client.getReceived()).toEqual([
      { name: "message", args: [{ text: "hi" }], namespace: "/" },
    ]);
  });

  it("call waits for the current client's answer", async () => {
    const socketio = makeApp();
    socketio.on("login", async () => `hello ${String(await call("name?"))}`);
    const client = await testClient(socketio);
    client.on("name?", () => "ann");
    expect(await client.emit("login")).toBe("hello ann");
  });

  it("joinRoom, leaveRoom and rooms act on the current client, or on sid", async () => {
    const socketio = makeApp();
    socketio.on("join", (room: string, sid?: string) => joinRoom(room, { sid }));
    socketio.on("leave", (room: string) => leaveRoom(room));
    socketio.on("rooms", (sid?: string) => rooms({ sid }));
    const [a, b] = [await testClient(socketio), await testClient(socketio)];
    await a.emit("join", "r1");
    await a.emit("join", "r2", b.sid());
    expect(await a.emit("rooms")).toEqual([a.sid(), "r1"]);
    expect(await a.emit("rooms", b.sid())).toEqual([b.sid(), "r2"]);
    await a.emit("leave", "r1");
    expect(await a.emit("rooms")).toEqual([a.sid()]);
  });

  it("closeRoom empties a room", async () => {
    const socketio = makeApp();
    socketio.on("join", (room: string) => joinRoom(room));
    socketio.on("close", (room: string) => closeRoom(room));
    socketio.on("rooms", () => rooms());
    const [a, b] = [await testClient(socketio), await testClient(socketio)];
    await a.emit("join", "r");
    await b.emit("join", "r");
    await a.emit("close", "r");
    expect(await a.emit("rooms")).toEqual([a.sid()]);
    expect(await b.emit("rooms")).toEqual([b.sid()]);
  });

  it("disconnect ends the current client's namespace, or another's by sid", async () => {
    const socketio = makeApp();
    const reasons: string[] = [];
    socketio.on("disconnect", (reason: string) => void reasons.push(reason));
    socketio.on("bye", (sid?: string) => disconnect({ sid }));
    const [a, b] = [await testClient(socketio), await testClient(socketio)];
    await a.emit("bye", b.sid());
    expect(b.isConnected()).toBe(false);
    await expect(a.emit("bye")).rejects.toMatchObject({ code: "PW_ERR_ACK_DISCONNECTED" });
    expect(a.isConnected()).toBe(false);
    expect(reasons).toEqual(["server namespace disconnect", "server namespace disconnect"]);
  });
});

describe("request", () => {
  it("tells the sid, namespace, event, args, auth, headers, query and address", async () => {
    const socketio = makeApp();
    socketio.on(
      "who",
      (_x: number) => ({
        sid: request.sid,
        namespace: request.namespace,
        event: request.event,
        args: request.eventArgs,
        auth: request.auth,
        ua: request.headers["user-agent"],
        q: request.query.q,
        address: request.address,
        same: request.socket.id === request.sid,
      }),
      { namespace: "/n" },
    );
    const client = await testClient(socketio, {
      namespace: "/n",
      auth: { user: "ann" },
      headers: { "User-Agent": "tests" },
      query: { q: "1" },
    });
    expect(await client.emit("who", 7)).toEqual({
      sid: client.sid(),
      namespace: "/n",
      event: "who",
      args: [7],
      auth: { user: "ann" },
      ua: "tests",
      q: "1",
      address: "127.0.0.1",
      same: true,
    });
  });

  it("follows the handler across awaits and into its timers", async () => {
    const socketio = makeApp();
    socketio.on("slow", async () => {
      await new Promise((r) => setTimeout(r, 1));
      emit("after_await");
      await new Promise<void>((r) => setTimeout(() => (emit("in_timer"), r()), 1));
      return request.sid;
    });
    const client = await testClient(socketio);
    expect(await client.emit("slow")).toBe(client.sid());
    expect(client.getReceived().map((r) => r.name)).toEqual(["after_await", "in_timer"]);
  });

  it("throws PW_ERR_APP_NO_CONTEXT outside a handler, from every context function", () => {
    const outside = [
      () => emit("x"),
      () => send("x"),
      () => call("x"),
      () => joinRoom("r"),
      () => leaveRoom("r"),
      () => closeRoom("r"),
      () => rooms(),
      () => disconnect(),
      () => request.sid,
      () => request.headers,
    ];
    for (const fn of outside) {
      expect(fn).toThrow(expect.objectContaining({ code: "PW_ERR_APP_NO_CONTEXT" }));
    }
    expect(() => emit("x")).toThrow(/socketio\.emit/);
  });
});
