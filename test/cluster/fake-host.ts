// Namespaces without a server: an AdapterHost with sockets that record what they are
// sent, so that adapter suites run before (and apart from) the server layer.
import type {
  Adapter,
  AdapterHost,
  AdapterSocket,
  PreparedPart,
  Room,
  WriteFlags,
} from "../../src/adapter/index.js";
import { encode, type Packet } from "../../src/protocol/index.js";

export interface Received {
  /** `[event, ...args]` */
  data: unknown[];
  /** The prepared parts, to check that a broadcast was encoded once per node. */
  parts: readonly PreparedPart[];
  id?: number;
  flags: WriteFlags;
}

export class FakeSocket implements AdapterSocket {
  readonly rooms: Set<Room>;
  readonly received: Received[] = [];
  readonly acks = new Map<number, (...args: unknown[]) => void>();
  disconnected: false | "close" | "keep" = false;
  data: unknown = {};
  readonly handshake = { auth: {}, query: { q: "1" }, address: "127.0.0.1", time: "t" };

  constructor(
    readonly id: string,
    readonly host: FakeHost,
  ) {
    this.rooms = new Set([id]);
  }
  writePrepared(packet: Packet, parts: readonly PreparedPart[], flags: WriteFlags): void {
    // The parts must be the encoded packet: check that the adapter encoded it right.
    const text = parts[0]!.data as string;
    if (!/^[25]/.test(text)) throw new Error(`not an event: ${text}`);
    this.received.push({
      data: packet.data as unknown[],
      parts,
      ...(packet.id === undefined ? {} : { id: packet.id }),
      flags,
    });
  }
  expectAck(id: number, ack: (...args: unknown[]) => void): boolean {
    this.acks.set(id, ack);
    return true;
  }
  forgetAck(id: number): void {
    this.acks.delete(id);
  }
  /** Answers the latest broadcast with ack, as a client would. */
  answer(value: unknown): void {
    const [id, ack] = [...this.acks].at(-1)!;
    this.acks.delete(id);
    ack(value);
  }
  join(rooms: Room | Room[]): void {
    const list = Array.isArray(rooms) ? rooms : [rooms];
    for (const r of list) this.rooms.add(r);
    this.host.adapter.addAll(this.id, list);
  }
  leave(room: Room): void {
    this.rooms.delete(room);
    this.host.adapter.del(this.id, room);
  }
  disconnect(close?: boolean): void {
    this.disconnected = close ? "close" : "keep";
    this.host.sockets.delete(this.id);
    this.host.adapter.delAll(this.id);
  }
  /** Event names received, in order. */
  events(): unknown[] {
    return this.received.map((r) => r.data[0]);
  }
}

let counter = 0;

export class FakeHost implements AdapterHost {
  readonly sockets = new Map<string, FakeSocket>();
  readonly recovery = null;
  readonly serverSide: unknown[][] = [];
  adapter!: Adapter;
  #ack = 0;
  /** Called for each server-side event; by default records it. */
  onServerSide: (args: unknown[]) => void = (args) => this.serverSide.push(args);

  constructor(readonly name = "/") {}

  encode(packet: Packet): readonly (string | Uint8Array)[] {
    return encode(packet) as (string | Uint8Array)[];
  }
  prepare(part: string | Uint8Array): PreparedPart {
    return { data: part };
  }
  nextAckId(): number {
    return this.#ack++;
  }
  onServerSideEmit(args: unknown[]): void {
    this.onServerSide(args);
  }
  /** A connected socket with a fresh id, in `rooms`. */
  connect(...rooms: Room[]): FakeSocket {
    const socket = new FakeSocket(`s${++counter}-${this.name}`, this);
    this.sockets.set(socket.id, socket);
    if (rooms.length > 0) socket.join(rooms);
    return socket;
  }
}

/** Waits until `check` passes (it throws or returns false until then). */
export async function until(
  check: () => unknown,
  timeout = 3000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      if ((await check()) !== false) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw last instanceof Error ? last : new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
