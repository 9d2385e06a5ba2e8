// RELIABILITY 3b, B4: a broadcast storm, published faster than the clients can read it,
// from a server in its own process. Each client gets the non-volatile events in order
// with no gap, or is disconnected (slow consumer) and knows it; volatile events may be
// dropped; no client that keeps up is ever disconnected by a false ping timeout.
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { until } from "../engine/harness.js";
import { spawnServer, type ChildServer } from "./child.js";

let server: ChildServer | undefined;
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await server?.stop();
});

interface Watcher {
  seqs: number[];
  volatile: number;
  closed: boolean;
}

async function watcher(port: number): Promise<Watcher> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
  sockets.push(ws);
  const state: Watcher = { seqs: [], volatile: 0, closed: false };
  let connected = false;
  ws.on("error", () => {});
  ws.on("close", () => (state.closed = true));
  ws.on("message", (data) => {
    const text = data.toString();
    if (text === "2") ws.send("3");
    else if (text.startsWith("0{")) ws.send("40");
    else if (text.startsWith("40{")) connected = true;
    else if (text.startsWith('42["s",'))
      state.seqs.push(Number(text.slice(7, text.indexOf(",", 7))));
    else if (text.startsWith('42["v",')) state.volatile++;
  });
  await until(() => connected || state.closed, "the CONNECT answer");
  return state;
}

describe("B4 broadcast storm", () => {
  it("B4 delivers non-volatile events in order or disconnects the client, with no false ping timeout", async () => {
    server = await spawnServer({ pingInterval: 200, pingTimeout: 500 });
    const watchers = await Promise.all([...Array(10)].map(() => watcher(server!.port)));
    const { sent } = await server.call<{ sent: number }>("storm", { ms: 2000 });
    // Each client ends with everything, or closed.
    await until(
      () => watchers.every((w) => w.closed || w.seqs.length === sent),
      "every client caught up or closed",
    );
    for (const w of watchers) {
      // In order, no gap, no duplicate: a prefix of 0, 1, 2, ...
      expect(w.seqs.every((seq, i) => seq === i)).toBe(true);
      if (!w.closed) expect(w.seqs.length).toBe(sent);
    }
    const stats = await server.call<{ reasons: Record<string, number>; sockets: number }>("stats");
    expect(stats.reasons["ping timeout"] ?? 0).toBe(0);
    const closed = watchers.filter((w) => w.closed).length;
    expect(stats.reasons["slow consumer"] ?? 0).toBe(closed);
    expect(stats.sockets).toBe(watchers.length - closed);
    expect(server.exited()).toBeNull();
  });
});
