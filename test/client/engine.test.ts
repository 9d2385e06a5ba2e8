// The Engine.IO client's state machine, over transports the test drives: handshake,
// heartbeat, write buffer, upgrade, close reasons. No network, fake timers.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Engine } from "../../src/client/index.js";
import { created, FakePolling, FakeWebSocket, fakeTransport, last } from "./fake-transport.js";

function engine(options: Record<string, unknown> = {}): Engine {
  return new Engine({ hostname: "example.test", transports: [FakePolling], ...options });
}

/** An engine past its handshake. */
function open(options: Record<string, unknown> = {}, handshake: Record<string, unknown> = {}) {
  const e = engine(options);
  const t = last();
  t.accept();
  t.handshake(handshake);
  return { e, t };
}

beforeEach(() => {
  created.length = 0;
  Engine.priorWebsocketSuccess = false;
});

afterEach(() => {
  vi.useRealTimers();
});

describe("engine client: handshake", () => {
  it("opens the first transport with EIO=4 and its name in the query", () => {
    engine({ query: { token: "x" } });
    const t = last();
    expect(t.opened).toBe(true);
    expect(t.ctx.query).toEqual({ token: "x", EIO: "4", transport: "polling" });
    expect(t.ctx.opts.path).toBe("/engine.io/");
    expect(t.ctx.opts.port).toBe("80");
  });

  it("becomes open on the handshake, takes the sid into the transport's query and emits open", () => {
    const e = engine();
    const t = last();
    const events: string[] = [];
    e.on("handshake", (h) => events.push(`handshake ${h.sid}`));
    e.on("open", () => events.push("open"));
    t.accept();
    t.handshake({ sid: "abc" });
    expect(e.readyState).toBe("open");
    expect(e.id).toBe("abc");
    expect(t.ctx.query.sid).toBe("abc");
    expect(events).toEqual(["handshake abc", "open"]);
  });

  it("closes with 'parse error' on a handshake that is not the spec's JSON", () => {
    const e = engine();
    const t = last();
    const errors: string[] = [];
    const closes: string[] = [];
    e.on("error", (err) => errors.push((err as unknown as { code: string }).code));
    e.on("close", (reason) => closes.push(reason));
    t.accept();
    t.receive({ type: "open", data: '{"sid":' });
    expect(errors).toEqual(["PW_ERR_ENGINE_INVALID_PACKET"]);
    expect(closes).toEqual(["parse error"]);
    expect(t.closed).toBe(true);
  });

  it("skips transport names it does not implement and errors when none is left", async () => {
    vi.useFakeTimers();
    const e = new Engine({ hostname: "example.test", transports: ["webtransport"] });
    const errors: string[] = [];
    e.on("error", (err) => errors.push(err.message));
    await vi.runAllTimersAsync();
    expect(e.transports).toEqual([]);
    expect(errors).toEqual(["No transports available"]);
  });

  it("opens with WebSocket at once under rememberUpgrade after a WebSocket worked", () => {
    const ws = open({ transports: [FakePolling, FakeWebSocket] });
    expect(ws.t.name).toBe("polling");
    Engine.priorWebsocketSuccess = true;
    engine({ transports: [FakePolling, FakeWebSocket], rememberUpgrade: true });
    expect(last().name).toBe("websocket");
  });

  it("tries the next transport when the first fails to open, with tryAllTransports", () => {
    const e = engine({ transports: [FakeWebSocket, FakePolling], tryAllTransports: true });
    const first = last();
    first.fail("websocket error");
    expect(first.closed).toBe(true);
    expect(last().name).toBe("polling");
    expect(e.readyState).toBe("opening");
  });
});

describe("engine client: heartbeat", () => {
  it("answers a ping with a pong and emits ping", () => {
    const { e, t } = open();
    let pings = 0;
    e.on("ping", () => pings++);
    t.receive({ type: "ping" });
    expect(t.sent.at(-1)).toEqual([{ type: "pong", data: undefined }]);
    expect(pings).toBe(1);
  });

  it("closes with 'ping timeout' when no ping comes within pingInterval + pingTimeout", () => {
    vi.useFakeTimers();
    const { e, t } = open({}, { pingInterval: 1000, pingTimeout: 500 });
    const closes: string[] = [];
    e.on("close", (reason) => closes.push(reason));
    vi.advanceTimersByTime(1499);
    expect(closes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(closes).toEqual(["ping timeout"]);
    expect(t.closed).toBe(true);
    expect(e.readyState).toBe("closed");
  });

  it("restarts the dead-server timer on each ping", () => {
    vi.useFakeTimers();
    const { e, t } = open({}, { pingInterval: 1000, pingTimeout: 500 });
    vi.advanceTimersByTime(1400);
    t.receive({ type: "ping" });
    vi.advanceTimersByTime(1400);
    expect(e.readyState).toBe("open");
  });

  it("says the ping has expired when the clock passed the deadline while timers slept", () => {
    vi.useFakeTimers();
    const { e } = open({}, { pingInterval: 1000, pingTimeout: 500 });
    expect(e._hasPingExpired()).toBe(false);
    vi.setSystemTime(Date.now() + 2000); // the clock jumps; the timer has not run
    expect(e._hasPingExpired()).toBe(true);
  });
});

describe("engine client: writes", () => {
  it("sends at once when writable, buffers while a send is in flight, and sends the rest on drain", () => {
    const { e, t } = open();
    e.write("4a");
    e.write("4b");
    e.write("4c");
    expect(t.sent).toEqual([[{ type: "message", data: "4a" }]]);
    t.drain();
    expect(t.sent[1]).toEqual([
      { type: "message", data: "4b" },
      { type: "message", data: "4c" },
    ]);
    t.drain();
    expect(e.writeBuffer).toEqual([]);
  });

  it("lets a transport drain synchronously inside send, as an in-process one does", () => {
    const Sync = fakeTransport("sync");
    const e = new Engine({ hostname: "example.test", transports: [Sync] });
    const t = last();
    const send = t.send.bind(t);
    t.send = (packets) => {
      send(packets);
      t.drain();
    };
    t.accept();
    t.handshake();
    for (const data of ["a", "b", "c"]) e.write(data);
    expect(t.messages()).toEqual(["a", "b", "c"]);
    expect(e.writeBuffer).toEqual([]);
  });

  it("keeps each polling payload within the server's maxPayload", () => {
    const { e, t } = open({}, { maxPayload: 20 });
    e.write("first");
    for (const data of ["aaaaaaaa", "bbbbbbbb", "cccccccc"]) e.write(data);
    t.drain();
    // 1 + 8 + 2 + 8 = 19 fits; the third would make 29.
    expect(t.sent[1]!.map((p) => p.data)).toEqual(["aaaaaaaa", "bbbbbbbb"]);
    t.drain();
    expect(t.sent[2]!.map((p) => p.data)).toEqual(["cccccccc"]);
  });

  it("drops writes once closing, and closes only after the buffered packets are written", () => {
    const { e, t } = open();
    const closes: string[] = [];
    e.on("close", (reason) => closes.push(reason));
    e.write("1");
    e.write("2");
    e.close();
    e.write("3");
    expect(closes).toEqual([]);
    t.drain();
    t.drain();
    expect(t.messages()).toEqual(["1", "2"]);
    expect(closes).toEqual(["forced close"]);
    expect(t.closed).toBe(true);
  });

  it("hands received binary as Buffer or ArrayBuffer according to binaryType", () => {
    const { e, t } = open();
    const got: unknown[] = [];
    e.on("data", (d) => got.push(d));
    t.receive({ type: "message", data: Uint8Array.of(1, 2) });
    e.binaryType = "arraybuffer";
    t.receive({ type: "message", data: Uint8Array.of(3) });
    expect(Buffer.isBuffer(got[0])).toBe(true);
    expect(got[1]).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(got[1] as ArrayBuffer)]).toEqual([3]);
  });
});

describe("engine client: closing", () => {
  it("closes with 'transport close' when the transport closes", () => {
    const { e, t } = open();
    const closes: unknown[][] = [];
    e.on("close", (...args) => closes.push(args));
    t.hangUp();
    expect(closes).toEqual([["transport close", { description: "closed by the test" }]]);
    expect(e.id).toBeNull();
  });

  it("emits error and closes with 'transport error' when the transport fails", () => {
    const { e, t } = open();
    const events: string[] = [];
    e.on("error", (err) => events.push(`error ${err.message}`));
    e.on("close", (reason) => events.push(reason));
    t.fail("xhr poll error");
    expect(events).toEqual(["error xhr poll error", "transport error"]);
  });

  it("ignores what a transport reports after the engine closed", () => {
    const { e, t } = open();
    e.close();
    const events: string[] = [];
    e.on("data", () => events.push("data"));
    e.on("close", () => events.push("close"));
    t.receive({ type: "message", data: "late" });
    t.hangUp();
    expect(events).toEqual([]);
  });
});

describe("engine client: upgrade", () => {
  function upgradable() {
    const { e, t: polling } = open(
      { transports: [FakePolling, FakeWebSocket] },
      { upgrades: ["websocket"] },
    );
    const ws = last();
    return { e, polling, ws };
  }

  it("probes WebSocket, pauses polling, sends the upgrade packet and switches", () => {
    const { e, polling, ws } = upgradable();
    const events: string[] = [];
    e.on("upgrading", (t) => events.push(`upgrading ${t.name}`));
    e.on("upgrade", (t) => events.push(`upgrade ${t.name}`));
    expect(ws.name).toBe("websocket");
    expect(ws.ctx.query).toMatchObject({ transport: "websocket", sid: "sid1" });
    ws.accept();
    expect(ws.sent).toEqual([[{ type: "ping", data: "probe" }]]);
    ws.receive({ type: "pong", data: "probe" });
    expect(events).toEqual(["upgrading websocket"]);
    expect(polling.onPause).not.toBeNull();
    e.write("4during"); // waits: the transports are switching
    expect(polling.sent).toEqual([]);
    polling.onPause!();
    expect(ws.sent[1]).toEqual([{ type: "upgrade" }]);
    expect(e.transport).toBe(ws);
    expect(events).toEqual(["upgrading websocket", "upgrade websocket"]);
    ws.drain();
    expect(ws.messages()).toEqual(["4during"]);
    expect(Engine.priorWebsocketSuccess).toBe(true);
  });

  it("stays on polling and emits upgradeError when the probe gets a wrong answer", () => {
    const { e, polling, ws } = upgradable();
    const errors: string[] = [];
    e.on("upgradeError", (err) => errors.push(err.message));
    ws.accept();
    ws.receive({ type: "pong", data: "nope" });
    expect(errors).toEqual(["probe error"]);
    expect(ws.closed).toBe(true);
    expect(e.transport).toBe(polling);
  });

  it("stays on polling when the probe transport fails to open", () => {
    const { e, polling, ws } = upgradable();
    const errors: string[] = [];
    e.on("upgradeError", (err) => errors.push(err.message));
    ws.fail("websocket error");
    expect(errors).toEqual(["probe error: websocket error"]);
    expect(e.transport).toBe(polling);
    expect(e.readyState).toBe("open");
  });

  it("does not probe when upgrade is false, nor transports the client was not given", () => {
    open({ transports: [FakePolling, FakeWebSocket], upgrade: false }, { upgrades: ["websocket"] });
    expect(created.map((t) => t.name)).toEqual(["polling"]);
    open({ transports: [FakePolling] }, { upgrades: ["websocket"] });
    expect(created.map((t) => t.name)).toEqual(["polling", "polling"]);
  });

  it("closes the probe when the engine closes during the upgrade", () => {
    const { e, ws } = upgradable();
    ws.accept();
    e.close();
    expect(ws.closed).toBe(true);
    expect(e.readyState).toBe("closed");
  });

  it("accepts a custom transport class by its prototype name", () => {
    const Custom = fakeTransport("loopback");
    const e = engine({ transports: [Custom] });
    expect(e.transports).toEqual(["loopback"]);
    expect(last().ctx.query.transport).toBe("loopback");
  });
});
