// A pushwire Server on 127.0.0.1:0 and a raw WebSocket client that speaks literal
// Engine.IO/Socket.IO frames, for the hostile-input cases of RELIABILITY 3a (A5, A6) and
// 3d (D3). Every case ends with a baseline check: a fresh client still gets an answer.
import { once } from "node:events";
import { createServer, type Server as HttpServer } from "node:http";
import { WebSocket } from "ws";
import { Server, type ServerOptions, type Socket } from "../../src/index.js";

export interface Hostile {
  io: Server;
  http: HttpServer;
  port: number;
  /** Disconnect reasons of every server socket, in order. */
  reasons: string[];
  /** A raw client with its Engine.IO handshake done (no namespace yet). */
  raw(): Promise<RawClient>;
  /** A raw client connected to `/` (its CONNECT answer consumed). */
  connected(nsp?: string, auth?: object): Promise<RawClient>;
  /** A fresh client connects and gets an echo back: the server is still healthy. */
  healthy(): Promise<void>;
}

export interface RawClient {
  ws: WebSocket;
  /** Sends one Engine.IO message packet: `"4" + text`, or binary as is. */
  send(data: string | Uint8Array): void;
  /** The next Engine.IO packet (pings are answered and skipped). */
  next(): Promise<string | Buffer>;
  /** Resolves when the server closed the WebSocket. */
  closed: Promise<void>;
  isClosed(): boolean;
  /** Packets received and not read yet. */
  unread(): (string | Buffer)[];
}

const servers: { io: Server; http: HttpServer }[] = [];
const clients: WebSocket[] = [];

/** A server whose `/` namespace echoes `echo` events with an ack. */
export async function hostile(options: ServerOptions = {}): Promise<Hostile> {
  const http = createServer();
  const io = new Server(http, { serveClient: false, ...options });
  const reasons: string[] = [];
  const track = (socket: Socket): void => {
    socket.on("disconnect", (reason) => reasons.push(reason));
    socket.on("echo", (...args: unknown[]) => {
      const ack = args.pop();
      if (typeof ack === "function") (ack as (...a: unknown[]) => void)(...args);
    });
  };
  io.on("connection", track);
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  const port = (http.address() as { port: number }).port;
  servers.push({ io, http });
  const raw = () => rawClient(port);
  const connected = async (nsp = "/", auth?: object): Promise<RawClient> => {
    const client = await raw();
    const prefix = nsp === "/" ? "" : `${nsp},`;
    client.send(`0${prefix}${auth ? JSON.stringify(auth) : ""}`);
    const answer = await client.next();
    if (typeof answer !== "string" || !answer.startsWith(`40${prefix}{`)) {
      throw new Error(`no CONNECT answer: ${String(answer)}`);
    }
    // The connection listeners run a timer tick after the answer.
    await new Promise((resolve) => setTimeout(resolve, 5));
    return client;
  };
  return {
    io,
    http,
    port,
    reasons,
    raw,
    connected,
    async healthy() {
      const client = await connected();
      client.send('21["echo","still here"]');
      const answer = await client.next();
      if (answer !== '431["still here"]') throw new Error(`unhealthy: ${String(answer)}`);
      client.ws.close();
    },
  };
}

async function rawClient(port: number): Promise<RawClient> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
  clients.push(ws);
  const queue: (string | Buffer)[] = [];
  const waiting: ((packet: string | Buffer) => void)[] = [];
  let closed = false;
  ws.on("message", (data, isBinary) => {
    const packet = isBinary ? (data as Buffer) : data.toString();
    if (packet === "2") {
      ws.send("3");
      return;
    }
    const waiter = waiting.shift();
    if (waiter) waiter(packet);
    else queue.push(packet);
  });
  const closedPromise = new Promise<void>((resolve) =>
    ws.on("close", () => {
      closed = true;
      resolve();
    }),
  );
  ws.on("error", () => {});
  const client: RawClient = {
    ws,
    send(data) {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (typeof data === "string") ws.send("4" + data);
      else ws.send(data);
    },
    next() {
      const queued = queue.shift();
      if (queued !== undefined) return Promise.resolve(queued);
      return new Promise((resolve) => waiting.push(resolve));
    },
    closed: closedPromise,
    isClosed: () => closed,
    unread: () => [...queue],
  };
  const open = await client.next();
  if (typeof open !== "string" || !open.startsWith("0{")) throw new Error("no open packet");
  return client;
}

/** Closes every client and server (for afterEach). */
export async function closeAll(): Promise<void> {
  for (const ws of clients.splice(0)) ws.terminate();
  await Promise.all(
    servers.splice(0).map(async ({ io, http }) => {
      http.closeAllConnections();
      await io.close();
    }),
  );
}
