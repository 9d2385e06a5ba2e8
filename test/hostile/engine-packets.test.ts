// RELIABILITY 3a, A4: hostile Engine.IO packets over both transports.
import { afterEach, describe, expect, it } from "vitest";
import type { RawData } from "../../src/engine/index.js";
import {
  closeAll,
  closeReason,
  handshake,
  poll,
  post,
  startEngine,
  until,
  wsSession,
} from "../engine/harness.js";

afterEach(closeAll);

function timeouts(): number {
  return process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
}

describe("A4 Engine.IO packets", () => {
  it("A4-1 closes with parse error on unknown types and empty packets, over WebSocket", async () => {
    const { port, sessions } = await startEngine();
    for (const packet of ["7", "9", "a", ""]) {
      const client = await wsSession(port);
      const closed = closeReason(sessions.at(-1)!);
      client.ws.send(packet);
      expect((await closed).reason, JSON.stringify(packet)).toBe("parse error");
      expect((await client.closed).code).toBe(1008);
    }
  });

  it("A4-1 closes with parse error on unknown types and empty packets, over polling", async () => {
    const harness = await startEngine();
    for (const packet of ["7", "9x", "a", ""]) {
      const { sid } = await handshake(harness.port);
      const closed = closeReason(harness.sessions.at(-1)!);
      expect((await post(harness.port, sid, packet)).status).toBe(400);
      expect((await closed).reason).toBe("parse error");
    }
  });

  it("A4-2 closes on a client ping (invalid heartbeat direction), over both transports", async () => {
    const harness = await startEngine();
    const client = await wsSession(harness.port);
    const wsClosed = closeReason(harness.sessions[0]!);
    client.ws.send("2");
    expect(await wsClosed).toMatchObject({
      reason: "transport error",
      description: { message: "invalid heartbeat direction" },
    });
    const { sid } = await handshake(harness.port);
    const pollingClosed = closeReason(harness.sessions[1]!);
    await post(harness.port, sid, "2");
    expect((await pollingClosed).reason).toBe("transport error");
  });

  it("A4-2 ignores 10^5 unsolicited pongs without adding a timer", async () => {
    const harness = await startEngine({ pingInterval: 60_000, pingTimeout: 60_000 });
    const { sid } = await handshake(harness.port);
    const client = await wsSession(harness.port);
    const before = timeouts();
    expect((await post(harness.port, sid, Array(100_000).fill("3").join("\x1e"))).status).toBe(200);
    for (let i = 0; i < 100_000; i++) client.ws.send("3");
    client.ws.send("4done");
    expect(await client.next()).toBe("4done");
    expect(timeouts()).toBeLessThanOrEqual(before);
    expect(harness.sessions.every((s) => s.readyState === "open")).toBe(true);
    client.ws.close();
  });

  it("A4-3 ignores upgrade, noop and open packets outside an upgrade and stays usable", async () => {
    const harness = await startEngine();
    const client = await wsSession(harness.port);
    for (const packet of ["5", "6", "0", '0{"sid":"x"}']) client.ws.send(packet);
    client.ws.send("4alive");
    expect(await client.next()).toBe("4alive");
    expect(harness.sessions[0]!.transportName).toBe("websocket");
    const { sid } = await handshake(harness.port);
    expect((await post(harness.port, sid, "5\x1e6\x1e0\x1e4alive")).status).toBe(200);
    expect((await poll(harness.port, sid)).body).toBe("4alive");
    client.ws.close();
  });

  it("A4-3 closes cleanly on 2probe outside an upgrade, and on a close packet", async () => {
    const harness = await startEngine();
    const probe = await wsSession(harness.port);
    const probeClosed = closeReason(harness.sessions[0]!);
    probe.ws.send("2probe");
    expect((await probeClosed).reason).toBe("transport error");
    const closer = await wsSession(harness.port);
    const closerClosed = closeReason(harness.sessions[1]!);
    closer.ws.send("1");
    expect((await closerClosed).reason).toBe("transport close");
    await until(() => harness.engine.clientsCount === 0);
  });

  it("A4-4 accepts a message of exactly maxHttpBufferSize bytes and refuses one byte more", async () => {
    const harness = await startEngine({}, { echo: false });
    const client = await wsSession(harness.port);
    let size = 0;
    harness.sessions[0]!.onmessage = (data) => (size = (data as string).length + 1);
    client.ws.send("4" + "x".repeat(1e6 - 1));
    await until(() => size === 1e6, "the 1e6-byte message");
    client.ws.send("4" + "x".repeat(1e6));
    expect((await client.closed).code).toBe(1009);

    const { sid } = await handshake(harness.port);
    const received: RawData[] = [];
    harness.sessions[1]!.onmessage = (data) => received.push(data);
    expect((await post(harness.port, sid, "4" + "y".repeat(1e6 - 1))).status).toBe(200);
    expect(received).toHaveLength(1);
    expect((await post(harness.port, sid, "4" + "y".repeat(1e6))).status).toBe(413);
  });

  it("A4-5 drops packets that come after a close packet", async () => {
    const harness = await startEngine({}, { echo: false });
    const { sid } = await handshake(harness.port);
    const received: RawData[] = [];
    harness.sessions[0]!.onmessage = (data) => received.push(data);
    await post(harness.port, sid, "4before\x1e1\x1e4after");
    expect(received).toEqual(["before"]);
    expect(harness.sessions[0]!.readyState).toBe("closed");

    const client = await wsSession(harness.port);
    const wsReceived: RawData[] = [];
    harness.sessions[1]!.onmessage = (data) => wsReceived.push(data);
    client.ws.send("4before");
    client.ws.send("1");
    client.ws.send("4after");
    await client.closed;
    expect(wsReceived).toEqual(["before"]);
  });
});
