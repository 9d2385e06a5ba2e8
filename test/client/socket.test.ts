// Socket and Manager over a transport the test drives, checked against literal
// Socket.IO v5 wire strings (spec: socket.io-protocol v5, "Packet encoding").
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Manager, type Socket } from "../../src/client/index.js";
import { created, FakePolling, last, type FakeTransport } from "./fake-transport.js";

let managers: Manager[] = [];

function manager(options: Record<string, unknown> = {}): Manager {
  const m = new Manager("http://example.test", {
    transports: [FakePolling],
    reconnectionDelay: 100,
    reconnectionDelayMax: 100,
    randomizationFactor: 0,
    ...options,
  });
  managers.push(m);
  return m;
}

/** Opens the engine of `m`'s current attempt and returns its transport. */
function openEngine(handshake: Record<string, unknown> = {}): FakeTransport {
  const t = last();
  t.accept();
  t.handshake(handshake);
  return t;
}

const msg = (data: string | Uint8Array) => ({ type: "message" as const, data });

/** Text messages sent so far on `t`. */
const texts = (t: FakeTransport) => t.messages().filter((m) => typeof m === "string");

beforeEach(() => {
  created.length = 0;
});

afterEach(() => {
  const all = managers;
  managers = [];
  for (const m of all) {
    m.reconnection(false);
    m._close();
  }
  vi.useRealTimers();
});

describe("socket over a scripted server", () => {
  it("sends CONNECT for the main namespace as '0' and for others as '0/nsp,' with auth", () => {
    const m = manager();
    m.socket("/");
    m.socket("/admin", { auth: { token: "t" } });
    const t = openEngine();
    expect(texts(t)).toEqual(["0"]);
    t.drain();
    expect(texts(t)).toEqual(["0", '0/admin,{"token":"t"}']);
  });

  it("sends one CONNECT when connect() is called again while it waits for the answer", () => {
    const socket = manager().socket("/");
    const t = openEngine();
    socket.connect();
    socket.connect();
    t.drain();
    expect(texts(t)).toEqual(["0"]);
  });

  it("connects on the server's CONNECT with a sid and emits connect", () => {
    const socket = manager().socket("/");
    const t = openEngine();
    const events: string[] = [];
    socket.on("connect", () => events.push("connect"));
    t.receive(msg('0{"sid":"s1"}'));
    expect(events).toEqual(["connect"]);
    expect(socket.id).toBe("s1");
    expect(socket.connected).toBe(true);
  });

  it("reports a CONNECT without sid as a Socket.IO v2 server", () => {
    const socket = manager().socket("/");
    const t = openEngine();
    const errors: string[] = [];
    socket.on("connect_error", (err) => errors.push((err as unknown as { code: string }).code));
    t.receive(msg("0"));
    expect(errors).toEqual(["PW_ERR_CLIENT_INCOMPATIBLE_SERVER"]);
  });

  it("turns CONNECT_ERROR into connect_error with the server's message and data", () => {
    const socket = manager().socket("/admin");
    const t = openEngine();
    const errors: Array<{ message: string; data?: unknown }> = [];
    socket.on("connect_error", (err) => errors.push(err));
    t.receive(msg('4/admin,{"message":"Not allowed","data":{"why":"token"}}'));
    expect(errors[0]!.message).toBe("Not allowed");
    expect(errors[0]!.data).toEqual({ why: "token" });
    expect(socket.active).toBe(false);
  });

  it("routes packets to their namespace only", () => {
    const m = manager();
    const main = m.socket("/");
    const admin = m.socket("/admin");
    const t = openEngine();
    t.receive(msg('0{"sid":"a"}'), msg('0/admin,{"sid":"b"}'));
    const heard: string[] = [];
    main.on("e", (v: string) => heard.push(`main ${v}`));
    admin.on("e", (v: string) => heard.push(`admin ${v}`));
    t.receive(msg('2["e","1"]'), msg('2/admin,["e","2"]'));
    expect(heard).toEqual(["main 1", "admin 2"]);
  });

  it("encodes an emit with an ack id and calls the callback on the matching ACK", () => {
    const socket = manager().socket("/chat");
    const t = openEngine();
    t.receive(msg('0/chat,{"sid":"s"}'));
    t.drain();
    const answers: unknown[][] = [];
    socket.emit("hello", 1, (...args: unknown[]) => answers.push(args));
    socket.emit("hello", 2, (...args: unknown[]) => answers.push(args));
    t.drain();
    expect(texts(t).slice(-2)).toEqual(['2/chat,0["hello",1]', '2/chat,1["hello",2]']);
    t.receive(msg('3/chat,1["two"]'), msg('3/chat,0["one",true]'), msg('3/chat,0["again"]'));
    expect(answers).toEqual([["two"], ["one", true]]);
  });

  it("hands an acknowledgement function to listeners of an event with an id, and sends one ACK", () => {
    const socket = manager().socket("/");
    const t = openEngine();
    t.receive(msg('0{"sid":"s"}'));
    socket.on("q", (v: number, ack: (r: number) => void) => {
      ack(v * 2);
      ack(0);
    });
    t.drain();
    t.receive(msg('212["q",21]'));
    t.drain();
    expect(texts(t).filter((s) => s.startsWith("3"))).toEqual(["312[42]"]);
  });

  it("sends binary arguments as BINARY_EVENT with attachments in their own messages", () => {
    const socket = manager().socket("/");
    const t = openEngine();
    t.receive(msg('0{"sid":"s"}'));
    t.drain();
    socket.emit("file", { name: "a", bytes: Uint8Array.of(1, 2) });
    t.drain();
    expect(t.messages().slice(-2)).toEqual([
      '51-["file",{"name":"a","bytes":{"_placeholder":true,"num":0}}]',
      Uint8Array.of(1, 2),
    ]);
  });

  it("reassembles a BINARY_EVENT from its attachments", () => {
    const socket = manager().socket("/");
    const t = openEngine();
    t.receive(msg('0{"sid":"s"}'));
    const got: unknown[][] = [];
    socket.on("file", (...args: unknown[]) => got.push(args));
    t.receive(msg('52-["file",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]'));
    expect(got).toEqual([]);
    t.receive(msg(Uint8Array.of(1)), msg(Uint8Array.of(2, 3)));
    expect(got).toHaveLength(1);
    expect([...(got[0]![0] as Buffer), ...(got[0]![1] as Buffer)]).toEqual([1, 2, 3]);
  });

  it("keeps delivering the packets after one whose listener throws, and rethrows that error on a later turn", () => {
    vi.useFakeTimers();
    const socket = manager().socket("/");
    const t = openEngine();
    t.receive(msg('0{"sid":"s"}'));
    const heard: string[] = [];
    socket.on("a", () => {
      throw new Error("listener bug");
    });
    socket.on("b", () => heard.push("b"));
    t.receive(msg('2["a"]'), msg('2["b"]'));
    expect(heard).toEqual(["b"]);
    expect(socket.connected).toBe(true);
    expect(() => vi.advanceTimersByTime(0)).toThrow("listener bug");
  });

  it("disconnects with 'parse error' on a packet that is not Socket.IO", () => {
    const socket = manager({ reconnection: false }).socket("/");
    const t = openEngine();
    t.receive(msg('0{"sid":"s"}'));
    const reasons: unknown[] = [];
    socket.on("disconnect", (reason, description) =>
      reasons.push(reason, (description as { code?: string } | undefined)?.code),
    );
    t.receive(msg('2["connect"]'));
    expect(reasons).toEqual(["parse error", "PW_ERR_PROTOCOL_INVALID_PAYLOAD"]);
  });

  it("disconnects with 'io server disconnect' on DISCONNECT and stops being active", () => {
    const socket = manager().socket("/x");
    const t = openEngine();
    t.receive(msg('0/x,{"sid":"s"}'));
    const reasons: string[] = [];
    socket.on("disconnect", (reason) => reasons.push(reason));
    t.receive(msg("1/x,"));
    expect(reasons).toEqual(["io server disconnect"]);
    expect(socket.active).toBe(false);
  });

  it("sends DISCONNECT on disconnect() and closes the connection when no socket is left", () => {
    const m = manager();
    const socket = m.socket("/x");
    const t = openEngine();
    t.receive(msg('0/x,{"sid":"s"}'));
    t.drain();
    const closes: string[] = [];
    m.on("close", (reason) => closes.push(reason));
    socket.disconnect();
    expect(texts(t).at(-1)).toBe("1/x,");
    t.drain();
    expect(closes).toEqual(["forced close"]);
    expect(t.closed).toBe(true);
  });

  it("flushes emits made before the connection in order, and drops volatile ones", () => {
    const socket = manager().socket("/");
    socket.emit("early", 1);
    socket.volatile.emit("volatile", 2);
    socket.emit("early", 3);
    const t = openEngine();
    t.receive(msg('0{"sid":"s"}'));
    t.drain();
    expect(texts(t)).toEqual(["0", '2["early",1]', '2["early",3]']);
  });
});

describe("manager reconnection over a scripted server", () => {
  it("reconnects after a transport close with the backoff delay, then emits reconnect", () => {
    vi.useFakeTimers();
    const m = manager();
    const socket = m.socket("/");
    let t = openEngine();
    t.receive(msg('0{"sid":"s1"}'));
    const events: string[] = [];
    m.on("reconnect_attempt", (n) => events.push(`attempt ${n}`));
    m.on("reconnect", (n) => events.push(`reconnect ${n}`));
    socket.on("disconnect", (reason) => events.push(`disconnect ${reason}`));
    t.hangUp();
    expect(events).toEqual(["disconnect transport close"]);
    const before = created.length;
    vi.advanceTimersByTime(99);
    expect(created.length).toBe(before);
    vi.advanceTimersByTime(1);
    expect(events).toEqual(["disconnect transport close", "attempt 1"]);
    t = openEngine({ sid: "sid2" });
    expect(events.at(-1)).toBe("reconnect 1");
    t.receive(msg('0{"sid":"s2"}'));
    expect(socket.id).toBe("s2");
  });

  it("doubles the delay after each failed attempt, up to reconnectionDelayMax", () => {
    vi.useFakeTimers();
    const m = manager({ reconnectionDelay: 100, reconnectionDelayMax: 300 });
    m.socket("/");
    const delays: number[] = [];
    let last = Date.now();
    m.on("reconnect_attempt", () => {
      delays.push(Date.now() - last);
    });
    m.on("reconnect_error", () => {
      last = Date.now();
    });
    last = Date.now();
    created.at(-1)!.fail();
    for (let i = 0; i < 4; i++) {
      vi.advanceTimersToNextTimer();
      created.at(-1)!.fail();
    }
    expect(delays).toEqual([100, 200, 300, 300]);
  });

  it("sends pid and the last offset in the CONNECT after a drop, and reports recovered", () => {
    vi.useFakeTimers();
    const m = manager();
    const socket = m.socket("/");
    let t = openEngine();
    t.receive(msg('0{"sid":"s1","pid":"p1"}'));
    expect(socket.recovered).toBe(false);
    t.receive(msg('2["tick",1,"off-1"]'), msg('2["tick",2,"off-2"]'));
    t.hangUp();
    vi.advanceTimersByTime(100);
    t = openEngine();
    expect(texts(t)).toEqual(['0{"pid":"p1","offset":"off-2"}']);
    t.receive(msg('0{"sid":"s1","pid":"p1"}'));
    expect(socket.recovered).toBe(true);
  });

  it("does not reconnect a socket the server refused", () => {
    vi.useFakeTimers();
    const m = manager();
    const socket = m.socket("/");
    const t = openEngine();
    t.drain();
    t.receive(msg('4{"message":"no"}'));
    expect(socket.active).toBe(false);
    expect(t.closed).toBe(true);
    const count = created.length;
    vi.advanceTimersByTime(10_000);
    expect(created.length).toBe(count);
  });
});

// Type-level use, so that a regression in the public types fails typecheck.
export type _Check = Socket<{ a: (x: number) => void }>;
