// socketio.emit, socketio.send, socketio.call and socketio.closeRoom: sending from
// outside handlers (a background task, a route of the app).
import { describe, expect, it } from "vitest";
import { joinRoom, rooms } from "../../src/index.js";
import { makeApp, testClient } from "./helpers.js";

const turns = async (n = 5): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

describe("socketio.emit and socketio.send", () => {
  it("reach every client of the namespace, / unless namespace says otherwise", async () => {
    const socketio = makeApp();
    socketio.on("connect", () => {}, { namespace: "/feed" });
    const root = await testClient(socketio);
    const [a, b] = [
      await testClient(socketio, { namespace: "/feed" }),
      await testClient(socketio, { namespace: "/feed" }),
    ];
    socketio.emit("news", { n: 1 }, { namespace: "/feed" });
    socketio.send("plain");
    await turns();
    for (const c of [a, b]) {
      expect(c.getReceived()).toEqual([{ name: "news", args: [{ n: 1 }], namespace: "/feed" }]);
    }
    expect(root.getReceived()).toEqual([{ name: "message", args: ["plain"], namespace: "/" }]);
  });

  it("reach only a room, or one client by sid, with to; skipSid leaves some out", async () => {
    const socketio = makeApp();
    socketio.on("join", (room: string) => joinRoom(room));
    const [a, b, c] = [
      await testClient(socketio),
      await testClient(socketio),
      await testClient(socketio),
    ];
    await a.emit("join", "r");
    await b.emit("join", "r");
    socketio.emit("to_room", { to: "r" });
    socketio.emit("to_one", { to: c.sid()! });
    socketio.emit("skipping", { to: "r", skipSid: a.sid()! });
    await turns();
    expect(a.getReceived().map((r) => r.name)).toEqual(["to_room"]);
    expect(b.getReceived().map((r) => r.name)).toEqual(["to_room", "skipping"]);
    expect(c.getReceived().map((r) => r.name)).toEqual(["to_one"]);
  });

  it("inside a handler, broadcast to the namespace and can leave the sender out", async () => {
    const socketio = makeApp();
    socketio.on("shout", () => socketio.emit("heard", { includeSelf: false }));
    socketio.on("shout_all", () => socketio.emit("heard"));
    const [a, b] = [await testClient(socketio), await testClient(socketio)];
    await a.emit("shout");
    expect(a.getReceived()).toEqual([]);
    expect(b.getReceived().map((r) => r.name)).toEqual(["heard"]);
    await a.emit("shout_all");
    expect(a.getReceived().map((r) => r.name)).toEqual(["heard"]);
  });

  it("do nothing for a namespace no client uses, without creating it", async () => {
    const socketio = makeApp();
    socketio.emit("void", { namespace: "/nobody" });
    expect(socketio.server._nsps.has("/nobody")).toBe(false);
  });

  it("calls callback with the acknowledgement of the one client named by to", async () => {
    const socketio = makeApp();
    const client = await testClient(socketio);
    client.on("add", (a, b) => (a as number) + (b as number));
    const answer = new Promise((resolve) =>
      socketio.emit("add", 2, 3, { to: client.sid()!, callback: resolve }),
    );
    expect(await answer).toBe(5);
    expect(() => socketio.emit("add", { to: "nobody", callback: () => {} })).toThrow(
      expect.objectContaining({ code: "PW_ERR_APP_NO_SUCH_CLIENT" }),
    );
  });
});

describe("socketio.call", () => {
  it("resolves with the client's answer: one value, several, or none", async () => {
    const socketio = makeApp();
    socketio.on("connect", () => {}, { namespace: "/q" });
    const client = await testClient(socketio, { namespace: "/q" });
    client.on("one", (x) => `got ${String(x)}`);
    client.on("none", () => undefined);
    expect(await socketio.call("one", 1, { to: client.sid()!, namespace: "/q" })).toBe("got 1");
    expect(
      await socketio.call("none", undefined, { to: client.sid()!, namespace: "/q" }),
    ).toBeUndefined();
    expect(client.getReceived()).toEqual([
      { name: "one", args: [1], namespace: "/q" },
      { name: "none", args: [], namespace: "/q" },
    ]);
  });

  it("rejects with PW_ERR_ACK_TIMEOUT when the client does not answer in time", async () => {
    const socketio = makeApp();
    const client = await testClient(socketio);
    await expect(
      socketio.call("silent", null, { to: client.sid()!, timeout: 1 }),
    ).rejects.toMatchObject({
      code: "PW_ERR_ACK_TIMEOUT",
    });
  });

  it("rejects with PW_ERR_APP_NO_SUCH_CLIENT for a sid nobody has, and needs to outside a handler", async () => {
    const socketio = makeApp();
    await testClient(socketio);
    await expect(socketio.call("x", null, { to: "nobody" })).rejects.toMatchObject({
      code: "PW_ERR_APP_NO_SUCH_CLIENT",
    });
    await expect(
      socketio.call("x", null, { to: "nobody", namespace: "/none" }),
    ).rejects.toMatchObject({
      code: "PW_ERR_APP_NO_SUCH_CLIENT",
    });
    await expect(socketio.call("x")).rejects.toMatchObject({ code: "PW_ERR_APP_INVALID_OPTION" });
  });

  it("defaults to the current client inside a handler", async () => {
    const socketio = makeApp();
    socketio.on("hello", async () => `hi ${String(await socketio.call("name?"))}`);
    const client = await testClient(socketio);
    client.on("name?", () => "bo");
    expect(await client.emit("hello")).toBe("hi bo");
  });
});

describe("socketio.closeRoom", () => {
  it("empties a room of a namespace", async () => {
    const socketio = makeApp();
    socketio.on("join", (room: string) => joinRoom(room), { namespace: "/g" });
    socketio.on("rooms", () => rooms(), { namespace: "/g" });
    const client = await testClient(socketio, { namespace: "/g" });
    await client.emit("join", "game");
    socketio.closeRoom("game", "/g");
    expect(await client.emit("rooms")).toEqual([client.sid()]);
  });
});
