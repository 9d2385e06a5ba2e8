// A transport driven by the test: what the engine client sends is recorded, and the
// test plays the server's side packet by packet. It implements the same Transport
// seam an in-process loopback does.
import type { EnginePacket } from "../../src/engine/codec.js";
import type {
  OutgoingPacket,
  Transport,
  TransportConstructor,
  TransportContext,
  TransportSink,
} from "../../src/client/index.js";
import { TransportError } from "../../src/client/index.js";

export interface FakeTransport extends Transport {
  readonly ctx: TransportContext;
  /** Each `send` call's packets. */
  readonly sent: OutgoingPacket[][];
  opened: boolean;
  closed: boolean;
  /** Set while the engine waits for a pause to complete. */
  onPause: (() => void) | null;
  writable: boolean;
  /** The transport is up (WebSocket open; polling's first response). */
  accept(): void;
  /** Delivers packets from the "server". */
  receive(...packets: EnginePacket[]): void;
  /** Delivers the handshake `open` packet. */
  handshake(overrides?: Record<string, unknown>): void;
  /** The last `send` completed. */
  drain(): void;
  fail(reason?: string): void;
  /** The peer closed. */
  hangUp(): void;
  /** Every message packet's data, across sends. */
  messages(): Array<string | Uint8Array>;
}

/** Every fake transport created, in order. */
export const created: FakeTransport[] = [];

/** A fake transport class named `name` ("polling", "websocket" or anything). */
export function fakeTransport(name: string): TransportConstructor {
  return class Fake implements FakeTransport {
    readonly ctx: TransportContext;
    sink: TransportSink;
    writable = false;
    readonly sent: OutgoingPacket[][] = [];
    opened = false;
    closed = false;
    onPause: (() => void) | null = null;

    constructor(ctx: TransportContext) {
      this.ctx = ctx;
      this.sink = ctx.sink;
      created.push(this);
    }

    get name(): string {
      return name;
    }

    open(): void {
      this.opened = true;
    }

    send(packets: readonly OutgoingPacket[]): void {
      this.sent.push([...packets]);
      this.writable = false;
    }

    pause(onPause: () => void): void {
      this.onPause = onPause;
    }

    close(): void {
      this.closed = true;
      this.writable = false;
    }

    accept(): void {
      this.writable = true;
      this.sink.onOpen();
    }

    receive(...packets: EnginePacket[]): void {
      for (const packet of packets) this.sink.onPacket(packet);
    }

    handshake(overrides: Record<string, unknown> = {}): void {
      const data = {
        sid: "sid1",
        upgrades: [],
        pingInterval: 1000,
        pingTimeout: 500,
        maxPayload: 1_000_000,
        ...overrides,
      };
      this.receive({ type: "open", data: JSON.stringify(data) });
    }

    drain(): void {
      this.writable = true;
      this.sink.onDrain();
    }

    fail(reason = "xhr poll error"): void {
      this.sink.onError(new TransportError(reason, 400));
    }

    hangUp(): void {
      this.sink.onClose({ description: "closed by the test" });
    }

    messages(): Array<string | Uint8Array> {
      return this.sent.flat().flatMap((p) => (p.type === "message" ? [p.data!] : []));
    }
  };
}

export const FakePolling = fakeTransport("polling");
export const FakeWebSocket = fakeTransport("websocket");

/** The last fake transport created. */
export function last(): FakeTransport {
  return created.at(-1)!;
}
