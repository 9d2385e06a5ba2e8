/**
 * The WebSocket transport over `ws` (spec: "WebSocket": one packet per frame).
 *
 * Outgoing frames are written straight to the raw socket, which is corked on the first
 * write of an event-loop turn and uncorked by the shared end-of-turn flush, so a
 * turn's frames leave in one `writev` (DESIGN: performance principle 2). `ws` still
 * parses incoming frames, answers control frames and runs the closing handshake; its
 * own writes go through the same corked socket, so ordering holds. With
 * permessage-deflate negotiated every write goes through `ws.send`, whose queue keeps
 * compressed frames in order.
 *
 * Listeners are module-level functions that reach the transport through a symbol on
 * the `ws` object: no closure per connection.
 *
 * @module
 * @internal
 */
import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";
import { WebSocketServer } from "ws";
import { PushwireError } from "../errors.js";
import type { RawData } from "./connection.js";
import type { EnginePacket } from "./codec.js";
import { decodePacket } from "./codec.js";
import { useFastListenerTable } from "./listener-table.js";
import { ignoreError } from "./request.js";
import type { Flushable } from "./flush.js";
import { scheduleFlush } from "./flush.js";
import type { ResolvedOptions } from "./options.js";
import type { PreparedMessage } from "./prepared.js";
import type { DeadlineList, DeadlineNode } from "./scheduler.js";

/** What a WebSocket transport reports to its session. @internal */
export interface WebSocketOwner {
  /** A message packet arrived (the hot path: no packet object). */
  onWsMessage(transport: WebSocketTransport, data: RawData): void;
  /** Any other packet arrived, or `null` for bytes that are not Engine.IO. */
  onWsPacket(transport: WebSocketTransport, packet: EnginePacket | null): void;
  /** The socket closed or failed. */
  onWsClose(transport: WebSocketTransport, error: Error | null): void;
  /** The end-of-turn flush wrote this transport's frames. */
  onWsFlushed(transport: WebSocketTransport): void;
  /** A ping frame arrived: answer with {@link WebSocketTransport.writePong}. */
  onWsPing(transport: WebSocketTransport, data: Buffer): void;
}

const kTransport = Symbol("pushwire.transport");
type OwnedWebSocket = WebSocket & { [kTransport]?: WebSocketTransport };

const TYPE_MESSAGE = 0x34; // "4"

/**
 * Transport flags: frames go through `ws.send` (permessage-deflate negotiated); corked for
 * the current turn; closed.
 */
const [DEFLATE, CORKED, CLOSED] = [1, 2, 4] as const;

function wsOnMessage(this: OwnedWebSocket, data: Buffer, isBinary: boolean): void {
  const transport = this[kTransport];
  if (transport !== undefined) transport.onFrame(data, isBinary);
}

function wsOnClose(this: OwnedWebSocket): void {
  const transport = this[kTransport];
  if (transport !== undefined) transport.onClose(null);
}

function wsOnPing(this: OwnedWebSocket, data: Buffer): void {
  const transport = this[kTransport];
  if (transport !== undefined) transport.onPing(data);
}

function wsOnError(this: OwnedWebSocket, error: Error): void {
  const transport = this[kTransport];
  if (transport !== undefined) transport.onClose(error);
}

/**
 * A socket or frame error as a PushwireError with a code: a message over `maxPayload`
 * is PAYLOAD_TOO_LARGE (as the 413 of polling), anything else TRANSPORT_ERROR; `data`
 * keeps ws's own code (`WS_ERR_*`) or the socket's (`ECONNRESET`).
 */
function transportError(error: Error): PushwireError {
  const code = (error as { code?: unknown }).code;
  return new PushwireError(
    code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH"
      ? "PW_ERR_ENGINE_PAYLOAD_TOO_LARGE"
      : "PW_ERR_ENGINE_TRANSPORT_ERROR",
    error.message,
    typeof code === "string" ? { code } : undefined,
  );
}

/**
 * The `ws` server that answers an engine's upgrades: no client tracking (the engine
 * has its sessions), and no automatic pongs, which cost a closure per connection (the
 * transport answers pings itself).
 *
 * @internal
 */
export function createWsServer(opts: ResolvedOptions): WebSocketServer {
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: opts.maxHttpBufferSize,
    perMessageDeflate: opts.perMessageDeflate,
    closeTimeout: opts.closeTimeout,
    autoPong: false,
  } as ConstructorParameters<typeof WebSocketServer>[0]);
  wss.on("error", ignoreError);
  return wss;
}

/** Bytes of an unmasked frame header for a payload of `length` bytes (RFC 6455 §5.2). */
function headerSize(length: number): number {
  return length < 126 ? 2 : length < 65536 ? 4 : 10;
}

/** Writes the header of an unmasked frame: `first` (FIN and opcode), then the length. */
function writeHeader(frame: Buffer, first: number, length: number): void {
  frame[0] = first;
  if (length < 126) frame[1] = length;
  else if (length < 65536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 0x100000000), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
}

/** A transport on one upgraded connection. @internal */
export class WebSocketTransport implements Flushable {
  owner: WebSocketOwner | null;
  /** {@link DEFLATE}, {@link CORKED} and {@link CLOSED}, in one field. */
  private bits: number;
  /** Bytes left unwritten from earlier turns, measured at this turn's first write. */
  stale = 0;
  flushQueued = false;

  constructor(
    readonly ws: WebSocket,
    /** The raw socket `ws` runs on (the one handed to `handleUpgrade`). */
    readonly socket: Duplex,
    owner: WebSocketOwner,
  ) {
    this.owner = owner;
    this.bits = ws.extensions.length > 0 ? DEFLATE : 0;
    (ws as OwnedWebSocket)[kTransport] = this;
    useFastListenerTable(ws);
    ws.on("message", wsOnMessage);
    ws.on("close", wsOnClose);
    // ws's autoPong is off: it keeps a closure per connection (see server.ts).
    ws.on("ping", wsOnPing);
    // Kept for the socket's whole life, through upgrades and after close
    // (CVE-2022-21676: an invalid frame with no listener threw).
    ws.on("error", wsOnError);
    // ws now guards the raw socket with its own error listener; the one the server added
    // before the upgrade (CVE-2022-41940) would only keep a two-listener array alive.
    socket.removeListener("error", ignoreError);
  }

  /** The transport's name, as engine.io gives it. */
  get name(): string {
    return "websocket";
  }

  /** @internal */
  onFrame(data: Buffer, isBinary: boolean): void {
    const owner = this.owner;
    if (owner === null) return;
    if (isBinary) owner.onWsMessage(this, data);
    else if (data[0] === TYPE_MESSAGE) owner.onWsMessage(this, data.toString("utf8", 1));
    else owner.onWsPacket(this, decodePacket(data.toString()));
  }

  /** @internal */
  onPing(data: Buffer): void {
    const owner = this.owner;
    if (owner !== null) owner.onWsPing(this, data);
  }

  /** @internal */
  onClose(error: Error | null): void {
    const owner = this.owner;
    if (owner === null) return;
    this.owner = null;
    this.bits |= CLOSED;
    owner.onWsClose(this, error === null ? null : transportError(error));
  }

  /**
   * Starts the turn on the first write: measures what earlier turns left unwritten,
   * corks, and registers the end-of-turn flush. Returns the stale byte count.
   */
  beginTurn(): number {
    if ((this.bits & CORKED) === 0) {
      this.stale =
        (this.bits & DEFLATE) !== 0 ? this.ws.bufferedAmount : this.socket.writableLength;
      this.bits |= CORKED;
      this.socket.cork();
      scheduleFlush(this);
    }
    return this.stale;
  }

  /** Writes a text packet: the type char code, then `data`. Call after {@link beginTurn}. */
  writeText(type: number, data: string, compress = true): void {
    if ((this.bits & DEFLATE) !== 0) {
      this.ws.send(String.fromCharCode(type) + data, { binary: false, compress, fin: true });
      return;
    }
    const length = Buffer.byteLength(data) + 1;
    const offset = headerSize(length);
    const frame = Buffer.allocUnsafe(offset + length);
    writeHeader(frame, 0x81, length); // FIN, text
    frame[offset] = type;
    // Fills the rest exactly: byteLength and write agree, lone surrogates included
    // (RELIABILITY D7: no unwritten allocUnsafe bytes reach the wire).
    frame.write(data, offset + 1, "utf8");
    this.socket.write(frame);
  }

  /**
   * Writes a pong frame carrying a ping's data (RFC 6455 §5.5.3; control frames hold at
   * most 125 bytes, which ws checked). Call after {@link beginTurn}.
   */
  writePong(data: Buffer): void {
    if ((this.bits & DEFLATE) !== 0) {
      this.ws.pong(data, false);
      return;
    }
    const frame = Buffer.allocUnsafe(2 + data.length);
    writeHeader(frame, 0x8a, data.length); // FIN, pong
    data.copy(frame, 2);
    this.socket.write(frame);
  }

  /** Writes a binary message packet. Call after {@link beginTurn}. */
  writeBinary(data: Uint8Array, compress = true): void {
    if ((this.bits & DEFLATE) !== 0) {
      this.ws.send(data, { binary: true, compress, fin: true });
      return;
    }
    const length = data.byteLength;
    const header = Buffer.allocUnsafe(headerSize(length));
    writeHeader(header, 0x82, length); // FIN, binary
    this.socket.write(header);
    if (length !== 0) this.socket.write(data);
  }

  /** Writes a prepared message: its shared frame bytes. Call after {@link beginTurn}. */
  writePrepared(message: PreparedMessage, compress = true): void {
    if ((this.bits & DEFLATE) !== 0) {
      const text = message.text();
      if (text === null) this.ws.send(message.data, { binary: true, compress, fin: true });
      else this.ws.send(text, { binary: false, compress, fin: true });
      return;
    }
    this.socket.write(message.frame());
  }

  /** Uncorks: the turn's frames leave in one write. */
  flush(): void {
    if ((this.bits & CORKED) === 0) return;
    this.bits &= ~CORKED;
    this.socket.uncork();
    const owner = this.owner;
    if (owner !== null) owner.onWsFlushed(this);
  }

  /**
   * Flushes, then starts the closing handshake (`ws` destroys the socket if the peer
   * does not answer within `closeTimeout`). The session no longer hears from it.
   */
  close(code: number, reason: string): void {
    this.owner = null;
    if ((this.bits & CLOSED) !== 0) return;
    this.bits |= CLOSED;
    this.flush();
    this.ws.close(code, reason);
  }

  /** Destroys the socket at once, dropping what is buffered. */
  terminate(): void {
    this.owner = null;
    this.bits |= CLOSED;
    if ((this.bits & CORKED) !== 0) {
      this.bits &= ~CORKED;
      this.socket.uncork();
    }
    this.ws.terminate();
  }
}

/**
 * The WebSocket of an upgrade in progress (spec: "Upgrade"), which is also its node in
 * the upgrade-timeout list. Only probes carry the list's links: a session opened on
 * WebSocket directly has none.
 *
 * @internal
 */
export class ProbeTransport extends WebSocketTransport implements DeadlineNode {
  dlPrev: DeadlineNode | null = null;
  dlNext: DeadlineNode | null = null;
  dlList: DeadlineList | null = null;
  dlDeadline = 0;
}
