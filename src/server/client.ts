/**
 * A `Client`: one Engine.IO session and the namespace sockets multiplexed on it. It
 * decodes incoming messages, routes packets to sockets, connects namespaces, and
 * enforces the connection-level rules: the first packet must be a CONNECT (spec,
 * "Connection to a namespace"), a namespace must be connected before use, at most
 * `maxNamespacesPerConnection` namespaces, a binary packet gets its attachments within
 * `binaryTimeout`, and some namespace is connected within `connectTimeout`.
 *
 * Both timeouts ride the server's deadline scheduler: the client is itself the node of
 * the connect-timeout list (no timer, no extra object).
 *
 * @module
 * @internal
 */
import type { PreparedPart, WriteFlags } from "../adapter/contract.js";
import type { CloseReason, EngineConnection, RawData } from "../engine/connection.js";
import type { DeadlineList, DeadlineNode } from "../engine/scheduler.js";
import { PushwireError, type ErrorCode } from "../errors.js";
import { PacketType, type Packet } from "../protocol/index.js";
import { clientError } from "./channels.js";
import type { ServerContext } from "./context.js";
import { releaseLater, type Spaced } from "./connect-spacing.js";
import { NO_AUTH, queryOf } from "./handshake.js";
import type { Namespace, NamespaceClient } from "./namespace.js";
import type { DisconnectReason, Handshake, ParserDecoder } from "./options.js";
import type { Socket } from "./socket.js";

/* eslint-disable @typescript-eslint/no-explicit-any -- sockets of any event maps */
type AnySocket = Socket<any, any, any, any>;
type AnyNamespace = Namespace<any, any, any, any>;

/** Longest namespace name we look up; longer ones close the connection (RELIABILITY A5-8). */
const MAX_NAMESPACE_LENGTH = 1024;

/** What a client needs of the server. Its members are internal. */
export interface ClientServer extends ServerContext {
  /** @internal */
  readonly _nsps: Map<string, AnyNamespace>;
  /** Finds or creates a dynamic namespace for `name`; null if none accepts it. @internal */
  _checkNamespace(
    name: string,
    auth: Handshake["auth"],
    done: (nsp: AnyNamespace | null) => void,
  ): void;
  /** A new decoder for one connection. @internal */
  _newDecoder(): ParserDecoder;
  /**
   * Decodes one text packet without per-connection state (pushwire's own parser), or
   * null when a custom parser decodes. @internal
   */
  readonly _decodeText: ((text: string) => Packet) | null;
  /** The server is closing: no new socket is admitted. @internal */
  readonly _closing: boolean;
  /** Connect-timeout and binary-timeout lists. @internal */
  readonly _connectTimeouts: DeadlineList;
  /** @internal */
  readonly _binaryTimeouts: DeadlineList;
}

/**
 * A client waiting for its first namespace, or for the rest of a binary packet, as a
 * node of the connect- or binary-timeout list: the client itself carries no links.
 */
class ClientWait implements DeadlineNode {
  dlPrev: DeadlineNode | null = null;
  dlNext: DeadlineNode | null = null;
  dlList: DeadlineList | null = null;
  dlDeadline = 0;
  constructor(readonly client: Client) {}
}

/** The state of a client that most connections never need, in one object made on demand. */
class ClientExtras {
  /** Connected sockets by namespace name, once more than one connected. */
  byNsp: Map<string, AnySocket> | null = null;
  /** Namespaces whose CONNECT is being processed (across an async middleware). */
  connecting: Set<string> | null = null;
  /** Namespaces the server disconnected: packets in flight for them are ignored. */
  left: Set<string> | null = null;
  /** In the binary-timeout list while a binary packet waits for its attachments. */
  binary: ClientWait | null = null;
}

/** Called by the connect-timeout list. @internal */
export function connectTimedOut(node: DeadlineNode): void {
  const client = (node as ClientWait).client;
  if (client._socketCount === 0) {
    client._fail("PW_ERR_SERVER_CONNECT_TIMEOUT", "forced server close");
  }
}

/** Called by the binary-timeout list. @internal */
export function binaryTimedOut(node: DeadlineNode): void {
  (node as ClientWait).client._fail("PW_ERR_SERVER_BINARY_TIMEOUT", "parse error");
}

/**
 * A volatile binary packet must not lose its header and keep its attachments (or the
 * reverse): its parts are sent as one, never dropped.
 */
function wholeFlags(flags: WriteFlags): WriteFlags {
  return flags.volatile === true ? { compress: flags.compress, volatile: false } : flags;
}

/** A write held after a CONNECT answer (see connect-spacing.ts). */
interface HeldWrite {
  readonly part: RawData | PreparedPart;
  readonly prepared: boolean;
  readonly flags: WriteFlags;
  /** A CONNECT answer: what follows it waits again. */
  connect: boolean;
}

/**
 * One Engine.IO connection and its sockets.
 *
 * @internal
 */
export class Client implements NamespaceClient, Spaced {
  readonly conn: EngineConnection;
  /**
   * The connected socket while there is at most one (most connections use one
   * namespace): no Map per connection until a second namespace connects. Then every
   * socket lives in `byNsp` of {@link #extras} and this is null.
   */
  #single: AnySocket | null = null;
  #extras: ClientExtras | null = null;
  readonly #server: ClientServer;
  /**
   * A custom parser's decoder, or pushwire's once a binary packet arrives: text packets
   * of pushwire's parser need no state, so most connections never have one.
   */
  #decoder: ParserDecoder | null = null;
  /** In the connect-timeout list until a namespace is connected. */
  #connectWait: ClientWait | null = new ClientWait(this);
  /** Writes that wait for the spacing after a CONNECT answer; null when none is due. */
  #held: HeldWrite[] | null = null;
  #closed = false;

  constructor(server: ClientServer, conn: EngineConnection) {
    this.#server = server;
    this.conn = conn;
    if (server._decodeText === null) this.newDecoder();
    if (conn.handler === null) conn.handler = this;
    else {
      conn.onmessage = (data) => this._ondata(data);
      conn.onclose = (reason, description) => this.onclose(reason, description);
    }
    server._connectTimeouts.push(this.#connectWait!);
  }

  /** Connected sockets, by namespace name (a copy). */
  get sockets(): Map<string, AnySocket> {
    const single = this.#single;
    if (single !== null) return new Map([[single.nsp.name, single]]);
    return new Map(this.#extras?.byNsp ?? []);
  }

  /** How many sockets are connected. @internal */
  get _socketCount(): number {
    return this.#single !== null ? 1 : (this.#extras?.byNsp?.size ?? 0);
  }

  /** The socket connected on namespace `name`. @internal */
  _socketOf(name: string): AnySocket | undefined {
    const single = this.#single;
    if (single !== null) return single.nsp.name === name ? single : undefined;
    return this.#extras?.byNsp?.get(name);
  }

  private socketList(): AnySocket[] {
    const single = this.#single;
    if (single !== null) return [single];
    const byNsp = this.#extras?.byNsp;
    return byNsp == null ? [] : [...byNsp.values()];
  }

  private setSocket(name: string, socket: AnySocket): void {
    const single = this.#single;
    const byNsp = this.#extras?.byNsp;
    if (byNsp != null) byNsp.set(name, socket);
    else if (single === null) this.#single = socket;
    else {
      this.#single = null;
      this.extras().byNsp = new Map([
        [single.nsp.name, single],
        [name, socket],
      ]);
    }
  }

  private deleteSocket(name: string): boolean {
    const single = this.#single;
    if (single === null) return this.#extras?.byNsp?.delete(name) ?? false;
    if (single.nsp.name !== name) return false;
    this.#single = null;
    return true;
  }

  private extras(): ClientExtras {
    return (this.#extras ??= new ClientExtras());
  }

  private markConnecting(name: string): void {
    (this.extras().connecting ??= new Set()).add(name);
  }

  private doneConnecting(name: string): void {
    const extras = this.#extras;
    if (extras === null || extras.connecting === null) return;
    extras.connecting.delete(name);
    if (extras.connecting.size !== 0) return;
    extras.connecting = null;
    if (extras.byNsp === null && extras.left === null && extras.binary === null) {
      this.#extras = null;
    }
  }

  /** The opening request's query (parsed on each read: each socket's handshake keeps it). */
  get query(): Handshake["query"] {
    return queryOf(this.conn.request.url);
  }

  /** @internal */
  onEngineMessage(data: RawData): void {
    this._ondata(data);
  }

  /** @internal */
  onEngineClose(reason: CloseReason, description?: unknown): void {
    this.onclose(reason, description);
  }

  private newDecoder(): ParserDecoder {
    const decoder = this.#server._newDecoder();
    this.#decoder = decoder;
    if (typeof decoder.on === "function") {
      decoder.on("decoded", (packet) => this.ondecoded(packet));
    }
    return decoder;
  }

  /** One Engine.IO message. @internal */
  _ondata(data: RawData): void {
    if (this.#closed) return;
    let packet: Packet | undefined | void;
    const decodeText = this.#server._decodeText;
    try {
      if (this.#decoder === null && decodeText !== null && typeof data === "string") {
        packet = decodeText(data);
        // A binary packet's header is decoded again by the decoder that waits for it.
        if (packet.attachments !== undefined) packet = this.newDecoder().add(data);
      } else packet = (this.#decoder ?? this.newDecoder()).add(data);
    } catch (err) {
      this.error(err instanceof Error ? err : new Error(String(err)), "parse error");
      return;
    }
    if (this.#decoder === null) {
      if (packet !== undefined) this.ondecoded(packet);
      return;
    }
    const binary = this.#extras?.binary ?? null;
    const waiting = binary !== null && binary.dlList !== null;
    const reconstructing = (this.#decoder as { reconstructing?: boolean }).reconstructing === true;
    if (reconstructing && !waiting)
      this.#server._binaryTimeouts.push((this.extras().binary ??= new ClientWait(this)));
    else if (!reconstructing && waiting) this.#server._binaryTimeouts.remove(binary);
    // pushwire's decoder holds nothing between binary packets: drop it until the next.
    if (!reconstructing && decodeText !== null) this.#decoder = null;
    if (packet !== undefined) this.ondecoded(packet);
  }

  private ondecoded(packet: Packet): void {
    if (this.#closed) return;
    const name = packet.nsp;
    const socket = this._socketOf(name);
    if (socket !== undefined) {
      if (packet.type === PacketType.CONNECT || packet.type === PacketType.CONNECT_ERROR) {
        this._fail("PW_ERR_SERVER_INVALID_STATE", "forced server close");
      } else socket._onpacket(packet);
      return;
    }
    if (packet.type === PacketType.CONNECT && this.#extras?.connecting?.has(name) !== true) {
      this.connect(name, (packet.data ?? NO_AUTH) as Handshake["auth"]);
      return;
    }
    // A packet in flight when the server disconnected its namespace is not the
    // client's fault; anything else for a namespace not connected is (RELIABILITY A5-7).
    if (packet.type !== PacketType.CONNECT && this.#extras?.left?.has(name) === true) return;
    this._fail("PW_ERR_SERVER_INVALID_STATE", "forced server close");
  }

  private connect(name: string, auth: Handshake["auth"]): void {
    if (name.length > MAX_NAMESPACE_LENGTH) {
      this._fail("PW_ERR_SERVER_INVALID_NAMESPACE", "forced server close");
      return;
    }
    if (this.#server._closing) {
      this.refuse(name, "PW_ERR_SERVER_SHUTTING_DOWN", "server is shutting down");
      return;
    }
    const max = this.#server._opts.maxNamespacesPerConnection;
    if (this._socketCount + (this.#extras?.connecting?.size ?? 0) >= max) {
      this.refuse(
        name,
        "PW_ERR_SERVER_NAMESPACE_LIMIT",
        `Too many namespaces on this connection (maxNamespacesPerConnection ${max})`,
      );
      return;
    }
    this.#extras?.left?.delete(name);
    const nsp = this.#server._nsps.get(name);
    if (nsp !== undefined) {
      this.add(nsp, name, auth);
      return;
    }
    this.markConnecting(name);
    this.#server._checkNamespace(name, auth === NO_AUTH ? {} : auth, (dynamic) => {
      if (this.#closed) return;
      if (dynamic === null) {
        this.doneConnecting(name);
        this.refuse(name, "PW_ERR_SERVER_INVALID_NAMESPACE", "Invalid namespace");
      } else this.add(dynamic, name, auth);
    });
  }

  private add(nsp: AnyNamespace, name: string, auth: Handshake["auth"]): void {
    let settled = false;
    nsp._add(this, auth, (socket) => {
      settled = true;
      this.doneConnecting(name);
      if (socket === null) return;
      if (this.#closed) {
        socket._onclose("forced server close");
        return;
      }
      this.setSocket(name, socket);
      this.endConnectWait();
    });
    // Admitted at once (no async middleware): no other CONNECT can have come meanwhile.
    if (!settled) this.markConnecting(name);
  }

  /** Answers a CONNECT with CONNECT_ERROR; the connection stays open. */
  private refuse(name: string, code: ErrorCode, message: string): void {
    // "Invalid namespace" exactly as socket.io (and the protocol test suite) has it;
    // refusals socket.io does not make carry their code.
    const data =
      code === "PW_ERR_SERVER_INVALID_NAMESPACE" ? { message } : { message, data: { code } };
    this._packet(
      { type: PacketType.CONNECT_ERROR, nsp: name, data },
      { volatile: false, compress: true },
    );
  }

  /** @internal */
  _packet(packet: Packet, flags: WriteFlags): void {
    if (this.conn.readyState !== "open") return;
    this.writeParts(this.#server._encode(packet), false, flags);
  }

  /** @internal */
  _writePrepared(parts: readonly PreparedPart[], flags: WriteFlags): void {
    if (this.conn.readyState !== "open") return;
    this.writeParts(parts, true, flags);
  }

  /** Writes a packet's parts: one message, or a binary packet's header and attachments. */
  private writeParts(
    parts: readonly (RawData | PreparedPart)[],
    prepared: boolean,
    flags: WriteFlags,
  ): void {
    if (parts.length === 1) this.write(parts[0]!, prepared, flags);
    else {
      const whole = wholeFlags(flags);
      for (const part of parts) this.write(part, prepared, whole);
    }
  }

  /** Writes one part now, or holds it while a CONNECT answer's spacing runs. */
  private write(part: RawData | PreparedPart, prepared: boolean, flags: WriteFlags): void {
    const held = this.#held;
    if (held !== null) held.push({ part, prepared, flags, connect: false });
    else this.send(part, prepared, flags);
  }

  private send(part: RawData | PreparedPart, prepared: boolean, flags: WriteFlags): void {
    if (prepared) this.conn.sendPrepared(part as PreparedPart, flags);
    else this.conn.send(part as RawData, flags);
  }

  /**
   * A CONNECT answer (and the packets a recovered socket missed) was just written: what
   * follows waits for the spacing of connect-spacing.ts. Only WebSocket frames can share
   * a TCP chunk with the answer; polling responses and in-process transports are not
   * spaced.
   *
   * @internal
   */
  _spaceAfterConnect(): void {
    const held = this.#held;
    if (held !== null) {
      if (held.length > 0) held[held.length - 1]!.connect = true;
    } else if (this.conn.transportName === "websocket") {
      this.#held = [];
      releaseLater(this);
    }
  }

  /** Sends the writes held since the last CONNECT answer, in order. @internal */
  _release(): void {
    const held = this.#held;
    if (held === null) return;
    this.#held = null;
    if (this.#closed || this.conn.readyState !== "open") return;
    for (let i = 0; i < held.length; i++) {
      const { part, prepared, flags, connect } = held[i]!;
      this.send(part, prepared, flags);
      if (connect) {
        this.#held = held.slice(i + 1);
        releaseLater(this);
        return;
      }
    }
  }

  /** Sends everything held at once, for a connection about to close. */
  private releaseAll(): void {
    while (this.#held !== null) {
      for (const write of this.#held) write.connect = false;
      this._release();
    }
  }

  /**
   * A socket left its namespace. After a disconnection by the server, packets the client
   * had in flight for it are ignored; the set is capped like the namespaces themselves.
   *
   * @internal
   */
  _remove(nsp: string, byServer: boolean): void {
    // Shutting down: what waits for the CONNECT spacing leaves before the engine's close.
    if (this.#server._closing) this.releaseAll();
    if (!this.deleteSocket(nsp) || this.#closed || !byServer) return;
    const left = (this.extras().left ??= new Set());
    left.add(nsp);
    if (left.size > this.#server._opts.maxNamespacesPerConnection) {
      left.delete(left.values().next().value!);
    }
  }

  /** Whether the connection is open and not being closed by the server. @internal */
  get _active(): boolean {
    return !this.#closed && this.conn.readyState === "open";
  }

  /** Disconnects every socket and closes the connection. @internal */
  _disconnect(): void {
    for (const socket of this.socketList()) socket.disconnect();
    if (this.#closed) return;
    this.releaseAll();
    this.teardown("forced server close");
    // The DISCONNECT packets go first: the engine sends its close only once they are out.
    this.conn.close();
  }

  /** Closes the connection for `code`; sockets see `reason`. @internal */
  _fail(code: ErrorCode, reason: DisconnectReason): void {
    this.error(new PushwireError(code), reason);
  }

  /** Reports `err` to every socket, then closes. */
  private error(err: Error, reason: DisconnectReason): void {
    if (this.#closed) return;
    if (clientError.hasSubscribers) clientError.publish({ conn: this.conn, error: err });
    for (const socket of this.socketList()) socket._onerror(err);
    this.close(reason, err);
  }

  /** Closes the connection ourselves: sockets see `reason`, not the engine's. */
  private close(reason: DisconnectReason, description?: unknown): void {
    if (this.#closed) return;
    this.teardown(reason, description);
    this.conn.close();
  }

  private onclose(reason: CloseReason, description?: unknown): void {
    if (this.#closed) return;
    this.teardown(reason, description);
  }

  private endConnectWait(): void {
    const wait = this.#connectWait;
    if (wait === null) return;
    this.#connectWait = null;
    if (wait.dlList !== null) wait.dlList.remove(wait);
  }

  private teardown(reason: DisconnectReason, description?: unknown): void {
    this.#closed = true;
    const conn = this.conn;
    conn.onmessage = null;
    conn.onclose = null;
    if (conn.handler === this) conn.handler = null;
    this.endConnectWait();
    const binary = this.#extras?.binary;
    if (binary?.dlList != null) binary.dlList.remove(binary);
    this.#decoder?.destroy();
    for (const socket of this.socketList()) socket._onclose(reason, description);
    this.#single = null;
    this.#extras = null;
  }
}
