/**
 * What the classes of the server layer need of each other, as interfaces, so that
 * imports run one way (server -> client -> namespace -> socket) without cycles.
 *
 * @module
 * @internal
 */
import type { Adapter } from "../adapter/adapter.js";
import type { AdapterHost, PreparedPart, WriteFlags } from "../adapter/contract.js";
import type { EngineConnection, RawData } from "../engine/connection.js";
import type { Packet } from "../protocol/index.js";
import type { AckTimers } from "./ack.js";
import type { Handshake, ResolvedServerOptions } from "./options.js";

/**
 * The server as namespaces and sockets see it. Its members are internal: published
 * declarations show it as an opaque type.
 */
export interface ServerContext {
  /** @internal */
  readonly _opts: ResolvedServerOptions;
  /** @internal */
  readonly _ackTimers: AckTimers;
  /** Encodes a packet with the server's parser. @internal */
  _encode(packet: Packet): readonly RawData[];
  /** Prepares one encoded part for many sessions. @internal */
  _prepare(part: RawData): PreparedPart;
  /** A new adapter for a namespace. @internal */
  _createAdapter(host: AdapterHost): Adapter;
}

/** A socket's connection, as the socket sees it. Its members are internal. */
export interface SocketClient {
  readonly conn: EngineConnection;
  /** The parsed query of the opening request, shared by the client's sockets. */
  readonly query: Handshake["query"];
  /** Encodes and writes one packet. @internal */
  _packet(packet: Packet, flags: WriteFlags): void;
  /** Writes a broadcast's prepared parts. @internal */
  _writePrepared(parts: readonly PreparedPart[], flags: WriteFlags): void;
  /** A CONNECT answer was written: space what follows (connect-spacing.ts). @internal */
  _spaceAfterConnect(): void;
  /** The socket left its namespace (`byServer`: the server disconnected it). @internal */
  _remove(nsp: string, byServer: boolean): void;
  /** Whether the connection is open and not being closed by the server. @internal */
  readonly _active: boolean;
  /** Closes the connection, disconnecting every namespace. @internal */
  _disconnect(): void;
}
