/**
 * The in-memory adapter with connection state recovery (socket.io's
 * `connectionStateRecovery`): it keeps the sessions of sockets that dropped, and the
 * broadcasts they may have missed, for `maxDisconnectionDuration`.
 *
 * Unlike socket.io's in-memory version (RELIABILITY 2.4 gaps 2 and 3):
 * - the replay buffer is capped by count and by bytes as well as by age (B8);
 * - a session is deleted when it is restored, so a `pid` works once;
 * - an offset older than the buffer fails recovery explicitly (`recovered: false`)
 *   instead of replaying with a silent gap.
 *
 * No timer: expired entries are dropped from the front of their queues whenever a new
 * entry is added, and checked on restore.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import type { Packet } from "../protocol/index.js";
import { Adapter, isReplayable } from "./adapter.js";
import type {
  AdapterHost,
  BroadcastOptions,
  PrivateSessionId,
  RecoveryConfig,
  Room,
  Session,
  SessionToPersist,
} from "./contract.js";

interface StoredPacket {
  readonly seq: number;
  readonly data: unknown[];
  /** Target rooms; empty means every socket. */
  readonly rooms: readonly Room[];
  readonly except: readonly Room[];
  readonly size: number;
  readonly at: number;
}

interface StoredSession {
  readonly session: SessionToPersist;
  readonly at: number;
}

/** Default recovery limits (RELIABILITY 2.2: socket.io keeps 2 minutes, with no cap). */
export const RECOVERY_DEFAULTS: RecoveryConfig = {
  maxDisconnectionDuration: 2 * 60 * 1000,
  maxBufferedPackets: 10_000,
  maxBufferedBytes: 16 * 1024 * 1024,
};

/** Longest offset we parse: an epoch, a dash, a base-36 sequence number. */
const MAX_OFFSET_LENGTH = 32;

function sizeOf(parts: readonly { data: string | Uint8Array }[]): number {
  let size = 0;
  for (const part of parts) {
    size += typeof part.data === "string" ? part.data.length : part.data.byteLength;
  }
  return size;
}

function includes(session: SessionToPersist, packet: StoredPacket): boolean {
  const rooms = session.rooms;
  if (packet.except.length > 0 && rooms.some((room) => packet.except.includes(room))) return false;
  return packet.rooms.length === 0 || rooms.some((room) => packet.rooms.includes(room));
}

/**
 * The adapter the server uses by default when `connectionStateRecovery` is on.
 *
 * @example
 * ```ts
 * const io = new Server({ connectionStateRecovery: { maxDisconnectionDuration: 60_000 } });
 * io.on("connection", (socket) => {
 *   if (socket.recovered) console.log("restored", socket.id, [...socket.rooms]);
 * });
 * ```
 */
export class SessionAwareAdapter extends Adapter {
  readonly #config: RecoveryConfig;
  readonly #sessions = new Map<PrivateSessionId, StoredSession>();
  #packets: StoredPacket[] = [];
  #head = 0;
  #bytes = 0;
  #seq = 0;
  /** Distinguishes this adapter's offsets from those of an earlier process or namespace. */
  readonly #epoch = randomBytes(6).toString("base64url");

  constructor(nsp: AdapterHost) {
    super(nsp);
    this.#config = nsp.recovery ?? RECOVERY_DEFAULTS;
  }

  /** Milliseconds on a monotonic clock; overridable for tests. */
  protected now(): number {
    return performance.now();
  }

  /** How many packets and bytes the replay buffer holds now. */
  get buffered(): { packets: number; bytes: number; sessions: number } {
    return {
      packets: this.#packets.length - this.#head,
      bytes: this.#bytes,
      sessions: this.#sessions.size,
    };
  }

  override persistSession(session: SessionToPersist): void {
    const now = this.now();
    this.#sessions.delete(session.pid);
    this.#sessions.set(session.pid, { session, at: now });
    const oldest = now - this.#config.maxDisconnectionDuration;
    for (const [pid, stored] of this.#sessions) {
      if (stored.at >= oldest) break;
      this.#sessions.delete(pid);
    }
  }

  override restoreSession(pid: PrivateSessionId, offset: string): Promise<Session | null> {
    const stored = this.#sessions.get(pid);
    if (stored === undefined) return Promise.resolve(null);
    this.#sessions.delete(pid); // one use only (RELIABILITY 2.4 gap 3)
    const now = this.now();
    if (stored.at + this.#config.maxDisconnectionDuration < now) return Promise.resolve(null);
    const seq = this.#parseOffset(offset);
    if (seq === -1) return Promise.resolve(null);
    this.#evict(now);
    const packets = this.#packets;
    const first = this.#head < packets.length ? packets[this.#head]!.seq : this.#seq + 1;
    // The client saw `seq`; everything after it must still be here.
    if (seq < first - 1 || seq > this.#seq) return Promise.resolve(null);
    const missedPackets: unknown[][] = [];
    for (let i = this.#head + (seq - first + 1); i < packets.length; i++) {
      const packet = packets[i]!;
      if (includes(stored.session, packet)) missedPackets.push(packet.data);
    }
    return Promise.resolve({ ...stored.session, missedPackets });
  }

  override broadcast(packet: Packet, opts: BroadcastOptions): void {
    if (!isReplayable(packet, opts)) {
      super.broadcast(packet, opts);
      return;
    }
    const seq = ++this.#seq;
    // The offset travels as the last argument, as socket.io does: the client keeps it
    // and presents it on reconnection.
    (packet.data as unknown[]).push(`${this.#epoch}-${seq.toString(36)}`);
    packet.nsp = this.nsp.name;
    const parts = this.encodeParts(packet);
    const size = sizeOf(parts);
    const now = this.now();
    this.#packets.push({
      seq,
      data: packet.data as unknown[],
      rooms: [...opts.rooms],
      except: opts.except === undefined ? [] : [...opts.except],
      size,
      at: now,
    });
    this.#bytes += size;
    this.#evict(now);
    this.deliver(packet, parts, opts);
  }

  /** Drops packets from the front while the buffer is over a cap or they expired. */
  #evict(now: number): void {
    const { maxBufferedPackets, maxBufferedBytes, maxDisconnectionDuration } = this.#config;
    const packets = this.#packets;
    const oldest = now - maxDisconnectionDuration;
    while (this.#head < packets.length) {
      const packet = packets[this.#head]!;
      const count = packets.length - this.#head;
      if (count <= maxBufferedPackets && this.#bytes <= maxBufferedBytes && packet.at >= oldest) {
        break;
      }
      this.#bytes -= packet.size;
      packets[this.#head] = undefined as unknown as StoredPacket;
      this.#head++;
    }
    if (this.#head > 1024 && this.#head * 2 > packets.length) {
      this.#packets = packets.slice(this.#head);
      this.#head = 0;
    }
  }

  /** The sequence number in one of our offsets, or -1. */
  #parseOffset(offset: string): number {
    if (typeof offset !== "string" || offset.length > MAX_OFFSET_LENGTH) return -1;
    const epoch = this.#epoch;
    if (!offset.startsWith(epoch) || offset.charCodeAt(epoch.length) !== 45 /* - */) return -1;
    const digits = offset.slice(epoch.length + 1);
    if (!/^[0-9a-z]{1,11}$/.test(digits)) return -1;
    return parseInt(digits, 36);
  }
}
