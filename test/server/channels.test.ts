import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { afterEach, describe, expect, it } from "vitest";
import type { PushwireError, Socket } from "../../src/index.js";
import { fakeServer, until } from "./fake.js";

const subscriptions: [string, (message: unknown) => void][] = [];
function record(name: string): unknown[] {
  const messages: unknown[] = [];
  const listener = (message: unknown) => messages.push(message);
  subscribe(name, listener);
  subscriptions.push([name, listener]);
  return messages;
}
afterEach(() => {
  for (const [name, listener] of subscriptions.splice(0)) unsubscribe(name, listener);
});

describe("diagnostics channels", () => {
  it("publishes connections, disconnections, refusals and protocol errors", async () => {
    const connects = record("pushwire:socket:connect") as { socket: Socket }[];
    const disconnects = record("pushwire:socket:disconnect") as { reason: string }[];
    const refusals = record("pushwire:socket:refused") as { namespace: string; error: Error }[];
    const errors = record("pushwire:client:error") as { error: PushwireError }[];
    const server = fakeServer();
    server.io.of("/locked").use((_s, next) => next(new Error("locked")));
    const conn = await server.connect();
    expect(connects.map((m) => m.socket.nsp.name)).toEqual(["/"]);
    conn.receive("0/locked,");
    await until(() => refusals.length === 1);
    expect(refusals[0]).toMatchObject({ namespace: "/locked", error: { message: "locked" } });
    conn.receive("0"); // CONNECT again on a connected namespace
    expect(errors.map((m) => m.error.code)).toEqual(["PW_ERR_SERVER_INVALID_STATE"]);
    expect(disconnects.map((m) => m.reason)).toEqual(["forced server close"]);
  });
});
