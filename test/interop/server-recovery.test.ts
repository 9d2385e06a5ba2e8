// Connection state recovery with the official socket.io-client: after a short
// disconnection the client gets its id, rooms, data and the broadcasts it missed back;
// over polling, WebSocket, and polling upgraded.
import { afterEach, describe, expect, it } from "vitest";
import type { Socket } from "../../src/index.js";
import { MODES, closeAll, connected, eventually, next, settled, start } from "./server-harness.js";

afterEach(closeAll);

describe.each(MODES)("socket.io-client over $mode: connection state recovery", (mode) => {
  it("restores id, rooms, data and missed broadcasts after the transport dropped", async () => {
    const server = await start(mode, {
      connectionStateRecovery: { maxDisconnectionDuration: 10_000 },
    });
    const sockets: Socket[] = [];
    server.io.on("connection", (socket) => {
      sockets.push(socket);
      if (!socket.recovered) {
        socket.join("news");
        socket.data = { user: "ann" };
      }
    });
    const client = server.client();
    await connected(client);
    await settled(client, mode, server);
    await eventually(() => sockets.length === 1); // its connection listener ran
    const got: unknown[] = [];
    client.on("news", (n: number) => got.push(n));
    const first = next(client, "news");
    server.io.to("news").emit("news", 1);
    await first;

    // Broadcasts while the client is away (the server noticed, the client did not
    // reconnect yet): the client reconnects after reconnectionDelay.
    client.io.reconnectionDelay(200).reconnectionDelayMax(200);
    const reconnected = next(client, "connect");
    const serverGone = next(sockets[0]!, "disconnect");
    client.io.engine.close();
    expect((await serverGone)[0]).toBe("transport close");
    server.io.to("news").emit("news", 2);
    server.io.to("other").emit("news", 99);
    server.io.emit("news", 3);

    await reconnected;
    await eventually(() => got.length === 3 && sockets.length === 2);
    expect(client.recovered).toBe(true);
    expect(sockets).toHaveLength(2);
    const restored = sockets[1]!;
    expect(restored.recovered).toBe(true);
    expect(restored.id).toBe(sockets[0]!.id);
    expect(client.id).toBe(restored.id);
    expect(restored.rooms).toEqual(new Set([restored.id, "news"]));
    expect(restored.data).toEqual({ user: "ann" });
    expect(got).toEqual([1, 2, 3]);
  });

  it("starts a fresh session when the server does not know the pid", async () => {
    const server = await start(mode, {
      connectionStateRecovery: { maxDisconnectionDuration: 10_000 },
    });
    const ids: string[] = [];
    server.io.on("connection", (socket) => {
      ids.push(socket.id);
      socket.emit("hello");
    });
    const client = server.client();
    await next(client, "hello");
    // A disconnection the client asked for keeps no session.
    client.disconnect();
    client.connect();
    await next(client, "hello");
    expect(client.recovered).toBe(false);
    expect(ids).toHaveLength(2);
    expect(ids[1]).not.toBe(ids[0]);
  });
});
