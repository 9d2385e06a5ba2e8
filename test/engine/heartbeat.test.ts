import { afterEach, describe, expect, it } from "vitest";
import {
  closeAll,
  closeReason,
  eio,
  handshake,
  poll,
  post,
  request,
  startEngine,
  until,
  wsSession,
} from "./harness.js";
import { FakeClock } from "../support/fake-clock.js";

afterEach(closeAll);

const options = (clock: FakeClock) => ({ pingInterval: 1000, pingTimeout: 500, clock });

describe("heartbeat", () => {
  it("pings a WebSocket session every pingInterval while it answers", async () => {
    const clock = new FakeClock();
    const { port, sessions } = await startEngine(options(clock));
    const client = await wsSession(port);
    let beats = 0;
    sessions[0]!.on("heartbeat", () => beats++);
    for (let i = 0; i < 3; i++) {
      clock.advance(1000);
      expect(await client.next()).toBe("2");
      client.ws.send("3");
      await until(() => beats === i + 1, "pong");
    }
    clock.advance(999);
    expect(client.messages).toHaveLength(4);
    client.ws.close();
  });

  it("closes a session whose pong is later than pingTimeout with ping timeout", async () => {
    const clock = new FakeClock();
    const { port, sessions } = await startEngine(options(clock));
    const client = await wsSession(port);
    const closed = closeReason(sessions[0]!);
    clock.advance(1000);
    expect(await client.next()).toBe("2");
    clock.advance(499);
    expect(sessions[0]!.readyState).toBe("open");
    clock.advance(1);
    expect((await closed).reason).toBe("ping timeout");
    expect((await client.closed).code).toBe(1000);
  });

  it("counts the pong deadline from when the ping was due, not from a late timer", async () => {
    const clock = new FakeClock();
    const { port, sessions } = await startEngine(options(clock));
    await wsSession(port);
    const closed = closeReason(sessions[0]!);
    clock.time += 1100; // the ping timer runs 100 ms late
    clock.advance(0);
    clock.advance(399);
    expect(sessions[0]!.readyState).toBe("open");
    clock.advance(1);
    expect((await closed).reason).toBe("ping timeout");
  });

  it("still gives half of pingTimeout to answer a ping sent after a long stall", async () => {
    const clock = new FakeClock();
    const { port, sessions } = await startEngine(options(clock));
    await wsSession(port);
    clock.time += 5000; // the event loop was blocked
    clock.advance(0);
    clock.advance(249);
    expect(sessions[0]!.readyState).toBe("open");
    clock.advance(1);
    expect(sessions[0]!.readyState).toBe("closed");
  });

  it("queues the ping for polling until the client polls", async () => {
    const clock = new FakeClock();
    const { port } = await startEngine(options(clock));
    const { sid } = await handshake(port);
    clock.advance(1000);
    expect((await poll(port, sid)).body).toBe("2");
    await post(port, sid, "3");
    clock.advance(1000);
    expect((await poll(port, sid)).body).toBe("2");
  });

  it("refuses a request that comes after the pong deadline even if the timer has not run", async () => {
    const clock = new FakeClock();
    const harness = await startEngine(options(clock));
    const { sid } = await handshake(harness.port);
    const closed = closeReason(harness.sessions[0]!);
    clock.advance(1000);
    clock.time += 500; // the deadline passes, the timer has not fired yet
    expect((await poll(harness.port, sid)).status).toBe(400);
    expect((await closed).reason).toBe("ping timeout");
  });

  it("runs every session's heartbeat on one timer", async () => {
    const clock = new FakeClock();
    const { port, engine } = await startEngine(options(clock));
    for (let i = 0; i < 20; i++) await handshake(port);
    expect(engine.clientsCount).toBe(20);
    expect(clock.timers.size).toBe(1);
    clock.advance(1000);
    expect(clock.timers.size).toBe(1);
    clock.advance(500);
    expect(engine.clientsCount).toBe(0);
    expect(clock.timers.size).toBe(0);
  });

  it("ignores unsolicited pongs without scheduling anything", async () => {
    const clock = new FakeClock();
    const { port, sessions } = await startEngine(options(clock));
    const client = await wsSession(port);
    for (let i = 0; i < 100; i++) client.ws.send("3");
    client.ws.send("4sync");
    await client.next();
    expect(clock.timers.size).toBe(1);
    clock.advance(1000);
    expect(sessions[0]!.readyState).toBe("open");
    clock.advance(500);
    expect(sessions[0]!.readyState).toBe("closed");
    client.ws.close();
  });

  it("closes the session when the client pings (v4 reversed the heartbeat)", async () => {
    const clock = new FakeClock();
    const { port, sessions } = await startEngine(options(clock));
    const client = await wsSession(port);
    const closed = closeReason(sessions[0]!);
    client.ws.send("2");
    const { reason, description } = await closed;
    expect(reason).toBe("transport error");
    expect(description).toMatchObject({
      code: "PW_ERR_ENGINE_UNEXPECTED_PACKET",
      message: "invalid heartbeat direction",
    });
  });

  it("stops pinging after the server closes", async () => {
    const clock = new FakeClock();
    const { port, engine } = await startEngine(options(clock));
    await request(port, eio());
    engine.close();
    expect(clock.timers.size).toBe(0);
  });
});
