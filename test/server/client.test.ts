import { describe, expect, it } from "vitest";
import type { Socket } from "../../src/index.js";
import { fakeServer, sidOf, until } from "./fake.js";

describe("client: connection to a namespace (spec: Connection to a namespace)", () => {
  it("answers a CONNECT to the main namespace with a socket id that is not the sid", async () => {
    const { connect } = fakeServer();
    const conn = await connect();
    const sid = sidOf(conn);
    expect(sid).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(sid).not.toBe(conn.id);
  });

  it("answers a CONNECT to a custom namespace with its name", async () => {
    const { io, connect } = fakeServer();
    io.of("/admin");
    const conn = await connect("/admin");
    expect(conn.texts[0]).toMatch(/^0\/admin,\{"sid":"[A-Za-z0-9_-]{20}"\}$/);
  });

  it("gives each socket of a CONNECT without auth its own empty, writable auth object", async () => {
    const { io, connect } = fakeServer();
    const auths: Record<string, unknown>[] = [];
    io.of("/").use((socket, next) => {
      auths.push(socket.handshake.auth);
      next();
    });
    await connect();
    await connect();
    expect(auths).toEqual([{}, {}]);
    expect(auths[0]).not.toBe(auths[1]);
    auths[0]!.token = "written";
    expect(auths[0]!.token).toBe("written");
    expect(auths[1]).toEqual({});
  });

  it("gives a namespace matcher a writable auth object when the CONNECT carried none", async () => {
    const { io, connect } = fakeServer();
    const seen: Record<string, unknown>[] = [];
    io.of((_name, auth, next) => {
      seen.push(auth);
      auth.seen = true;
      next(null, true);
    });
    await connect("/dynamic");
    expect(seen).toEqual([{ seen: true }]);
  });

  it("answers a CONNECT to an unknown namespace with CONNECT_ERROR and creates nothing", async () => {
    const { io, open } = fakeServer();
    const conn = open();
    conn.receive("0/nope,");
    await until(() => conn.texts.length > 0);
    expect(conn.texts[0]).toBe('4/nope,{"message":"Invalid namespace"}');
    expect(io._nsps.has("/nope")).toBe(false);
    expect(conn.readyState).toBe("open");
  });

  it("closes the connection when the first packet is not a CONNECT", () => {
    const { open } = fakeServer();
    const conn = open();
    conn.receive('2["hello"]');
    expect(conn.closedByServer).toBe(true);
  });

  it("closes the connection on a packet the codec refuses", async () => {
    const { io, connect } = fakeServer();
    const reasons: string[] = [];
    io.on("connection", (socket) => socket.on("disconnect", (r) => reasons.push(r)));
    const conn = await connect();
    conn.receive('2[{"toString":"foo"}]');
    expect(conn.closedByServer).toBe(true);
    expect(reasons).toEqual(["parse error"]);
  });

  it("delivers events to the socket's listeners", async () => {
    const { io, connect } = fakeServer();
    const got: unknown[] = [];
    io.on("connection", (socket) => socket.on("hello", (...args) => got.push(args)));
    const conn = await connect();
    conn.receive('2["hello",1,{"a":"b"}]');
    expect(got).toEqual([[1, { a: "b" }]]);
  });

  it("closes a connection that connects no namespace within connectTimeout", () => {
    const { clock, open } = fakeServer({ connectTimeout: 1000 });
    const conn = open();
    clock.advance(999);
    expect(conn.closedByServer).toBe(false);
    clock.advance(1);
    expect(conn.closedByServer).toBe(true);
  });

  it("keeps a connection that connected a namespace past connectTimeout", async () => {
    const { clock, connect } = fakeServer({ connectTimeout: 1000 });
    const conn = await connect();
    clock.advance(5000);
    expect(conn.closedByServer).toBe(false);
  });
});

describe("client: closing while a namespace connects", () => {
  it("admits no socket whose middleware finishes after the server closed the connection", async () => {
    const server = fakeServer();
    let release!: () => void;
    server.io.of("/slow").use((_socket, next) => (release = () => next()));
    const first = new Promise<Socket>((resolve) => server.io.once("connection", resolve));
    const conn = server.open();
    conn.receive("0");
    const socket = await first;
    conn.receive("0/slow,");
    await until(() => release !== undefined);
    socket.disconnect(true); // the connection closes on the next turn
    release();
    await until(() => conn.closedByServer);
    expect(server.io.of("/slow").sockets.size).toBe(0);
    expect(conn.texts.some((t) => t.startsWith("0/slow,"))).toBe(false);
  });

  it("closes the connection on a packet for a namespace the client itself left", async () => {
    const { connect } = fakeServer();
    const conn = await connect();
    conn.receive("1");
    expect(conn.closedByServer).toBe(false);
    conn.receive('2["after leaving"]');
    expect(conn.closedByServer).toBe(true);
  });
});
