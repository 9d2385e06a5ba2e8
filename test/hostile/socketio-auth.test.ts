// RELIABILITY 3d, D3: authentication middleware under attack. A refused client gets
// CONNECT_ERROR and nothing else: no `connection` event, no room, no broadcast, no
// leaked socket; a middleware that throws never crashes the server; a stolen pid does
// not recover another user's session.
import { io as ioClient } from "socket.io-client";
import { afterEach, describe, expect, it } from "vitest";
import type { ExtendedError, Socket } from "../../src/index.js";
import { closeAll, hostile, type Hostile } from "./socketio-harness.js";

afterEach(closeAll);

const users = new Map([
  ["token-ann", "ann"],
  ["token-bob", "bob"],
]);

/** A server whose middleware maps the CONNECT auth token to a user, or refuses. */
async function guarded(options = {}): Promise<{ server: Hostile; connections: Socket[] }> {
  const server = await hostile(options);
  const connections: Socket[] = [];
  server.io.use((socket, next) => {
    const user = users.get(socket.handshake.auth.token as string);
    if (user === undefined) {
      const err: ExtendedError = new Error("unauthorized");
      err.data = { reason: socket.handshake.auth.token === undefined ? "missing" : "invalid" };
      return next(err);
    }
    // On recovery the restored data says whose session the pid named: a pid is
    // worth nothing with another user's token.
    if (socket.recovered && (socket.data as { user?: string }).user !== user) {
      return next(new Error("session belongs to another user"));
    }
    socket.data = { user };
    next();
  });
  server.io.on("connection", (socket) => {
    connections.push(socket);
    socket.join("members");
  });
  return { server, connections };
}

describe("D3 authentication middleware", () => {
  it("D3 refuses a missing or bad token with CONNECT_ERROR and nothing else", async () => {
    const { server, connections } = await guarded();
    for (const auth of [undefined, { token: "forged" }, { token: 42 }]) {
      const client = await server.raw();
      client.send(`0${auth ? JSON.stringify(auth) : ""}`);
      const answer = (await client.next()).toString();
      expect(answer).toMatch(
        /^44\{"message":"unauthorized","data":\{"reason":"(missing|invalid)"\}\}$/,
      );
      server.io.emit("broadcast");
      server.io.to("members").emit("members only");
      client.send('2["hello"]'); // not connected: closes the connection
      await client.closed;
      expect(client.unread()).toEqual([]);
    }
    expect(connections).toEqual([]);
    expect(server.io.sockets.sockets.size).toBe(0);
    expect(server.io.sockets.adapter.rooms.size).toBe(0);
  });

  it("D3 turns a middleware that throws or rejects into CONNECT_ERROR, without crashing", async () => {
    const server = await hostile();
    server.io.of("/throws").use(() => {
      throw new TypeError("cannot read properties of undefined");
    });
    server.io.of("/rejects").use(async () => {
      await Promise.resolve();
      throw new Error("database down");
    });
    for (const [nsp, message] of [
      ["/throws", "cannot read properties of undefined"],
      ["/rejects", "database down"],
    ]) {
      const client = await server.raw();
      client.send(`0${nsp},`);
      expect((await client.next()).toString()).toBe(`44${nsp},{"message":"${message}"}`);
    }
    await server.healthy();
  });

  it("D3 leaks no socket when the client drops the connection during async auth", async () => {
    const server = await hostile();
    let finish!: () => void;
    const started = new Promise<void>((resolve) => {
      server.io.use((_socket, next) => {
        finish = () => next();
        resolve();
      });
    });
    const connected: string[] = [];
    server.io.on("connection", (s) => connected.push(s.id));
    const client = await server.raw();
    client.send("0");
    await started;
    client.ws.terminate();
    await client.closed;
    for (let i = 0; i < 100 && server.io.engine.clientsCount > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    finish();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(connected).toEqual([]);
    expect(server.io.sockets.sockets.size).toBe(0);
    expect(server.io.sockets.adapter.sids.size).toBe(0);
  });

  it("D3 closes the connection on an EVENT sent before the CONNECT answer", async () => {
    const { server, connections } = await guarded();
    let release!: () => void;
    server.io.of("/slow").use((_socket, next) => (release = () => next()));
    const client = await server.raw();
    client.send('0/slow,{"token":"token-ann"}');
    client.send('2/slow,["sneaky"]');
    await client.closed;
    release?.();
    expect(connections).toEqual([]);
    expect(server.io.of("/slow").sockets.size).toBe(0);
  });

  it("D3 does not recover user A's session for user B's token, and still recovers A's", async () => {
    const { server, connections } = await guarded({
      connectionStateRecovery: { maxDisconnectionDuration: 10_000 },
    });
    const url = `http://127.0.0.1:${server.port}`;
    const ann = ioClient(url, {
      forceNew: true,
      transports: ["websocket"],
      auth: { token: "token-ann" },
      reconnection: false,
    });
    await new Promise<void>((resolve) => ann.once("connect", () => resolve()));
    for (let i = 0; i < 100 && connections.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const got = new Promise<void>((resolve) => ann.once("news", () => resolve()));
    server.io.to("members").emit("news", 1);
    await got;
    const { _pid: pid, _lastOffset: offset } = ann as unknown as {
      _pid: string;
      _lastOffset: string;
    };
    const annGone = new Promise((resolve) => connections[0]!.once("disconnect", resolve));
    ann.io.engine.close();
    await annGone;

    // Bob presents Ann's pid and offset with his own valid token.
    const bob = await server.raw();
    bob.send(`0${JSON.stringify({ token: "token-bob", pid, offset })}`);
    expect((await bob.next()).toString()).toBe('44{"message":"session belongs to another user"}');
    expect(connections).toHaveLength(1);

    // The pid was spent by that attempt: Ann herself now starts a fresh session.
    const annAgain = await server.raw();
    annAgain.send(`0${JSON.stringify({ token: "token-ann", pid, offset })}`);
    const answer = JSON.parse((await annAgain.next()).toString().slice(2)) as { sid: string };
    expect(answer.sid).not.toBe(connections[0]!.id);
    ann.close();
  });
});
