// socket.conn as socket.io users reach it: the transport's name, the upgrade event, packet
// events, the client's address and the close reason, with the official socket.io-client.
import { afterEach, describe, expect, it } from "vitest";
import type { Socket } from "../../src/index.js";
import { closeAll, connected, next, start, MODES } from "./server-harness.js";

afterEach(closeAll);

const upgrade = MODES.find((m) => m.mode === "upgrade")!;
const websocket = MODES.find((m) => m.mode === "websocket")!;

describe("socket.conn with socket.io-client", () => {
  it("names the transport and reports the upgrade to WebSocket", async () => {
    const server = await start(upgrade);
    const client = server.client();
    const [[socket]] = await Promise.all([
      next<[Socket]>(server.io, "connection"),
      connected(client),
    ]);
    const names = [socket!.conn.transport.name];
    const [transport] = await next<[{ name: string }]>(socket!.conn, "upgrade");
    names.push(transport.name, socket!.conn.transport.name);
    expect(names).toEqual(["polling", "websocket", "websocket"]);
  });

  it("emits the packets it receives and the reason it closed", async () => {
    const server = await start(websocket);
    const client = server.client();
    const [[socket]] = await Promise.all([
      next<[Socket]>(server.io, "connection"),
      connected(client),
    ]);
    expect(socket!.conn.remoteAddress).toBe("127.0.0.1");
    const packet = next<[{ type: string; data?: unknown }]>(socket!.conn, "packet");
    client.emit("hello", 1);
    expect((await packet)[0]).toEqual({ type: "message", data: '2["hello",1]' });
    const closed = next<[string]>(socket!.conn, "close");
    client.disconnect();
    expect((await closed)[0]).toBe("transport close");
  });
});
