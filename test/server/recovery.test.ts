import { describe, expect, it } from "vitest";
import type { Socket } from "../../src/index.js";
import { announced, fakeServer, until, type FakeConnection, type FakeServer } from "./fake.js";

interface Connected {
  conn: FakeConnection;
  socket: Socket;
  pid: string;
}

/** Connects with `auth`; resolves with the server socket and the pid it handed out. */
async function connect(server: FakeServer, auth?: object): Promise<Connected> {
  let socket!: Socket;
  const listener = (s: Socket) => (socket = s);
  server.io.on("connection", listener);
  const conn = server.open();
  conn.receive(`0${auth ? JSON.stringify(auth) : ""}`);
  await until(() => conn.texts.length > 0);
  await announced();
  server.io.off("connection", listener);
  const answer = JSON.parse(conn.texts[0]!.slice(1)) as { sid: string; pid: string };
  return { conn, socket, pid: answer.pid };
}

/** The offset the client would keep: the last argument of the last EVENT it got. */
function lastOffset(conn: FakeConnection): string {
  const events = conn.texts.filter((t) => t.startsWith("2"));
  const args = JSON.parse(events[events.length - 1]!.slice(1)) as unknown[];
  return args[args.length - 1] as string;
}

const recovery = { connectionStateRecovery: { maxDisconnectionDuration: 60_000 } };

describe("connection state recovery", () => {
  it("gives each socket a pid and each emit an offset", async () => {
    const server = fakeServer(recovery);
    const { conn, socket, pid } = await connect(server);
    expect(pid).toMatch(/^[A-Za-z0-9_-]{20}$/);
    socket.emit("hello", 1);
    const last = conn.texts[conn.texts.length - 1]!;
    expect(last).toMatch(/^2\["hello",1,"[A-Za-z0-9_-]+-1"\]$/);
  });

  it("restores id, rooms, data and the packets missed, after the CONNECT answer", async () => {
    const server = fakeServer(recovery);
    const first = await connect(server);
    first.socket.join("news");
    first.socket.data = { user: "ann" };
    server.io.emit("seen", 1);
    const offset = lastOffset(first.conn);
    first.conn.drop("transport close");
    server.io.to("news").emit("missed", 2);
    server.io.to("sports").emit("not for ann", 3);
    server.io.emit("missed", 4);

    const second = await connect(server, { pid: first.pid, offset });
    expect(second.socket.recovered).toBe(true);
    expect(second.socket.id).toBe(first.socket.id);
    expect(second.socket.rooms).toEqual(new Set([first.socket.id, "news"]));
    expect(second.socket.data).toEqual({ user: "ann" });
    expect(second.conn.texts[0]).toMatch(/^0\{"sid":/);
    expect(second.conn.texts.slice(1).map((t) => JSON.parse(t.slice(1))[1])).toEqual([2, 4]);
    expect(second.pid).toBe(first.pid); // socket.io-client checks it to report `recovered`
  });

  it("stays recovered through emits with modifiers, and keeps its pid", async () => {
    const server = fakeServer(recovery);
    const first = await connect(server);
    server.io.emit("seen", 1);
    const offset = lastOffset(first.conn);
    first.conn.drop("transport close");
    const second = await connect(server, { pid: first.pid, offset });
    second.socket.volatile
      .compress(false)
      .timeout(100)
      .emit("a", () => {});
    second.socket.to("room").emit("b");
    expect(second.socket.recovered).toBe(true);
    expect(second.socket._pid).toBe(first.pid);
    expect(first.socket.recovered).toBe(false);
  });

  it("restores a pid once only (RELIABILITY 2.4 gap 3)", async () => {
    const server = fakeServer(recovery);
    const first = await connect(server);
    first.socket.emit("x");
    const offset = lastOffset(first.conn);
    first.conn.drop("transport close");
    const second = await connect(server, { pid: first.pid, offset });
    const third = await connect(server, { pid: first.pid, offset });
    expect(second.socket.recovered).toBe(true);
    expect(third.socket.recovered).toBe(false);
    expect(third.socket.id).not.toBe(first.socket.id);
  });

  it("runs the middlewares again on recovery by default, unlike socket.io", async () => {
    const server = fakeServer(recovery);
    const seen: boolean[] = [];
    server.io.use((socket, next) => {
      seen.push(socket.recovered);
      if (socket.handshake.auth.token !== "good") next(new Error("unauthorized"));
      else next();
    });
    const first = await connect(server, { token: "good" });
    first.socket.emit("x");
    const offset = lastOffset(first.conn);
    first.conn.drop("transport close");
    const conn = server.open();
    conn.receive(JSON.stringify({ pid: first.pid, offset, token: "bad" }).replace(/^/, "0"));
    await until(() => conn.texts.length > 0);
    expect(conn.texts).toEqual(['4{"message":"unauthorized"}']);
    expect(seen).toEqual([false, true]);
  });

  it("skips the middlewares on recovery with skipMiddlewares: true", async () => {
    const server = fakeServer({
      connectionStateRecovery: { maxDisconnectionDuration: 60_000, skipMiddlewares: true },
    });
    let runs = 0;
    server.io.use((_socket, next) => {
      runs++;
      next();
    });
    const first = await connect(server);
    first.socket.emit("x");
    const offset = lastOffset(first.conn);
    first.conn.drop("ping timeout");
    const second = await connect(server, { pid: first.pid, offset });
    expect(second.socket.recovered).toBe(true);
    expect(runs).toBe(1);
  });

  it("does not keep the session after a disconnection the client asked for", async () => {
    const server = fakeServer(recovery);
    const first = await connect(server);
    first.socket.emit("x");
    const offset = lastOffset(first.conn);
    first.conn.receive("1");
    const second = await connect(server, { pid: first.pid, offset });
    expect(second.socket.recovered).toBe(false);
  });

  it("refuses an offset older than the capped buffer instead of replaying with a gap", async () => {
    const server = fakeServer({
      connectionStateRecovery: { maxDisconnectionDuration: 60_000, maxBufferedPackets: 3 },
    });
    const first = await connect(server);
    server.io.emit("seen");
    const offset = lastOffset(first.conn);
    first.conn.drop("transport close");
    for (let i = 0; i < 4; i++) server.io.emit("missed", i);
    const second = await connect(server, { pid: first.pid, offset });
    expect(second.socket.recovered).toBe(false);
    expect(second.conn.texts).toHaveLength(1);
  });

  it("ignores a pid or an offset that is not a short string", async () => {
    const server = fakeServer(recovery);
    const a = await connect(server, { pid: 1, offset: "x" });
    const b = await connect(server, { pid: "p".repeat(100), offset: "x" });
    expect([a.socket.recovered, b.socket.recovered]).toEqual([false, false]);
  });
});
