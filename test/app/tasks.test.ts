// Background tasks and socketio.sleep: started outside any request context, stopped
// by their handle or when the app closes, reported (never fatal) when they throw.
import { afterEach, describe, expect, it, vi } from "vitest";
import { emit, request, SocketIO } from "../../src/index.js";
import { deferred, makeApp, testClient } from "./helpers.js";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("startBackgroundTask", () => {
  it("runs the function on a later turn with a signal and the arguments given", async () => {
    const socketio = makeApp();
    const got = deferred<unknown[]>();
    let started = false;
    const task = socketio.startBackgroundTask(
      (signal, a: number, b: string) => {
        started = true;
        got.resolve([signal instanceof AbortSignal, a, b]);
      },
      1,
      "two",
    );
    expect(started).toBe(false);
    expect(await got.promise).toEqual([true, 1, "two"]);
    await task.done;
    expect(task.running).toBe(false);
  });

  it("emits to clients from outside any handler, where context functions refuse", async () => {
    const socketio = makeApp();
    const client = await testClient(socketio);
    const task = socketio.startBackgroundTask(() => {
      expect(() => request.sid).toThrow(expect.objectContaining({ code: "PW_ERR_APP_NO_CONTEXT" }));
      socketio.emit("from_task", 1);
    });
    await task.done;
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(client.getReceived()).toEqual([{ name: "from_task", args: [1], namespace: "/" }]);
  });

  it("runs outside the request context even when started from a handler", async () => {
    const socketio = makeApp();
    const inside = deferred<string>();
    socketio.on("start", () => {
      socketio.startBackgroundTask(() => {
        try {
          emit("x");
          inside.resolve("had a context");
        } catch (err) {
          inside.resolve((err as { code: string }).code);
        }
      });
    });
    const client = await testClient(socketio);
    await client.emit("start");
    expect(await inside.promise).toBe("PW_ERR_APP_NO_CONTEXT");
  });

  it("stops a loop at its sleep when stopped, and done resolves", async () => {
    const socketio = makeApp();
    let ticks = 0;
    const firstTick = deferred();
    const task = socketio.startBackgroundTask(async (signal) => {
      while (!signal.aborted) {
        await socketio.sleep(0.001);
        ticks++;
        firstTick.resolve();
      }
    });
    await firstTick.promise;
    task.stop();
    await task.done;
    const after = ticks;
    expect(task.signal.aborted).toBe(true);
    expect(task.running).toBe(false);
    await new Promise((r) => setTimeout(r, 5));
    expect(ticks).toBe(after);
  });

  it("stops every task when the app closes, and close waits for them", async () => {
    const socketio = new SocketIO({ serveClient: false });
    const order: string[] = [];
    socketio.startBackgroundTask(async () => {
      try {
        await socketio.sleep(3600);
      } finally {
        order.push("task ended");
      }
    });
    await new Promise((r) => setImmediate(r));
    await socketio.close();
    order.push("closed");
    expect(order).toEqual(["task ended", "closed"]);
    expect(() => socketio.startBackgroundTask(() => {})).toThrow(
      expect.objectContaining({ code: "PW_ERR_APP_CLOSED" }),
    );
  });

  it("reports a throwing task to the default error handler, and the others keep running", async () => {
    const socketio = makeApp();
    const reported = deferred<unknown>();
    socketio.onErrorDefault((err) => reported.resolve(err));
    const task = socketio.startBackgroundTask(async () => {
      throw new Error("task failed");
    });
    await task.done; // resolves: the failure was reported, not rethrown
    expect(String(await reported.promise)).toBe("Error: task failed");
    const other = socketio.startBackgroundTask(() => "fine");
    await other.done;
  });

  it("reports a throwing task with console.error when there is no handler", async () => {
    const socketio = makeApp();
    const logged = deferred<unknown[]>();
    vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => logged.resolve(args));
    socketio.startBackgroundTask(() => {
      throw new Error("sync failure");
    });
    const [message, err] = await logged.promise;
    expect(message).toBe("pushwire: a background task failed:");
    expect((err as Error).message).toBe("sync failure");
  });

  it("never runs a task stopped before it started", async () => {
    const socketio = makeApp();
    let ran = false;
    const task = socketio.startBackgroundTask(() => {
      ran = true;
    });
    task.stop();
    await task.done;
    expect(ran).toBe(false);
  });
});

describe("socketio.sleep", () => {
  it("resolves after the delay", async () => {
    const socketio = makeApp();
    await expect(socketio.sleep(0.001)).resolves.toBeUndefined();
  });

  it("rejects with an AbortError when its signal aborts, or at once when it already has", async () => {
    const socketio = makeApp();
    const controller = new AbortController();
    const sleeping = socketio.sleep(3600, controller.signal);
    controller.abort();
    await expect(sleeping).rejects.toMatchObject({ name: "AbortError" });
    await expect(socketio.sleep(1, controller.signal)).rejects.toMatchObject({
      name: "AbortError",
    });
  });

  it("rejects when the app closes", async () => {
    const socketio = new SocketIO({ serveClient: false });
    const sleeping = socketio.sleep(3600);
    await socketio.close();
    await expect(sleeping).rejects.toMatchObject({ name: "AbortError" });
  });
});
