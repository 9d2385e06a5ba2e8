// socketio.on / event / onEvent: the built-in connect and disconnect, named events,
// the catch-all, and handler return values as acknowledgements.
import { describe, expect, it } from "vitest";
import { ConnectionRefusedError, disconnect, emit, request } from "../../src/index.js";
import { deferred, makeApp, testClient } from "./helpers.js";

describe("socketio.on", () => {
  it("gives connect the client's auth; what it emits arrives before the client is connected", async () => {
    const socketio = makeApp();
    const auths: unknown[] = [];
    socketio.on(
      "connect",
      (auth) => {
        auths.push(auth);
        emit("server_response", { data: "connected" });
      },
      { namespace: "/test_conn" },
    );
    const client = await testClient(socketio, { namespace: "/test_conn", auth: { token: "t" } });
    expect(auths).toEqual([{ token: "t" }]);
    expect(client.getReceived()).toEqual([
      { name: "server_response", args: [{ data: "connected" }], namespace: "/test_conn" },
    ]);
  });

  it("waits for an async connect handler before accepting", async () => {
    const socketio = makeApp();
    const gate = deferred();
    socketio.on("connect", async () => {
      await gate.promise;
      emit("ready");
    });
    const pending = socketio.testClient();
    let settled = false;
    void pending.then(() => (settled = true));
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    gate.resolve();
    const client = await pending;
    expect(client.isConnected()).toBe(true);
    expect(client.getReceived().map((r) => r.name)).toEqual(["ready"]);
    await client.close();
  });

  it("refuses with the default message when connect returns false, and sends nothing it emitted", async () => {
    const socketio = makeApp();
    socketio.on("connect", () => {
      emit("secret");
      return false;
    });
    const client = await testClient(socketio);
    expect(client.isConnected()).toBe(false);
    expect(client.connectError()).toEqual({
      message: "Connection rejected by server",
      data: undefined,
    });
    expect(client.getReceived()).toEqual([]);
  });

  it("refuses with the message and data of a ConnectionRefusedError, sync or async", async () => {
    const socketio = makeApp();
    socketio.on("connect", (auth) => {
      if (auth.sync) throw new ConnectionRefusedError("unauthorized", { retry: false });
      return Promise.reject(new ConnectionRefusedError({ reason: "banned" }));
    });
    const sync = await testClient(socketio, { auth: { sync: true } });
    expect(sync.connectError()).toEqual({ message: "unauthorized", data: { retry: false } });
    const async = await testClient(socketio, { auth: {} });
    expect(async.connectError()).toEqual({
      message: "Connection rejected by server",
      data: { reason: "banned" },
    });
  });

  it("refuses when the connect handler calls disconnect()", async () => {
    const socketio = makeApp();
    socketio.on("connect", () => disconnect());
    const client = await testClient(socketio);
    expect(client.isConnected()).toBe(false);
    expect(client.connectError()?.message).toBe("Connection rejected by server");
  });

  it("gives disconnect the reason, with the request context still there", async () => {
    const socketio = makeApp();
    const seen = deferred<[string, string]>();
    socketio.on("disconnect", (reason) => seen.resolve([reason, request.sid]), { namespace: "/x" });
    const client = await testClient(socketio, { namespace: "/x" });
    const sid = client.sid();
    await client.disconnect();
    expect(await seen.promise).toEqual(["client namespace disconnect", sid]);
  });

  it("answers the acknowledgement with the handler's return value, sync or async", async () => {
    const socketio = makeApp();
    socketio.on("sum", (a: number, b: number) => a + b);
    socketio.on("later", async (x: string) => {
      await new Promise((r) => setImmediate(r));
      return x.toUpperCase();
    });
    socketio.on("nothing", () => {});
    const client = await testClient(socketio);
    expect(await client.emit("sum", 2, 3)).toBe(5);
    expect(await client.emit("later", "ok")).toBe("OK");
    expect(await client.emit("nothing")).toBeUndefined();
  });

  it("keeps the handlers of each namespace apart", async () => {
    const socketio = makeApp();
    socketio.on("who", () => "root");
    socketio.on("who", () => "chat", { namespace: "/chat" });
    const client = await testClient(socketio);
    await client.connect("/chat");
    expect(await client.emit("who")).toBe("root");
    expect(await client.emit("who", { namespace: "/chat" })).toBe("chat");
  });

  it("hands events without a handler of their own to the catch-all, with the event name first", async () => {
    const socketio = makeApp();
    socketio.on("known", () => "known");
    socketio.on("*", (event: string, ...args: unknown[]) => ({ event, args }));
    const client = await testClient(socketio);
    expect(await client.emit("known")).toBe("known");
    expect(await client.emit("other", 1, 2)).toEqual({ event: "other", args: [1, 2] });
    expect(await client.emit("*", "star")).toEqual({ event: "*", args: ["star"] });
  });

  it("dispatches hostile event names through its map without throwing (RELIABILITY A6-1)", async () => {
    const socketio = makeApp();
    const names: string[] = [];
    socketio.on("*", (event: string) => {
      names.push(event);
      return event.length;
    });
    const client = await testClient(socketio);
    for (const name of ["__proto__", "constructor", "hasOwnProperty", "toString", "error", ""]) {
      expect(await client.emit(name)).toBe(name.length);
    }
    expect(names).toEqual(["__proto__", "constructor", "hasOwnProperty", "toString", "error", ""]);
  });

  it("sends no acknowledgement for an event nobody handles", async () => {
    const socketio = makeApp();
    socketio.on("other", () => "x");
    const client = await testClient(socketio);
    expect(socketio.hasHandler("unknown")).toBe(false);
    expect(await client.emit("unknown")).toBeUndefined();
  });

  it("refuses a handler that is not a function and an empty event name", () => {
    const socketio = makeApp();
    expect(() => socketio.on("x", 42 as never)).toThrow(
      expect.objectContaining({ code: "PW_ERR_APP_INVALID_HANDLER" }),
    );
    expect(() => socketio.on("", () => {})).toThrow(
      expect.objectContaining({ code: "PW_ERR_APP_INVALID_HANDLER" }),
    );
    expect(() => socketio.on("x", () => {}, { namespace: "chat" })).toThrow(
      expect.objectContaining({ code: "PW_ERR_APP_INVALID_OPTION" }),
    );
  });
});

describe("socketio.event and onEvent", () => {
  it("names the event after the function, or after each key of an object", async () => {
    const socketio = makeApp();
    socketio.event(function my_event(data: { n: number }) {
      return data.n + 1;
    });
    socketio.event({ ping: () => "pong", echo: (x: unknown) => x }, { namespace: "/t" });
    const client = await testClient(socketio);
    await client.connect("/t");
    expect(await client.emit("my_event", { n: 1 })).toBe(2);
    expect(await client.emit("ping", { namespace: "/t" })).toBe("pong");
    expect(await client.emit("echo", [1], { namespace: "/t" })).toEqual([1]);
  });

  it("refuses an anonymous function, whose name cannot be the event", () => {
    const socketio = makeApp();
    expect(() => socketio.event((() => () => {})())).toThrow(
      expect.objectContaining({ code: "PW_ERR_APP_INVALID_HANDLER" }),
    );
  });

  it("takes Flask-SocketIO's on_event(message, handler, namespace) arguments", async () => {
    const socketio = makeApp();
    socketio.onEvent("hello", (name: string) => `hello ${name}`, "/greet");
    const client = await testClient(socketio, { namespace: "/greet" });
    expect(await client.emit("hello", "ann")).toBe("hello ann");
  });
});
