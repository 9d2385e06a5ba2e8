// A pushwire Server on 127.0.0.1:0 and official socket.io-client sockets, closed after
// each test; the three transport modes every interop test runs over.
import { once } from "node:events";
import { createServer, type Server as HttpServer } from "node:http";
import {
  io as ioClient,
  type ManagerOptions,
  type Socket as ClientSocket,
  type SocketOptions,
} from "socket.io-client";
import { Server, type ServerOptions } from "../../src/index.js";

export const MODES = [
  { mode: "polling", transports: ["polling"], final: "polling" },
  { mode: "websocket", transports: ["websocket"], final: "websocket" },
  { mode: "upgrade", transports: ["polling", "websocket"], final: "websocket" },
] as const;

export type Mode = (typeof MODES)[number];

export interface Running {
  io: Server;
  http: HttpServer;
  port: number;
  /** A socket.io-client socket to `nsp` over `mode` (closed after the test). */
  client(nsp?: string, options?: Partial<ManagerOptions & SocketOptions>): ClientSocket;
  close(): Promise<void>;
}

const running: Running[] = [];
const clients: ClientSocket[] = [];

/** Starts a pushwire server; `mode` decides the transports of the clients it makes. */
export async function start(mode: Mode, options: ServerOptions = {}): Promise<Running> {
  const http = createServer();
  const io = new Server(http, {
    pingInterval: 2000,
    pingTimeout: 1000,
    serveClient: false,
    ...options,
  });
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  const port = (http.address() as { port: number }).port;
  const server: Running = {
    io,
    http,
    port,
    client(nsp = "/", opts = {}) {
      const socket = ioClient(`http://127.0.0.1:${port}${nsp}`, {
        forceNew: true,
        transports: [...mode.transports],
        reconnectionDelay: 20,
        reconnectionDelayMax: 40,
        ...opts,
      });
      clients.push(socket);
      return socket;
    },
    async close() {
      http.closeAllConnections();
      await io.close();
    },
  };
  running.push(server);
  return server;
}

/** Closes every client and server (for afterEach). */
export async function closeAll(): Promise<void> {
  for (const socket of clients.splice(0)) {
    socket.io.reconnection(false);
    socket.close();
  }
  await Promise.all(running.splice(0).map((server) => server.close()));
}

/** The first emission of `event` on a socket.io-style emitter, as an array of its arguments. */
export function next<T extends unknown[] = unknown[]>(
  emitter: { once(event: string, listener: (...args: any[]) => void): unknown },
  event: string,
): Promise<T> {
  return new Promise((resolve) => emitter.once(event, (...args: unknown[]) => resolve(args as T)));
}

/** Resolves once the client is connected (rejects on connect_error). */
export function connected(socket: ClientSocket): Promise<void> {
  if (socket.connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });
}

/**
 * Resolves once the client's transport is the mode's final one, on both sides (the
 * server learns of an upgrade a moment after the client).
 */
export async function settled(socket: ClientSocket, mode: Mode, server?: Running): Promise<void> {
  await connected(socket);
  const engine = socket.io.engine;
  if (engine.transport.name !== mode.final) await next(engine, "upgrade");
  if (server === undefined) return;
  for (let i = 0; i < 1000; i++) {
    const conn = [...server.io.engine.clients.values()].find((c) => c.id === engine.id);
    if (conn?.transportName === mode.final) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error("the server never saw the upgrade");
}

/** Resolves once `check()` holds, looking again every millisecond (at most 2 s). */
export async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error("condition never held");
}

/**
 * Over polling, waits until the client has a poll waiting at the server, so that the
 * next server packet leaves in a response of its own.
 */
export async function pollWaiting(socket: ClientSocket): Promise<void> {
  const transport = socket.io.engine.transport as unknown as { name: string; _polling?: boolean };
  if (transport.name !== "polling") return;
  await eventually(() => transport._polling === true);
  await new Promise((resolve) => setTimeout(resolve, 10));
}
