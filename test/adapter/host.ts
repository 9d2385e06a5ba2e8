// A minimal AdapterHost with recording sockets, to test the adapter without the server.
import type {
  AdapterHost,
  AdapterSocket,
  PreparedPart,
  RecoveryConfig,
  WriteFlags,
} from "../../src/adapter/contract.js";
import { encode, type Packet } from "../../src/protocol/index.js";

export class RecordingSocket implements AdapterSocket {
  readonly handshake = {};
  data: unknown = {};
  readonly writes: { packet: Packet; parts: readonly PreparedPart[]; flags: WriteFlags }[] = [];
  readonly acks = new Map<number, (...args: unknown[]) => void>();
  maxAcks = Infinity;
  disconnected: boolean | undefined;

  constructor(
    readonly id: string,
    private readonly host: FakeHost,
  ) {}

  get rooms(): Set<string> {
    return this.host.adapter.socketRooms(this.id) ?? new Set();
  }

  writePrepared(packet: Packet, parts: readonly PreparedPart[], flags: WriteFlags): void {
    this.writes.push({ packet, parts, flags });
  }

  expectAck(id: number, ack: (...args: unknown[]) => void): boolean {
    if (this.acks.size >= this.maxAcks) return false;
    this.acks.set(id, ack);
    return true;
  }

  forgetAck(id: number): void {
    this.acks.delete(id);
  }

  join(rooms: string | string[]): void {
    this.host.adapter.addAll(this.id, Array.isArray(rooms) ? rooms : [rooms]);
  }

  leave(room: string): void {
    this.host.adapter.del(this.id, room);
  }

  disconnect(close?: boolean): void {
    this.disconnected = close === true;
    this.host.adapter.delAll(this.id);
    this.host.sockets.delete(this.id);
  }

  /** The text parts this socket was sent. */
  get texts(): string[] {
    return this.writes.map((w) => w.parts[0]!.data as string);
  }
}

export class FakeHost implements AdapterHost {
  readonly name: string;
  readonly sockets = new Map<string, RecordingSocket>();
  recovery: RecoveryConfig | null = null;
  readonly serverSide: unknown[][] = [];
  adapter!: {
    addAll(id: string, rooms: Iterable<string>): void;
    del(id: string, room: string): void;
    delAll(id: string): void;
    socketRooms(id: string): Set<string> | undefined;
  };
  prepared = 0;
  #ids = 0;

  constructor(name = "/") {
    this.name = name;
  }

  add(id: string): RecordingSocket {
    const socket = new RecordingSocket(id, this);
    this.sockets.set(id, socket);
    return socket;
  }

  encode(packet: Packet): readonly (string | Uint8Array)[] {
    return encode(packet) as (string | Uint8Array)[];
  }

  prepare(part: string | Uint8Array): PreparedPart {
    this.prepared++;
    return { data: part };
  }

  nextAckId(): number {
    return this.#ids++;
  }

  onServerSideEmit(args: unknown[]): void {
    this.serverSide.push(args);
  }
}
