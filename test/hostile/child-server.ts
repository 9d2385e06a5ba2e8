// A pushwire Server in its own process for the cases that need one (RELIABILITY 3,
// "Harness"): run with a small heap and strict unhandled rejections, so unbounded growth
// or an escaped error ends the process, which the parent sees. It echoes `echo` events
// with an ack, joins rooms on request, and answers the parent over IPC: stats (after GC
// when started with --expose-gc), an event-loop block, a prototype-poisoning check.
import { assertNotPoisoned } from "../fuzz/poisoning.js";
import { readdirSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { EngineSession } from "../../src/engine/index.js";
import { Server, type ServerOptions } from "../../src/index.js";

process.on("uncaughtException", (err) => {
  console.error("child-server crashed:", err);
  process.exit(70);
});

const options = JSON.parse(process.env.PW_CHILD_OPTIONS ?? "{}") as ServerOptions;
const http = createServer();
const io = new Server(http, { serveClient: false, ...options });
const reasons: Record<string, number> = {};
io.on("connection", (socket) => {
  socket.on("disconnect", (reason: string) => (reasons[reason] = (reasons[reason] ?? 0) + 1));
  socket.on("echo", (...args: unknown[]) => {
    const ack = args.pop();
    if (typeof ack === "function") (ack as (...a: unknown[]) => void)(...args);
  });
  socket.on("join", (room: unknown) => {
    if (typeof room === "string") void socket.join(room);
  });
});
io.of("/admin").on("connection", (socket) => socket.emit("welcome"));
await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));

const gc = (globalThis as { gc?: () => void }).gc;

function counts(list: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of list) out[item] = (out[item] ?? 0) + 1;
  return out;
}

function stats(): Record<string, unknown> {
  if (gc !== undefined) for (let i = 0; i < 3; i++) gc();
  const adapter = io.of("/").adapter;
  return {
    heapUsed: process.memoryUsage().heapUsed,
    rss: process.memoryUsage().rss,
    resources: counts(process.getActiveResourcesInfo()),
    fds: readdirSync("/proc/self/fd").length,
    engineClients: io.engine.clientsCount,
    sockets: io.of("/").sockets.size,
    rooms: adapter.rooms.size,
    sids: adapter.sids.size,
    namespaces: io._nsps.size,
    reasons: { ...reasons },
  };
}

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

type Command = { id: number; cmd: string; ms?: number };
process.on("message", (msg: Command) => {
  const reply = (body: object): void => void process.send!({ id: msg.id, ...body });
  switch (msg.cmd) {
    case "stats":
      return reply(stats());
    case "block":
      // RELIABILITY C6: the event loop stalls (a long synchronous job).
      busy(msg.ms ?? 0);
      return reply({});
    case "blockAfterPing": {
      // The stall starts right after the next round of pings is written, so the pongs
      // arrive while the loop is blocked.
      const proto = EngineSession.prototype;
      const original = proto.onPingDue;
      proto.onPingDue = function (this: EngineSession, scheduled: number, now: number) {
        original.call(this, scheduled, now);
        proto.onPingDue = original;
        // In the check phase: after it, the timers run before the next I/O poll.
        setImmediate(() => {
          busy(msg.ms ?? 0);
          reply({});
        });
      };
      return;
    }
    case "storm": {
      // RELIABILITY B4: broadcasts faster than clients can take them, for `ms`.
      const until = performance.now() + (msg.ms ?? 0);
      const payload = "x".repeat(1024);
      let seq = 0;
      const turn = (): void => {
        for (let i = 0; i < 20; i++) {
          io.emit("s", seq++, payload);
          io.volatile.emit("v", seq);
        }
        if (performance.now() < until) setImmediate(turn);
        else reply({ sent: seq });
      };
      return turn();
    }
    case "poisoning":
      try {
        assertNotPoisoned();
        return reply({ clean: true });
      } catch (err) {
        return reply({ clean: false, error: String(err) });
      }
    case "close":
      http.closeAllConnections();
      return void io.close().then(() => reply({}));
    default:
      return reply({ error: `unknown command ${msg.cmd}` });
  }
});

process.send!({ ready: true, port: (http.address() as AddressInfo).port });
