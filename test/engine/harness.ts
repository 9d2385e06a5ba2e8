// Shared helpers for the engine's integration and hostile-input tests: a server on
// 127.0.0.1:0, raw HTTP requests, raw sockets and ws clients.
import { once } from "node:events";
import type { IncomingHttpHeaders, RequestListener, Server, ServerOptions } from "node:http";
import { createServer, request as httpRequest } from "node:http";
import type { Socket } from "node:net";
import { connect } from "node:net";
import { WebSocket } from "ws";
import type { EngineServerOptions, EngineSession } from "../../src/engine/index.js";
import { EngineServer } from "../../src/engine/index.js";

export interface Harness {
  engine: EngineServer;
  http: Server;
  port: number;
  /** Sessions in the order they connected. */
  sessions: EngineSession[];
  close(): Promise<void>;
}

const open: Harness[] = [];

/** Starts an engine on 127.0.0.1:0; `echo` wires every session to echo its messages. */
export async function startEngine(
  options: EngineServerOptions = {},
  {
    echo = true,
    handler,
    serverOptions = {},
  }: { echo?: boolean; handler?: RequestListener; serverOptions?: ServerOptions } = {},
): Promise<Harness> {
  const http = createServer(
    serverOptions,
    handler ?? ((_req, res) => res.writeHead(404).end("not found")),
  );
  const engine = new EngineServer(http, options);
  const sessions: EngineSession[] = [];
  engine.on("connection", (session) => {
    sessions.push(session);
    if (echo) session.onmessage = (data) => session.send(data);
  });
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  const port = (http.address() as { port: number }).port;
  const harness: Harness = {
    engine,
    http,
    port,
    sessions,
    async close() {
      engine.close();
      http.closeAllConnections();
      if (http.listening) await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
  open.push(harness);
  return harness;
}

/** Closes every harness started since the last call (for afterEach). */
export async function closeAll(): Promise<void> {
  const all = open.splice(0);
  await Promise.all(all.map((h) => h.close()));
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  raw: Buffer;
}

/** One HTTP request on a fresh connection. */
export function request(
  port: number,
  path: string,
  {
    method = "GET",
    headers = {},
    body,
  }: { method?: string; headers?: Record<string, string | number>; body?: string | Buffer } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port, path, method, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const raw = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: raw.toString(), raw });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** The engine path with a query: `eio("&sid=x")` -> `/engine.io/?EIO=4&transport=polling&sid=x`. */
export function eio(rest = "", transport = "polling"): string {
  return `/engine.io/?EIO=4&transport=${transport}${rest}`;
}

/** Opens a polling session; returns its sid and the parsed open packet. */
export async function handshake(
  port: number,
  headers: Record<string, string> = {},
): Promise<{ sid: string; open: Record<string, unknown>; reply: Reply }> {
  const reply = await request(port, eio(), { headers });
  if (reply.status !== 200 || !reply.body.startsWith("0")) {
    throw new Error(`handshake failed: ${reply.status} ${reply.body}`);
  }
  const open = JSON.parse(reply.body.slice(1).split("\x1e")[0]!) as Record<string, unknown>;
  return { sid: open.sid as string, open, reply };
}

/** GET (poll) for `sid`. */
export function poll(port: number, sid: string): Promise<Reply> {
  return request(port, eio(`&sid=${sid}`));
}

/** POST `body` for `sid`. */
export function post(port: number, sid: string, body: string | Buffer): Promise<Reply> {
  return request(port, eio(`&sid=${sid}`), { method: "POST", body });
}

/** A ws client that records its messages; resolves once open. */
export interface WsClient {
  ws: WebSocket;
  messages: (string | Buffer)[];
  /** Resolves with the next message not yet taken. */
  next(): Promise<string | Buffer>;
  closed: Promise<{ code: number; reason: string }>;
}

export async function openWs(
  port: number,
  path = eio("", "websocket"),
  options: ConstructorParameters<typeof WebSocket>[2] = {},
): Promise<WsClient> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, options);
  const client = wrapWs(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  return client;
}

function wrapWs(ws: WebSocket): WsClient {
  const messages: (string | Buffer)[] = [];
  const waiters: ((m: string | Buffer) => void)[] = [];
  let taken = 0;
  ws.on("message", (data: Buffer, isBinary: boolean) => {
    const message = isBinary ? data : data.toString();
    messages.push(message);
    const waiter = waiters.shift();
    if (waiter) {
      taken++;
      waiter(message);
    }
  });
  ws.on("error", () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return {
    ws,
    messages,
    closed,
    next() {
      if (taken < messages.length) return Promise.resolve(messages[taken++]!);
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
}

/** Opens a WebSocket session and reads its open packet. */
export async function wsSession(
  port: number,
): Promise<WsClient & { sid: string; open: Record<string, unknown> }> {
  const client = await openWs(port);
  const first = (await client.next()) as string;
  const open = JSON.parse(first.slice(1)) as Record<string, unknown>;
  return Object.assign(client, { sid: open.sid as string, open });
}

/** Upgrades polling session `sid` to WebSocket (probe, then upgrade packet). */
export async function upgrade(port: number, sid: string): Promise<WsClient> {
  const client = await openWs(port, eio(`&sid=${sid}`, "websocket"));
  client.ws.send("2probe");
  const pong = await client.next();
  if (pong !== "3probe") throw new Error(`unexpected probe answer ${String(pong)}`);
  client.ws.send("5");
  return client;
}

/** A raw TCP connection: writes `text`, collects everything until the peer closes. */
export function rawExchange(
  port: number,
  text: string | Buffer,
  { endAfterMs }: { endAfterMs?: number } = {},
): Promise<{ data: string; socket: Socket }> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", () => {});
    socket.on("close", () => resolve({ data: Buffer.concat(chunks).toString("latin1"), socket }));
    socket.write(text);
    if (endAfterMs !== undefined) setTimeout(() => socket.destroy(), endAfterMs).unref();
  });
}

/** An upgrade request head for `path` with a valid key. */
export function upgradeHead(path: string, extra: Record<string, string> = {}): string {
  const headers: Record<string, string> = {
    Host: "127.0.0.1",
    Upgrade: "websocket",
    Connection: "Upgrade",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version": "13",
    ...extra,
  };
  let head = `GET ${path} HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  return head + "\r\n";
}

/** Waits until `predicate` holds, polling every few ms (no wall-clock assertion). */
export async function until(predicate: () => boolean, what = "condition"): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Resolves with the close reason of `session`. */
export function closeReason(
  session: EngineSession,
): Promise<{ reason: string; description?: unknown }> {
  return new Promise((resolve) => {
    session.on("close", (reason, description) => resolve({ reason, description }));
  });
}

/** Masks a client frame (clients must mask: RFC 6455 section 5.3). */
export function clientFrame(opcode: number, payload: Buffer, { fin = true, rsv = 0 } = {}): Buffer {
  const mask = Buffer.from([1, 2, 3, 4]);
  const length = payload.length;
  const header: number[] = [(fin ? 0x80 : 0) | (rsv << 4) | opcode];
  if (length < 126) header.push(0x80 | length);
  else if (length < 65536) header.push(0x80 | 126, length >> 8, length & 255);
  else {
    header.push(0x80 | 127, 0, 0, 0, 0);
    header.push((length >>> 24) & 255, (length >>> 16) & 255, (length >>> 8) & 255, length & 255);
  }
  const masked = Buffer.alloc(length);
  for (let i = 0; i < length; i++) masked[i] = payload[i]! ^ mask[i % 4]!;
  return Buffer.concat([Buffer.from(header), mask, masked]);
}

/** A server frame as read off a raw socket. */
export interface ServerFrame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

/** A hand-made WebSocket client on a raw socket: sends raw bytes, parses server frames. */
export interface RawWebSocket {
  socket: Socket;
  /** Frames received after the 101. */
  frames: ServerFrame[];
  /** The status line and headers of the handshake answer. */
  head: string;
  /** Resolves with the code of the server's close frame (or null) when the socket closes. */
  closed: Promise<number | null>;
}

export function rawWebSocket(
  port: number,
  path: string,
  extra: Record<string, string> = {},
): Promise<RawWebSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    socket.on("error", () => {});
    let buffer = Buffer.alloc(0);
    let head: string | null = null;
    const frames: ServerFrame[] = [];
    let closeCode: number | null = null;
    const closed = new Promise<number | null>((done) => socket.on("close", () => done(closeCode)));
    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (head === null) {
        const end = buffer.indexOf("\r\n\r\n");
        if (end === -1) return;
        head = buffer.subarray(0, end).toString("latin1");
        buffer = buffer.subarray(end + 4);
        if (!head.startsWith("HTTP/1.1 101")) {
          reject(new Error(head.split("\r\n")[0]));
          socket.destroy();
          return;
        }
        resolve({ socket, frames, head, closed });
      }
      for (;;) {
        if (buffer.length < 2) return;
        let length = buffer[1]! & 127;
        let offset = 2;
        if (length === 126) {
          if (buffer.length < 4) return;
          length = buffer.readUInt16BE(2);
          offset = 4;
        } else if (length === 127) {
          if (buffer.length < 10) return;
          length = Number(buffer.readBigUInt64BE(2));
          offset = 10;
        }
        if (buffer.length < offset + length) return;
        const frame = {
          fin: (buffer[0]! & 0x80) !== 0,
          opcode: buffer[0]! & 15,
          payload: Buffer.from(buffer.subarray(offset, offset + length)),
        };
        frames.push(frame);
        if (frame.opcode === 8) closeCode = length >= 2 ? frame.payload.readUInt16BE(0) : null;
        buffer = buffer.subarray(offset + length);
      }
    });
    socket.write(upgradeHead(path, extra));
  });
}
