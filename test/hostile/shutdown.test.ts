// Graceful shutdown: io.close(), engine.shutdown() and SocketIO.close() stop
// accepting new sessions (503 with a reason), tell every client, send what was queued
// before the close, end sessions a batch per turn, stop background tasks and resolve
// when done. Also the two close paths of the engine: the close packet leaves only after
// the queue (so socket.io-client sees the DISCONNECT), and a close while the client's
// upgrade packet is in flight still reaches the client over the new WebSocket.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, type Server as HttpServer } from "node:http";
import { io as ioClient, type Socket as ClientSocket } from "socket.io-client";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { SocketIO } from "../../src/app/index.js";
import { Server, type ServerOptions } from "../../src/index.js";
import {
  closeAll as closeEngines,
  closeReason,
  eio,
  handshake,
  openWs,
  poll,
  request,
  startEngine,
  until,
  wsSession,
} from "../engine/harness.js";

interface Running {
  io: Server;
  http: HttpServer;
  port: number;
}

const running: Running[] = [];
const clients: ClientSocket[] = [];

async function start(options: ServerOptions = {}): Promise<Running> {
  const http = createServer();
  const io = new Server(http, { serveClient: false, ...options });
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  const server = { io, http, port: (http.address() as { port: number }).port };
  running.push(server);
  return server;
}

function client(port: number, transports: string[]): ClientSocket {
  const socket = ioClient(`http://127.0.0.1:${port}`, {
    forceNew: true,
    transports,
    reconnection: false,
  });
  clients.push(socket);
  return socket;
}

/** The arguments of the next `event` on a socket.io-client socket. */
function next(socket: ClientSocket, event: string): Promise<unknown[]> {
  return new Promise((resolve) => socket.once(event, (...args: unknown[]) => resolve(args)));
}

afterEach(async () => {
  for (const socket of clients.splice(0)) socket.close();
  for (const { http } of running) http.closeAllConnections();
  await Promise.all(running.splice(0).map(({ io }) => io.close()));
  await closeEngines();
});

/** A handshake on the Socket.IO path, answered however the server answers it. */
function socketioHandshake(port: number) {
  return request(port, "/socket.io/?EIO=4&transport=polling");
}

/** An upgrade request's status line and body, without completing a WebSocket. */
function upgradeAnswer(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`);
    ws.on("error", () => {});
    ws.on("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.on("open", () => {
      ws.terminate();
      resolve({ status: 101, body: "" });
    });
  });
}

describe("graceful shutdown", () => {
  it("refuses handshakes and upgrades with 503 and a reason while io.close() drains", async () => {
    const server = await start();
    const open = await socketioHandshake(server.port);
    const opened = JSON.parse(open.body.slice(1)) as { sid: string };
    const session = server.io.engine.clients.get(opened.sid)!;
    session.send("0"); // something queued (a CONNECT packet): the drain waits for the next poll
    const closing = server.io.close();
    const refused = await socketioHandshake(server.port);
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body)).toEqual({ code: 3, message: "Server is shutting down" });
    expect(refused.headers.connection).toBe("close");
    expect(await upgradeAnswer(server.port, "/socket.io/?EIO=4&transport=websocket")).toMatchObject(
      { status: 503, body: '{"code":3,"message":"Server is shutting down"}' },
    );
    const path = `/socket.io/?EIO=4&transport=polling&sid=${opened.sid}`;
    expect((await request(server.port, path)).body).toBe("40");
    expect((await request(server.port, path)).body).toBe("1");
    await closing;
    expect(server.io.engine.clientsCount).toBe(0);
  });

  it("sends what was queued before io.close() to polling and WebSocket clients, then the close they reconnect on", async () => {
    for (const transports of [["polling"], ["websocket"]]) {
      const server = await start();
      const socket = client(server.port, transports);
      await next(socket, "connect");
      const received: number[] = [];
      socket.on("n", (n: number) => received.push(n));
      const reason = next(socket, "disconnect");
      for (let n = 0; n < 50; n++) server.io.emit("n", n);
      await server.io.close();
      expect((await reason)[0], transports[0]).toBe("transport close");
      expect(received, transports[0]).toEqual([...Array(50).keys()]);
    }
  });

  it("answers a CONNECT that arrives while the server is closing with CONNECT_ERROR", async () => {
    const server = await start();
    const ws = await openWs(server.port, "/socket.io/?EIO=4&transport=websocket");
    await ws.next(); // open packet
    server.io._stopAccepting();
    ws.ws.send("40");
    expect(await ws.next()).toBe(
      '44{"message":"server is shutting down","data":{"code":"PW_ERR_SERVER_SHUTTING_DOWN"}}',
    );
    ws.ws.terminate();
  });

  it("ends sessions a batch per event-loop turn and resolves once they are gone", async () => {
    const harness = await startEngine();
    const clientsOpen = await Promise.all([...Array(5)].map(() => wsSession(harness.port)));
    const ended = () => harness.sessions.filter((s) => s.readyState === "closed").length;
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    const done = harness.engine.shutdown(2);
    expect(ended()).toBe(2);
    await turn();
    expect(ended()).toBe(4);
    await turn();
    expect(ended()).toBe(5);
    await done;
    for (const c of clientsOpen) expect((await c.closed).code).toBe(1001);
    expect(harness.engine.clientsCount).toBe(0);
  });

  it("gives up on a client that never fetches its queue after closeTimeout, and resolves", async () => {
    const harness = await startEngine({ closeTimeout: 50 }, { echo: false });
    const { sid } = await handshake(harness.port);
    const session = harness.sessions[0]!;
    const closed = closeReason(session);
    session.send("never fetched");
    await harness.engine.shutdown();
    expect((await closed).reason).toBe("forced server close");
    expect((await poll(harness.port, sid)).status).toBe(503);
  });

  it("ends at once a polling session that has nothing queued and no poll pending", async () => {
    const harness = await startEngine({ closeTimeout: 60_000 }, { echo: false });
    await handshake(harness.port);
    const closed = closeReason(harness.sessions[0]!);
    await harness.engine.shutdown();
    expect((await closed).reason).toBe("forced server close");
  });

  it("stops background tasks, refusing new clients while they wind down (SocketIO.close)", async () => {
    const http = createServer();
    const socketio = new SocketIO(http, { serveClient: false });
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    const port = (http.address() as { port: number }).port;
    let stopped!: () => void;
    const windingDown = new Promise<void>((resolve) => (stopped = resolve));
    let aborted = false;
    socketio.startBackgroundTask(async (signal) => {
      await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
      aborted = true;
      await windingDown; // the task takes its time to stop
    });
    await new Promise((resolve) => setImmediate(resolve));
    const closing = socketio.close();
    await until(() => aborted, "the task's signal");
    expect((await socketioHandshake(port)).status).toBe(503);
    let resolved = false;
    void closing.then(() => (resolved = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(resolved).toBe(false);
    stopped();
    await closing;
    expect(http.listening).toBe(false);
  });
});

describe("SIGTERM in run()", () => {
  it("refuses new clients with 503, stops the task, sends what was queued, closes every client and exits 0", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "test/hostile/sigterm-app.ts"], {
      cwd: new URL("../../", import.meta.url).pathname,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
          if (match) resolve(Number(match[1]));
        });
        child.once("exit", (code) => reject(new Error(`exited with ${code}: ${out}`)));
      });
      const sockets = [client(port, ["polling"]), client(port, ["websocket"])];
      await Promise.all(sockets.map((socket) => next(socket, "connect")));
      const received = sockets.map(() => [] as number[]);
      sockets.forEach((socket, i) => socket.on("n", (n: number) => received[i]!.push(n)));
      const reasons = sockets.map((socket) => next(socket, "disconnect"));
      const acks = await Promise.all(sockets.map((socket) => socket.emitWithAck("burst", 200)));
      expect(acks).toEqual(["queued", "queued"]);
      child.kill("SIGTERM");
      await until(() => out.includes("task: stopping"), "the task's signal");
      const refused = await socketioHandshake(port);
      expect(refused.status).toBe(503);
      expect(JSON.parse(refused.body)).toEqual({ code: 3, message: "Server is shutting down" });
      for (const reason of reasons) expect((await reason)[0]).toBe("transport close");
      expect(received).toEqual([[...Array(200).keys()], [...Array(200).keys()]]);
      expect(await exited).toBe(0);
      expect(out).toContain("task: stopped");
      expect(out).toContain("pushwire: stopped");
    } finally {
      child.kill("SIGKILL");
    }
  });
});

describe("closing an engine session", () => {
  it("sends the queue in one poll and the close packet alone in the next, so socket.io-client reports io server disconnect", async () => {
    const server = await start();
    const socket = client(server.port, ["polling"]);
    await next(socket, "connect");
    const serverSocket = [...server.io.sockets.sockets.values()][0]!;
    const session = server.io.engine.clients.values().next().value!;
    await until(() => session.polling?.writable === true, "a pending poll");
    const reason = next(socket, "disconnect");
    serverSocket.emit("bye");
    serverSocket.disconnect(true);
    expect((await reason)[0]).toBe("io server disconnect");
    await until(() => server.io.engine.clientsCount === 0, "the session's end");
  });

  it("delivers the queue and the close over the WebSocket when closed while the upgrade packet is in flight", async () => {
    const harness = await startEngine({}, { echo: false });
    const { sid } = await handshake(harness.port);
    const session = harness.sessions[0]!;
    const probe = await openWs(harness.port, eio(`&sid=${sid}`, "websocket"));
    probe.ws.send("2probe");
    expect(await probe.next()).toBe("3probe");
    // The client has paused polling and is about to send "5" when the server closes.
    session.send("1"); // a Socket.IO DISCONNECT
    session.close();
    expect(session.readyState).toBe("closing");
    probe.ws.send("5");
    expect(await probe.next()).toBe("41");
    expect(await probe.closed).toEqual({ code: 1000, reason: "forced close" });
    expect(session.readyState).toBe("closed");
    expect(harness.engine.clientsCount).toBe(0);
  });

  it("delivers socket.disconnect(true) to socket.io-client that closes mid-upgrade", async () => {
    const server = await start();
    server.io.engine.on("connection", (session) => {
      // As soon as the probe succeeds, the server disconnects the socket.
      session.on("upgrading", () => {
        for (const s of server.io.sockets.sockets.values()) s.disconnect(true);
      });
    });
    const socket = client(server.port, ["polling", "websocket"]);
    const reason = next(socket, "disconnect");
    await next(socket, "connect");
    expect((await reason)[0]).toBe("io server disconnect");
  });
});
