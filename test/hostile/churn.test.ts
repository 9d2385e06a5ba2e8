// RELIABILITY 3b, B5: connection churn. Clients connect, join a room, get an answer and
// leave, thousands of times, over WebSocket and polling, against a server in its own
// process. Afterwards the heap after GC is within 10% of the baseline taken after a
// warm-up, and handles, file descriptors, sessions, sockets and room maps are back where
// they started. The benchmark's soak (npm run bench -- --soak) runs the long version.
import { io as ioClient } from "socket.io-client";
import { afterAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { spawnServer, type ChildServer } from "./child.js";

const CHURN = Number(process.env.CHURN ?? 2000);
const CONCURRENCY = 50;

interface Stats {
  heapUsed: number;
  resources: Record<string, number>;
  fds: number;
  engineClients: number;
  sockets: number;
  rooms: number;
  sids: number;
  namespaces: number;
}

let server: ChildServer | undefined;
afterAll(() => server?.stop());

/** One WebSocket client: CONNECT, join a room, an acknowledged echo, then gone. */
function wsVisit(port: number, i: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
    ws.on("error", reject);
    ws.on("message", (data) => {
      const text = data.toString();
      if (text.startsWith("0{")) ws.send("40");
      else if (text.startsWith("40{")) {
        ws.send(`42["join","room-${i % 20}"]`);
        ws.send(`421["echo",${i}]`);
      } else if (text === `431[${i}]`) ws.close();
    });
    ws.on("close", () => resolve());
  });
}

/** One socket.io-client visit over polling (or polling then the upgrade). */
function clientVisit(port: number, i: number, upgrade: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = ioClient(`http://127.0.0.1:${port}`, {
      forceNew: true,
      reconnection: false,
      transports: upgrade ? ["polling", "websocket"] : ["polling"],
    });
    socket.on("connect_error", reject);
    socket.on("connect", () => {
      socket.emit("join", `room-${i % 20}`);
      socket.emit("echo", i, (answer: number) => {
        if (answer !== i) reject(new Error(`echo ${answer} for ${i}`));
        socket.close();
        resolve();
      });
    });
  });
}

async function churn(port: number, count: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      if (i % 4 === 0) await clientVisit(port, i, i % 8 === 0);
      else await wsVisit(port, i);
    }
  };
  await Promise.all([...Array(CONCURRENCY)].map(worker));
}

/** Stats once every session is gone and the short timers have run out. */
async function settled(): Promise<Stats> {
  for (let i = 0; i < 500; i++) {
    const stats = await server!.call<Stats>("stats");
    if (stats.engineClients === 0 && stats.sockets === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // pingInterval, pingTimeout and connectTimeout are short: their timers run out.
  await new Promise((resolve) => setTimeout(resolve, 600));
  return server!.call<Stats>("stats");
}

describe("B5 connection churn", () => {
  it(`B5 returns heap, handles, fds and the server's maps to baseline after ${CHURN} connects and disconnects`, async () => {
    server = await spawnServer(
      { pingInterval: 200, pingTimeout: 200, connectTimeout: 300 },
      { exposeGc: true },
    );
    await churn(server.port, 800); // warm-up: code compiled, pools sized
    const baseline = await settled();
    expect(baseline).toMatchObject({ engineClients: 0, sockets: 0, rooms: 0, sids: 0 });

    await churn(server.port, CHURN);
    const after = await settled();

    expect(server.exited()).toBeNull();
    expect(after).toMatchObject({ engineClients: 0, sockets: 0, rooms: 0, sids: 0 });
    expect(after.namespaces).toBe(baseline.namespaces);
    expect(after.fds).toBe(baseline.fds);
    expect(after.resources).toEqual(baseline.resources);
    expect(after.heapUsed).toBeLessThanOrEqual(baseline.heapUsed * 1.1);
  });
});
