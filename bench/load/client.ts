/**
 * What the load generator's drivers see of one simulated client, whatever its transport,
 * and the per-client state they keep. Packets arrive as bytes of one Engine.IO message
 * and are dispatched by their first bytes (see protocol.ts).
 *
 * @module
 */
import { EIO, SIO, readSeqAck, readSeqEvent } from "./protocol.js";
import { SequenceTracker } from "./sequence.js";

/** The callbacks a client reports its Socket.IO traffic to (one object for all clients). */
export interface ClientSink {
  /** An event whose first argument is a sequence number. */
  onSeqEvent(client: BenchClient, name: string, seq: number): void;
  /** An ack whose first argument is `seq` (NaN when it is not an integer). */
  onAck(client: BenchClient, id: number, seq: number): void;
  /** The client is gone: `reason` is null when it closed itself, else what ended it. */
  onClose(client: BenchClient, reason: string | null): void;
}

/** One simulated Socket.IO client on `/`. */
export abstract class BenchClient {
  /** Stream tracking for the event the runner armed. */
  readonly tracker = new SequenceTracker();
  /** Ack ids awaiting their ack, oldest first, with their send times (ms). */
  pendingIds: number[] = [];
  pendingTimes: number[] = [];
  pendingHead = 0;
  nextAckId = 0;
  /** Set once the Socket.IO CONNECT answer arrived. */
  connected = false;
  closed = false;

  constructor(
    readonly index: number,
    protected readonly sink: ClientSink,
  ) {}

  /** Sends one Engine.IO packet (text). */
  abstract send(packet: string): void;

  /** Closes the client; `abrupt` skips the close handshake. */
  abstract close(abrupt: boolean): void;

  /** Outstanding acks. */
  get pending(): number {
    return this.pendingIds.length - this.pendingHead;
  }

  /** Remembers an ack id sent at `at` (ms). */
  expectAck(id: number, at: number): void {
    if (this.pendingHead > 1024 && this.pendingHead * 2 > this.pendingIds.length) {
      this.pendingIds = this.pendingIds.slice(this.pendingHead);
      this.pendingTimes = this.pendingTimes.slice(this.pendingHead);
      this.pendingHead = 0;
    }
    this.pendingIds.push(id);
    this.pendingTimes.push(at);
  }

  /**
   * Dispatches one Engine.IO message's bytes; returns the control packet it calls for, or
   * handles it. Subclasses deal with open and connect, which differ by transport.
   */
  protected dispatch(bytes: Uint8Array, length: number): void {
    const type = bytes[0];
    if (type === EIO.MESSAGE) {
      const sio = bytes[1];
      if (sio === SIO.EVENT) {
        const event = readSeqEvent(bytes, length);
        if (event) this.sink.onSeqEvent(this, event.name, event.seq);
      } else if (sio === SIO.ACK) {
        const ack = readSeqAck(bytes, length);
        if (ack) this.sink.onAck(this, ack.id, ack.seq);
      } else if (sio === SIO.DISCONNECT) {
        this.connected = false;
        this.close(false);
      }
    } else if (type === EIO.PING) {
      this.send("3");
    } else if (type === EIO.CLOSE) {
      this.close(true);
    }
  }
}
