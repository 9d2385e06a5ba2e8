/**
 * The floor: the benchmark's contract (Engine.IO v4 handshake and heartbeat, Socket.IO v5
 * connect to `/`, `echo` and `join` with acks, broadcasts) written directly on `ws`, with
 * nothing else. Two variants, chosen by argv[2]:
 * - `naive`: one `ws.send` per frame (a broadcast is encoded once, framed per recipient);
 * - `coalesced`: frames a socket gets during one event-loop turn are framed here and leave
 *   in a single `socket.write` from a microtask before the turn ends (DESIGN.md,
 *   performance principle 2); a broadcast is encoded and framed once for all recipients.
 * WebSocket only: polling requests get HTTP 400.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { serveControl } from "./control.js";

const coalesced = process.argv[2] === "coalesced";
const PING_INTERVAL = 25_000;
const PING_TIMEOUT = 20_000;
const TEXT = { binary: false } as const;

/** One Engine.IO session with its Socket.IO socket on `/`. */
interface Conn {
  ws: WebSocket;
  socket: Duplex;
  sid: string;
  connected: boolean;
  alive: boolean;
  rooms: Set<string> | null;
  /** Coalesced variant: frames queued during this turn, or null when none. */
  queue: Buffer[] | null;
}

const conns = new Set<Conn>();
const rooms = new Map<string, Set<Conn>>();
let connectedCount = 0;

/** An unmasked, final text frame (RFC 6455 §5.2) around `payload`. */
function frameText(payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x81;
  if (length < 126) {
    frame[1] = length;
  } else if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(0, 2);
    frame.writeUInt32BE(length, 6);
  }
  payload.copy(frame, header);
  return frame;
}

const dirty: Conn[] = [];
let flushScheduled = false;

function flush(): void {
  flushScheduled = false;
  for (let i = 0; i < dirty.length; i++) {
    const conn = dirty[i]!;
    const queue = conn.queue!;
    conn.queue = null;
    if (!conn.socket.writable) continue;
    conn.socket.write(queue.length === 1 ? queue[0]! : Buffer.concat(queue));
  }
  dirty.length = 0;
}

function enqueueFrame(conn: Conn, frame: Buffer): void {
  if (conn.queue !== null) {
    conn.queue.push(frame);
    return;
  }
  conn.queue = [frame];
  dirty.push(conn);
  if (!flushScheduled) {
    flushScheduled = true;
    queueMicrotask(flush);
  }
}

function sendText(conn: Conn, text: string): void {
  if (coalesced) enqueueFrame(conn, frameText(Buffer.from(text)));
  else conn.ws.send(text, TEXT);
}

/** Sends one encoded broadcast packet to `targets`. */
function sendEncoded(targets: Iterable<Conn>, packet: Buffer): void {
  if (coalesced) {
    const frame = frameText(packet);
    for (const conn of targets) if (conn.connected) enqueueFrame(conn, frame);
  } else {
    for (const conn of targets) if (conn.connected) conn.ws.send(packet, TEXT);
  }
}

function leaveAll(conn: Conn): void {
  if (!conn.rooms) return;
  for (const room of conn.rooms) {
    const members = rooms.get(room);
    members?.delete(conn);
    if (members?.size === 0) rooms.delete(room);
  }
  conn.rooms = null;
}

function onEvent(conn: Conn, text: string): void {
  // 42[<id>]["name",...args] (Socket.IO v5 §EVENT, root namespace).
  const bracket = text.indexOf("[");
  if (bracket < 0) return void conn.ws.close(1002, "parse error");
  const ackId = bracket > 2 ? text.slice(2, bracket) : null;
  let args: unknown[];
  try {
    args = JSON.parse(text.slice(bracket)) as unknown[];
  } catch {
    return void conn.ws.close(1002, "parse error");
  }
  if (args[0] === "echo") {
    if (ackId !== null) sendText(conn, `43${ackId}${JSON.stringify([args[1], args[2]])}`);
  } else if (args[0] === "join" && typeof args[1] === "string") {
    const room = args[1];
    (conn.rooms ??= new Set()).add(room);
    let members = rooms.get(room);
    if (!members) rooms.set(room, (members = new Set()));
    members.add(conn);
    if (ackId !== null) sendText(conn, `43${ackId}${JSON.stringify([room])}`);
  }
}

type ConnSocket = WebSocket & { conn: Conn };

function onMessage(this: WebSocket, data: Buffer): void {
  const conn = (this as ConnSocket).conn;
  const type = data[0];
  if (type === 0x33) {
    conn.alive = true; // pong
  } else if (type === 0x34) {
    const sio = data[1];
    if (sio === 0x32) {
      onEvent(conn, data.toString());
    } else if (sio === 0x30 && !conn.connected) {
      conn.connected = true;
      connectedCount++;
      sendText(conn, `40{"sid":"${randomBytes(15).toString("base64url")}"}`);
    } else if (sio === 0x31 && conn.connected) {
      conn.connected = false;
      connectedCount--;
      leaveAll(conn);
    }
  } else if (type === 0x31) {
    conn.ws.close();
  }
}

function onClose(this: WebSocket): void {
  const conn = (this as ConnSocket).conn;
  if (conn.connected) connectedCount--;
  conn.connected = false;
  leaveAll(conn);
  conns.delete(conn);
}

function onSocketError(): void {
  // A reset peer; ws closes the connection, onClose cleans up.
}

const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  clientTracking: false,
});
const httpServer = createServer((_req, res) => {
  res.writeHead(400, { "content-type": "application/json" });
  res.end('{"code":0,"message":"Transport unknown"}');
});

httpServer.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
  const url = req.url ?? "";
  if (
    !url.startsWith("/socket.io/?") ||
    !url.includes("EIO=4") ||
    !url.includes("transport=websocket")
  ) {
    socket.on("error", onSocketError);
    socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    const conn: Conn = {
      ws,
      socket,
      sid: randomBytes(15).toString("base64url"),
      connected: false,
      alive: true,
      rooms: null,
      queue: null,
    };
    (ws as ConnSocket).conn = conn;
    conns.add(conn);
    ws.on("message", onMessage);
    ws.on("close", onClose);
    ws.on("error", onSocketError);
    sendText(
      conn,
      `0{"sid":"${conn.sid}","upgrades":[],"pingInterval":${PING_INTERVAL},"pingTimeout":${PING_TIMEOUT},"maxPayload":1000000}`,
    );
  });
});

// One heartbeat timer for every session (DESIGN.md, performance principle 3): a session
// that has not answered the previous ping is gone.
setInterval(() => {
  for (const conn of conns) {
    if (!conn.alive) {
      conn.ws.terminate();
      continue;
    }
    conn.alive = false;
    sendText(conn, "2");
  }
}, PING_INTERVAL);

httpServer.listen(0, "127.0.0.1", () => {
  const address = httpServer.address();
  const port = typeof address === "object" && address ? address.port : 0;
  serveControl(
    {
      clients: () => connectedCount,
      broadcast: (event, seq, payload) =>
        sendEncoded(conns, Buffer.from(`42${JSON.stringify([event, seq, payload])}`)),
      roomBroadcast: (room, event, seq, payload) => {
        const members = rooms.get(room);
        if (members)
          sendEncoded(members, Buffer.from(`42${JSON.stringify([event, seq, payload])}`));
      },
    },
    port,
    coalesced ? "raw-ws (coalesced)" : "raw-ws (naive)",
  );
});
