// SocketIO({ messageQueue }): apps on several nodes share broadcasts and rooms through
// a private Redis; a write-only app emits to their clients without serving any.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emit, joinRoom, SocketIO, type SocketIOOptions } from "../../src/index.js";
import type { SocketIOTestClient } from "../../src/testing/index.js";
import {
  startFaultProxy,
  startRedis,
  type FaultProxy,
  type RedisServer,
} from "../support/redis-server.js";
import { later, testClient } from "./helpers.js";

let redis: RedisServer;
let proxy: FaultProxy;
let url: string;

beforeAll(async () => {
  redis = await startRedis();
  proxy = await startFaultProxy(redis.socketPath); // a TCP port for the URL
  url = `redis://127.0.0.1:${proxy.port}`;
});

afterAll(async () => {
  await proxy?.close();
  await redis?.close();
});

const NS = "/mq";

function node(options: SocketIOOptions = {}): SocketIO {
  const socketio = new SocketIO({
    serveClient: false,
    messageQueue: url,
    channel: "pw-test",
    ...options,
  });
  later(() => socketio.close());
  return socketio;
}

function handlers(socketio: SocketIO): SocketIO {
  socketio.on("join", (room: string) => joinRoom(room), { namespace: NS });
  socketio.on("shout", (text: string) => emit("heard", text, { broadcast: true }), {
    namespace: NS,
  });
  return socketio;
}

/** Waits until `client` receives what `send` keeps sending: the nodes are subscribed. */
async function linked(send: () => void, client: SocketIOTestClient): Promise<void> {
  for (let i = 0; i < 500; i++) {
    send();
    await new Promise((r) => setTimeout(r, 10));
    if (client.getReceived().some((r) => r.name === "probe")) {
      await new Promise((r) => setTimeout(r, 20));
      client.getReceived();
      return;
    }
  }
  throw new Error("the nodes never linked");
}

async function received(client: SocketIOTestClient, name: string): Promise<unknown[]> {
  for (let i = 0; i < 500; i++) {
    const found = client.getReceived().find((r) => r.name === name);
    if (found !== undefined) return found.args;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`${name} never arrived`);
}

describe("messageQueue", () => {
  it("carries socketio.emit, broadcasts from handlers and room emits to the clients of other nodes", async () => {
    const [a, b] = [handlers(node()), handlers(node())];
    const onA = await testClient(a, { namespace: NS });
    const onB = await testClient(b, { namespace: NS });
    await linked(() => a.emit("probe", { namespace: NS }), onB);

    a.emit("news", 1, { namespace: NS });
    expect(await received(onB, "news")).toEqual([1]);

    await onA.emit("shout", "hello");
    expect(await received(onB, "heard")).toEqual(["hello"]);
    expect(await received(onA, "heard")).toEqual(["hello"]);

    await onB.emit("join", "room-b");
    a.emit("to_room", "r", { namespace: NS, to: "room-b" });
    expect(await received(onB, "to_room")).toEqual(["r"]);
  });

  it("lets a write-only app emit to the clients of the nodes, and nothing else", async () => {
    const server = handlers(node());
    const worker = node({ writeOnly: true });
    await worker.ready;
    const client = await testClient(server, { namespace: NS });
    await linked(() => worker.emit("probe", { namespace: NS }), client);

    worker.emit("job_done", { id: 7 }, { namespace: NS });
    expect(await received(client, "job_done")).toEqual([{ id: 7 }]);
    worker.send("note", { namespace: NS });
    expect(await received(client, "message")).toEqual(["note"]);

    expect(() => worker.on("x", () => {})).toThrow(
      expect.objectContaining({ code: "PW_ERR_APP_WRITE_ONLY" }),
    );
    await expect(worker.run()).rejects.toMatchObject({ code: "PW_ERR_APP_WRITE_ONLY" });
    await expect(worker.call("x", null, { to: "sid" })).rejects.toMatchObject({
      code: "PW_ERR_APP_WRITE_ONLY",
    });
    await expect(worker.testClient()).rejects.toMatchObject({ code: "PW_ERR_APP_WRITE_ONLY" });
    expect(() => worker.emit("x", { to: "sid", callback: () => {} })).toThrow(
      expect.objectContaining({ code: "PW_ERR_APP_WRITE_ONLY" }),
    );
  });

  it("rejects ready with PW_ERR_APP_MESSAGE_QUEUE for a URL that is not a Redis URL", async () => {
    const bad = new SocketIO({ serveClient: false, messageQueue: "http://127.0.0.1:1" });
    later(() => bad.close());
    await expect(bad.ready).rejects.toMatchObject({ code: "PW_ERR_APP_MESSAGE_QUEUE" });
    expect(() => new SocketIO({ writeOnly: true })).toThrow(
      expect.objectContaining({ code: "PW_ERR_APP_INVALID_OPTION" }),
    );
  });
});
