/**
 * An in-process Engine.IO link: a client transport (the `Transport` seam of `client/`)
 * paired with a server-side {@link EngineConnection} (the seam of `engine/`), so that
 * the real client talks to the real server with no network and no second implementation
 * of either protocol. Only Engine.IO's transport is replaced: the Socket.IO packets
 * crossing it are the bytes the wire would carry.
 *
 * Each direction queues what is sent during one event-loop turn and delivers it on the
 * next turn (`setImmediate`), in order, as a network hop would: a handler never runs
 * inside the emit that triggered it.
 *
 * @module
 * @internal
 */
import type {
  OutgoingPacket,
  ResolvedEngineOptions,
  Transport,
  TransportConstructor,
  TransportContext,
  TransportSink,
} from "../client/transport.js";
import type {
  CloseReason,
  EngineConnection,
  PreparedMessage,
  RawData,
  RequestInfo,
  SendOptions,
} from "../engine/connection.js";
import { ConnectionEventSource } from "../engine/connection-events.js";
import { randomSid } from "../engine/sid.js";
import type { Server } from "../server/server.js";

/**
 * The heartbeat the loopback announces. Nothing can be lost in-process, so the server
 * never pings; the client's dead-server timer (pingInterval + pingTimeout) is set far
 * away, below setTimeout's 2^31 - 1 ms ceiling, and unref'd by the test client.
 */
const HEARTBEAT_MS = 1_000_000_000;

/** Open loopback connections, by server, so that closing the app closes them. */
const open = new WeakMap<object, Set<LoopbackConnection>>();

/**
 * Ends every loopback connection of `server` (reason `forced server close`), as closing
 * the engine ends its sessions, and resolves once their clients have seen their
 * transport close.
 *
 * @internal
 */
export function closeLoopbacks(server: object): Promise<void> {
  const set = open.get(server);
  if (set === undefined || set.size === 0) return Promise.resolve();
  for (const conn of [...set]) conn.shutdown();
  // Each shutdown completes on the next turn, in order: this resolves after them.
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Whether some loopback connection of `server` has messages on their way to its client.
 *
 * @internal
 */
export function loopbacksBusy(server: object): boolean {
  const set = open.get(server);
  if (set === undefined) return false;
  for (const conn of set) if (conn.busy) return true;
  return false;
}

function copy(data: RawData): RawData {
  // A network copies bytes; so does the loopback, so that neither side can mutate what
  // the other holds.
  return typeof data === "string" ? data : new Uint8Array(data);
}

/**
 * The server's end of one loopback session.
 *
 * @internal
 */
export class LoopbackConnection extends ConnectionEventSource implements EngineConnection {
  readonly id = randomSid();
  readonly protocol = 4;
  readonly transportName = "loopback";
  readonly transport = LOOPBACK_TRANSPORT;
  readonly request: RequestInfo;
  readyState: "opening" | "open" | "closing" | "closed" = "open";
  onmessage: ((data: RawData) => void) | null = null;
  onclose: ((reason: CloseReason, description?: unknown) => void) | null = null;

  readonly #peer: LoopbackTransport;
  readonly #registry: Set<LoopbackConnection>;
  #queue: RawData[] = [];
  #scheduled = false;
  #closeReason: CloseReason | null = null;

  constructor(request: RequestInfo, peer: LoopbackTransport, registry: Set<LoopbackConnection>) {
    super();
    this.request = request;
    this.#peer = peer;
    this.#registry = registry;
    registry.add(this);
  }

  /** The client's address, from the handshake. */
  get remoteAddress(): string {
    return this.request.remoteAddress;
  }

  send(data: RawData, _options?: SendOptions): void {
    if (this.readyState !== "open") return;
    this.#queue.push(copy(data));
    this.#schedule();
  }

  sendPrepared(message: PreparedMessage, options?: SendOptions): void {
    this.send(message.data, options);
  }

  /** Flushes what is queued, then closes (`forced close`). */
  close(): void {
    this.#end("forced close");
  }

  /** The server shuts down: flushes, then closes (`forced server close`). */
  shutdown(): void {
    this.#end("forced server close");
  }

  /** Whether messages (or the close) are queued for the client. @internal */
  get busy(): boolean {
    return this.#scheduled;
  }

  /** One message from the client. @internal */
  _receive(data: RawData): void {
    if (this.readyState !== "open") return;
    this.emitEvent("message", data);
    this.onmessage?.(data);
  }

  /** The client closed its transport. @internal */
  _peerClosed(): void {
    if (this.readyState === "closed") return;
    this.#finish("transport close");
  }

  #end(reason: CloseReason): void {
    if (this.readyState !== "open") return;
    this.readyState = "closing";
    this.#closeReason = reason;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(flushToClient, this);
  }

  /** Delivers the queued messages; completes a pending close. @internal */
  _flush(): void {
    this.#scheduled = false;
    const queue = this.#queue;
    this.#queue = [];
    for (const data of queue) this.#peer._deliver(data);
    if (this.readyState === "closing") {
      this.#peer._remoteClosed();
      this.#finish(this.#closeReason ?? "forced close");
    }
  }

  #finish(reason: CloseReason): void {
    this.readyState = "closed";
    this.#queue = [];
    this.#registry.delete(this);
    const onclose = this.onclose;
    this.onclose = null;
    this.onmessage = null;
    onclose?.(reason);
    this.emitEvent("close", reason);
  }
}

const LOOPBACK_TRANSPORT = { name: "loopback" } as const;

function flushToClient(conn: LoopbackConnection): void {
  conn._flush();
}

function flushToServer(transport: LoopbackTransport): void {
  transport._flush();
}

/** The opening request the server sees: the transport's URL, query and headers. */
function requestOf(opts: ResolvedEngineOptions, query: Record<string, string>): RequestInfo {
  const headers: Record<string, string> = { host: opts.hostname };
  for (const [name, value] of Object.entries(opts.extraHeaders ?? {})) {
    headers[name.toLowerCase()] = value;
  }
  const search = new URLSearchParams(query).toString();
  return {
    method: "GET",
    url: opts.path + (search === "" ? "" : "?" + search),
    headers,
    remoteAddress: "127.0.0.1",
    secure: opts.secure,
  };
}

/**
 * The client's end of one loopback session. Constructed by the engine client through
 * the class {@link loopbackTransport} returns.
 *
 * @internal
 */
export abstract class LoopbackTransport implements Transport {
  sink: TransportSink;
  writable = false;
  readonly #ctx: TransportContext;
  #conn: LoopbackConnection | null = null;
  #queue: OutgoingPacket[] = [];
  #scheduled = false;
  #closed = false;

  constructor(ctx: TransportContext) {
    this.#ctx = ctx;
    this.sink = ctx.sink;
  }

  get name(): string {
    return "loopback";
  }

  /** The server this transport connects to. */
  protected abstract readonly server: Server;

  /** The server's end, once open. */
  get conn(): LoopbackConnection | null {
    return this.#conn;
  }

  /** Whether the server has sent messages not yet delivered to this transport. */
  get serverBusy(): boolean {
    return this.#conn !== null && this.#conn.busy;
  }

  /** Whether packets (or the close) handed to it are not yet delivered to the server. */
  get busy(): boolean {
    return this.#scheduled || this.#queue.length > 0;
  }

  open(): void {
    // Reported on a later turn: the engine calls open() from its constructor, before
    // anyone listens to it.
    setImmediate(() => {
      if (this.#closed) return;
      const server = this.server;
      let registry = open.get(server);
      if (registry === undefined) open.set(server, (registry = new Set()));
      const conn = new LoopbackConnection(
        requestOf(this.#ctx.opts, this.#ctx.query),
        this,
        registry,
      );
      this.#conn = conn;
      this.writable = true;
      this.sink.onOpen();
      server.onconnection(conn);
      const maxPayload = server.opts.maxHttpBufferSize ?? 1e6;
      this.sink.onPacket({
        type: "open",
        data: JSON.stringify({
          sid: conn.id,
          upgrades: [],
          pingInterval: HEARTBEAT_MS,
          pingTimeout: HEARTBEAT_MS,
          maxPayload,
        }),
      });
    });
  }

  send(packets: readonly OutgoingPacket[]): void {
    this.writable = false;
    for (const packet of packets) {
      const data = packet.data;
      this.#queue.push(data === undefined ? packet : { type: packet.type, data: copy(data) });
    }
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(flushToServer, this);
    }
  }

  /** Delivers the queued packets to the server, then drains. @internal */
  _flush(): void {
    this.#scheduled = false;
    const queue = this.#queue;
    this.#queue = [];
    const conn = this.#conn;
    for (const packet of queue) {
      if (conn === null) break;
      if (packet.type === "message" && packet.data !== undefined) conn._receive(packet.data);
      else if (packet.type === "close") conn._peerClosed();
      // ping, pong, upgrade, noop: nothing to carry (no heartbeat, no upgrade here).
    }
    if (this.#closed) {
      conn?._peerClosed();
      return;
    }
    this.writable = true;
    this.sink.onDrain();
  }

  pause(onPause: () => void): void {
    onPause();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.writable = false;
    // After what is already queued, as a close frame follows the data before it.
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(flushToServer, this);
    }
  }

  /** One message from the server. @internal */
  _deliver(data: RawData): void {
    if (!this.#closed) this.sink.onPacket({ type: "message", data });
  }

  /** The server closed the session. @internal */
  _remoteClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.writable = false;
    this.sink.onClose({ description: "the server closed the loopback session" });
  }
}

/**
 * A transport class that connects to `server` in-process, for the `transports` option
 * of the client.
 *
 * @internal
 */
export function loopbackTransport(server: Server): TransportConstructor {
  return class extends LoopbackTransport {
    protected readonly server = server;
  };
}
