// Shared by the client suites: the servers the suite runs against (the official
// socket.io server and pushwire's), started on 127.0.0.1:0 and closed after each test,
// and the clients a test opens, closed after it too.
import { createServer, type Server as HttpServer } from "node:http";
import {
  connect as netConnect,
  createServer as createNetServer,
  type Socket as NetSocket,
} from "node:net";
import type { AddressInfo } from "node:net";
import { Server as SocketIOServer } from "socket.io";
import { io, type IoOptions, type Socket } from "../../src/client/index.js";
import { Server as PushwireServer } from "../../src/index.js";

/** A server implementation with socket.io 4.x's API. */
export interface ServerTarget {
  name: string;
  create(http: HttpServer, options?: Record<string, unknown>): any;
}

export const socketIoTarget: ServerTarget = {
  name: "socket.io",
  create: (http, options) => new SocketIOServer(http, options),
};

export const pushwireTarget: ServerTarget = {
  name: "pushwire",
  create: (http, options) => new PushwireServer(http, options as never),
};

/** Every server the client suite runs against. */
export const targets: ServerTarget[] = [socketIoTarget, pushwireTarget];

export interface Running {
  /** The server: `io.of("/x").on("connection", ...)`. */
  io: any;
  http: HttpServer;
  port: number;
  url(nsp?: string, scheme?: string): string;
  close(): Promise<void>;
}

/** Starts a server of `target` on 127.0.0.1 and a free port. */
export async function startServer(
  target: ServerTarget,
  options: Record<string, unknown> = {},
): Promise<Running> {
  const http = createServer();
  const server = target.create(http, options);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    io: server,
    http,
    port,
    url: (nsp = "", scheme = "http") => `${scheme}://127.0.0.1:${port}${nsp}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        http.closeAllConnections?.();
      }),
  };
}

/** Clients opened by a test, all closed by `closeAll()`. */
export class Clients {
  readonly #sockets: Socket[] = [];

  /** `io(url, options)`, with a connection of its own unless `forceNew: false` is given. */
  open(url: string, options: IoOptions = {}): Socket {
    const socket = io(url, { forceNew: true, ...options });
    this.#sockets.push(socket);
    return socket;
  }

  track(socket: Socket): Socket {
    this.#sockets.push(socket);
    return socket;
  }

  closeAll(): void {
    for (const socket of this.#sockets.splice(0)) {
      socket.disconnect();
      socket.io.reconnection(false);
      (socket.io as any)._close();
    }
  }
}

/** The arguments of the next `event` on `emitter`. */
export function once<T extends unknown[] = any[]>(
  emitter: { once(event: string, listener: (...args: any[]) => void): unknown },
  event: string,
): Promise<T> {
  return new Promise((resolve) => emitter.once(event, (...args: any[]) => resolve(args as T)));
}

/** Collects `count` occurrences of `event`. */
export function many<T = unknown>(
  emitter: { on(event: string, listener: (...args: any[]) => void): unknown },
  event: string,
  count: number,
): Promise<T[]> {
  const seen: T[] = [];
  return new Promise((resolve) => {
    emitter.on(event, (value: T) => {
      seen.push(value);
      if (seen.length === count) resolve(seen);
    });
  });
}

/** Resolves once `predicate()` holds, checking after each macrotask. */
export async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((resolve) => setTimeout(resolve, 5));
}

/**
 * A TCP proxy in front of a server, to fail the network under a client: `blackhole()`
 * keeps connections open but carries nothing (a dead server or a cut cable), `reset()`
 * drops every connection at once.
 */
export class Proxy {
  port = 0;
  #blackholed = false;
  readonly #pairs = new Set<[NetSocket, NetSocket]>();
  readonly #server = createNetServer((client) => {
    const upstream = netConnect(this.target, "127.0.0.1");
    const pair: [NetSocket, NetSocket] = [client, upstream];
    this.#pairs.add(pair);
    const forward = (from: NetSocket, to: NetSocket) =>
      from.on("data", (chunk) => {
        if (!this.#blackholed) to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      // Through a blackhole, a close does not reach the other side either.
      if (this.#blackholed && !(client.destroyed && upstream.destroyed)) return;
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("close", end).on("error", end);
    upstream.on("close", end).on("error", end);
  });

  constructor(readonly target: number) {}

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    this.port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  blackhole(): void {
    this.#blackholed = true;
  }

  /** Carries bytes again; connections whose other side closed meanwhile are closed. */
  restore(): void {
    this.#blackholed = false;
    for (const [a, b] of this.#pairs) {
      if (a.destroyed || b.destroyed) {
        a.destroy();
        b.destroy();
      }
    }
  }

  reset(): void {
    for (const [a, b] of this.#pairs) {
      a.resetAndDestroy();
      b.destroy();
    }
    this.#pairs.clear();
  }

  close(): Promise<void> {
    this.reset();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
