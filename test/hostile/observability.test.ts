// Observability: every node:diagnostics_channel channel pushwire publishes is
// seen by a subscriber, with the payload docs/observability.md describes, and that page
// names exactly the channels the source publishes.
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { EngineSession } from "../../src/engine/index.js";
import type { PushwireError, Socket } from "../../src/index.js";
import {
  closeAll,
  handshake,
  post,
  request,
  startEngine,
  until,
  wsSession,
} from "../engine/harness.js";
import { closeAll as closeServers, hostile } from "./socketio-harness.js";

const subscriptions: [string, (message: unknown) => void][] = [];
function record<T>(name: string): T[] {
  const messages: T[] = [];
  const listener = (message: unknown) => messages.push(message as T);
  subscribe(name, listener);
  subscriptions.push([name, listener]);
  return messages;
}

afterEach(async () => {
  for (const [name, listener] of subscriptions.splice(0)) unsubscribe(name, listener);
  await closeAll();
  await closeServers();
});

const root = new URL("../../", import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("diagnostics channels", () => {
  it("documents exactly the channels the source publishes", () => {
    const published = new Set<string>();
    for (const file of sources(join(root, "src"))) {
      for (const m of readFileSync(file, "utf8").matchAll(/channel\("(pushwire:[a-z:]+)"\)/g)) {
        published.add(m[1]!);
      }
    }
    const doc = readFileSync(join(root, "docs/observability.md"), "utf8");
    const documented = new Set([...doc.matchAll(/`(pushwire:[a-z:]+)`/g)].map((m) => m[1]!));
    expect([...published].sort()).toEqual([...documented].sort());
    expect(published.size).toBe(11);
  });

  it("publishes engine connect, packet in and out, and close with the reason", async () => {
    const connects = record<{ session: EngineSession }>("pushwire:engine:connect");
    const ins = record<{ session: EngineSession; data: unknown }>("pushwire:engine:packet:in");
    const outs = record<{ session: EngineSession; data: unknown }>("pushwire:engine:packet:out");
    const closes = record<{ session: EngineSession; reason: string }>("pushwire:engine:close");
    const { port, sessions } = await startEngine();
    const client = await wsSession(port);
    client.ws.send("4hello");
    expect(await client.next()).toBe("4hello");
    client.ws.close();
    await until(() => closes.length === 1, "the close");
    const session = sessions[0]!;
    expect(connects).toEqual([{ session }]);
    expect(ins).toEqual([{ session, data: "hello" }]);
    expect(outs).toEqual([{ session, data: "hello" }]);
    expect(closes).toEqual([{ session, reason: "transport close", description: undefined }]);
  });

  it("publishes refused requests with their code, status and message", async () => {
    const refused = record<Record<string, unknown>>("pushwire:engine:refused");
    const { port } = await startEngine();
    await request(port, "/engine.io/?EIO=3&transport=polling");
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({
      code: "PW_ERR_ENGINE_UNSUPPORTED_PROTOCOL_VERSION",
      status: 400,
      message: "Unsupported protocol version",
    });
  });

  it("publishes sessions that end on an error, with the error", async () => {
    const errors = record<{ reason: string; error: PushwireError }>("pushwire:engine:error");
    const { port } = await startEngine();
    const { sid } = await handshake(port);
    expect((await post(port, sid, "not engine.io")).status).toBe(400);
    await until(() => errors.length === 1, "the error");
    expect(errors[0]).toMatchObject({
      reason: "parse error",
      error: { code: "PW_ERR_ENGINE_INVALID_PACKET" },
    });
  });

  it("publishes volatile drops and slow consumers", async () => {
    const drops = record<{ session: EngineSession; reason: string; bytes: number }>(
      "pushwire:engine:drop",
    );
    const { port, sessions } = await startEngine({ maxBufferedBytes: 100 }, { echo: false });
    await handshake(port);
    const session = sessions[0]!;
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    session.send("kept"); // no poll pending: queued
    session.send("dropped", { volatile: true });
    expect(drops).toEqual([{ session, reason: "volatile", bytes: 5 }]);
    session.send("x".repeat(200)); // past the bound, nobody polls
    await turn();
    session.send("one more");
    await until(() => session.readyState === "closed", "the slow consumer's close");
    expect(drops[1]).toMatchObject({ session, reason: "slow consumer" });
    expect(drops[1]!.bytes).toBeGreaterThan(100);
  });

  it("publishes Socket.IO connections, refusals, disconnections and protocol errors", async () => {
    const connects = record<{ socket: Socket }>("pushwire:socket:connect");
    const refusals = record<{ namespace: string; error: Error }>("pushwire:socket:refused");
    const disconnects = record<{ socket: Socket; reason: string }>("pushwire:socket:disconnect");
    const errors = record<{ error: PushwireError }>("pushwire:client:error");
    const server = await hostile();
    server.io.of("/locked").use((_socket, next) => next(new Error("locked")));
    const client = await server.connected();
    expect(connects.map((m) => m.socket.nsp.name)).toEqual(["/"]);
    client.send("0/locked,");
    expect(await client.next()).toBe('44/locked,{"message":"locked"}');
    expect(refusals).toMatchObject([{ namespace: "/locked", error: { message: "locked" } }]);
    client.send("9");
    await client.closed;
    expect(errors.map((m) => m.error.code)).toEqual(["PW_ERR_PROTOCOL_UNKNOWN_TYPE"]);
    expect(disconnects.map((m) => m.reason)).toEqual(["parse error"]);
  });
});
