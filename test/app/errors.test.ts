// Error handlers: what a handler throws (sync or async) goes to onError(namespace),
// else onErrorDefault, else console.error; never to the event loop.
import { afterEach, describe, expect, it, vi } from "vitest";
import { emit, request } from "../../src/index.js";
import { deferred, makeApp, testClient } from "./helpers.js";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("error handlers", () => {
  it("give a sync or async failure to the namespace's handler, in the failed handler's context", async () => {
    const socketio = makeApp();
    socketio.on(
      "sync",
      () => {
        throw new Error("sync");
      },
      { namespace: "/a" },
    );
    socketio.on(
      "async",
      async () => {
        await new Promise((r) => setImmediate(r));
        throw new Error("async");
      },
      { namespace: "/a" },
    );
    const seen: unknown[] = [];
    socketio.onError("/a", (err) => {
      seen.push([request.event, (err as Error).message]);
      emit("oops", (err as Error).message);
      return { error: (err as Error).message };
    });
    const client = await testClient(socketio, { namespace: "/a" });
    expect(await client.emit("sync")).toEqual({ error: "sync" });
    expect(await client.emit("async")).toEqual({ error: "async" });
    expect(seen).toEqual([
      ["sync", "sync"],
      ["async", "async"],
    ]);
    expect(client.getReceived().map((r) => r.args[0])).toEqual(["sync", "async"]);
  });

  it("use the default handler for namespaces without their own", async () => {
    const socketio = makeApp();
    socketio.on(
      "boom",
      () => {
        throw new TypeError("bad");
      },
      { namespace: "/b" },
    );
    socketio.on("boom", () => {
      throw new Error("root");
    });
    socketio.onError((err) => `root handler: ${(err as Error).message}`);
    socketio.onErrorDefault((err) => `default: ${(err as Error).message}`);
    const client = await testClient(socketio);
    await client.connect("/b");
    expect(await client.emit("boom")).toBe("root handler: root");
    expect(await client.emit("boom", { namespace: "/b" })).toBe("default: bad");
  });

  it("log with console.error when there is no handler, and the process goes on", async () => {
    const socketio = makeApp();
    const logged = deferred<unknown[]>();
    vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => logged.resolve(args));
    socketio.on("boom", async () => {
      throw new Error("unhandled");
    });
    socketio.on("fine", () => "still here");
    const client = await testClient(socketio);
    void client.emit("boom").catch(() => {});
    const [message, err] = await logged.promise;
    expect(message).toMatch(/"boom" handler on \/ failed/);
    expect((err as Error).message).toBe("unhandled");
    expect(await client.emit("fine")).toBe("still here");
  });

  it("log an error handler's own failure next to the error it was handling", async () => {
    const socketio = makeApp();
    const logged = deferred<unknown[]>();
    vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => logged.resolve(args));
    socketio.on("boom", () => {
      throw new Error("first");
    });
    socketio.onError(() => {
      throw new Error("second");
    });
    const client = await testClient(socketio);
    void client.emit("boom").catch(() => {});
    const args = await logged.promise;
    expect(args.map((a) => (a instanceof Error ? a.message : a))).toEqual([
      "pushwire: the error handler of / failed:",
      "second",
      "while handling",
      "first",
    ]);
  });

  it("refuse the client, without telling it why, when connect fails unexpectedly", async () => {
    const socketio = makeApp();
    const reported = deferred<unknown>();
    socketio.on("connect", () => {
      throw new Error("database down");
    });
    socketio.onErrorDefault((err) => reported.resolve(err));
    const client = await testClient(socketio);
    expect(client.isConnected()).toBe(false);
    expect(client.connectError()).toEqual({
      message: "Connection rejected by server",
      data: undefined,
    });
    expect(String(await reported.promise)).toBe("Error: database down");
  });

  it("take a failure of the disconnect handler too", async () => {
    const socketio = makeApp();
    const reported = deferred<unknown>();
    socketio.on("disconnect", () => {
      throw new Error("cleanup failed");
    });
    socketio.onError((err) => reported.resolve([request.event, (err as Error).message]));
    const client = await testClient(socketio);
    await client.disconnect();
    expect(await reported.promise).toEqual(["disconnect", "cleanup failed"]);
  });

  it("refuse an error handler that is not a function", () => {
    const socketio = makeApp();
    expect(() => socketio.onErrorDefault("x" as never)).toThrow(
      expect.objectContaining({ code: "PW_ERR_APP_INVALID_HANDLER" }),
    );
    expect(() => socketio.onError("/", undefined as never)).toThrow(
      expect.objectContaining({ code: "PW_ERR_APP_INVALID_HANDLER" }),
    );
  });
});
