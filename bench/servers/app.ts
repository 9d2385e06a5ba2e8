/**
 * The benchmark's application, written once against the socket.io 4.x server API so that
 * `socketio.ts` and `pushwire.ts` differ only in the line that imports `Server`:
 * - `echo(seq, payload, ack)` acks `(seq, payload)`;
 * - `join(room, ack)` joins `room` and acks `(room)`;
 * - broadcasts come from the runner: `io.emit(event, seq, payload)` and
 *   `io.to(room).emit(event, seq, payload)`.
 *
 * @module
 */
import { createServer, type Server as HttpServer } from "node:http";
import { serveControl } from "./control.js";

/** The part of a socket.io 4.x `Socket` the benchmark uses. */
export interface BenchSocket {
  on(event: string, listener: (...args: any[]) => void): unknown;
  join(room: string): unknown;
}

/** The part of a socket.io 4.x `Server` the benchmark uses. */
export interface BenchIo {
  on(event: "connection", listener: (socket: BenchSocket) => void): unknown;
  emit(event: string, ...args: any[]): unknown;
  to(room: string): { emit(event: string, ...args: any[]): unknown };
  of(namespace: string): { sockets: { size: number } };
}

/** A socket.io-compatible `Server` class: `new Server(httpServer)`, default options. */
export type BenchServerClass = new (httpServer: HttpServer) => BenchIo;

function onConnection(socket: BenchSocket): void {
  socket.on("echo", (seq: number, payload: string, ack: (...args: unknown[]) => void) => {
    ack(seq, payload);
  });
  socket.on("join", (room: string, ack: (...args: unknown[]) => void) => {
    void socket.join(room);
    ack(room);
  });
}

/**
 * Starts `Server` on 127.0.0.1 (ephemeral port) and serves the control channel. The
 * runner passes the server's display name in `BENCH_SERVER_NAME`.
 */
export function serveBenchApp(Server: BenchServerClass): void {
  const name = process.env.BENCH_SERVER_NAME ?? "server";
  const httpServer = createServer();
  const io = new Server(httpServer);
  io.on("connection", onConnection);
  const root = io.of("/");
  httpServer.listen(0, "127.0.0.1", () => {
    const address = httpServer.address();
    const port = typeof address === "object" && address ? address.port : 0;
    serveControl(
      {
        clients: () => root.sockets.size,
        broadcast: (event, seq, payload) => void io.emit(event, seq, payload),
        roomBroadcast: (room, event, seq, payload) => void io.to(room).emit(event, seq, payload),
      },
      port,
      name,
    );
  });
}
