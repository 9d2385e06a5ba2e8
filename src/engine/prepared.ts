/**
 * Messages encoded once for many sessions (DESIGN: "Encode a broadcast once; frame it
 * for WebSocket once and write the same bytes to every recipient").
 *
 * @module
 */
import * as wsModule from "ws";
import type { PreparedMessage as PreparedMessageContract, RawData } from "./connection.js";
import { encodeBase64 } from "./codec-base64.js";

/** `ws`'s framer (`Sender.frame`), which its type declarations leave out. */
interface FrameOptions {
  fin: boolean;
  mask: boolean;
  opcode: number;
  readOnly: boolean;
  rsv1: boolean;
}
const Sender = (
  wsModule as unknown as { Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] } }
).Sender;

const TEXT = 0x01;
const BINARY = 0x02;

/**
 * A message packet prepared for a broadcast. Each form is built the first time a
 * recipient needs it and then shared: the unmasked WebSocket frame bytes (header and
 * payload in one buffer), and the polling record (`4...` or `b<base64>`).
 *
 * @example
 * ```ts
 * const message = prepareMessage('2["news",{"id":1}]');
 * for (const session of engine.clients.values()) session.sendPrepared(message);
 * ```
 */
export class PreparedMessage implements PreparedMessageContract {
  /** The message payload, as given. */
  readonly data: RawData;
  private frameBytes: Buffer | null = null;
  private record: string | null = null;

  constructor(data: RawData) {
    this.data = data;
  }

  /**
   * The complete WebSocket frame (FIN, no mask, no compression).
   *
   * @internal
   */
  frame(): Buffer {
    if (this.frameBytes === null) {
      const data = this.data;
      const payload =
        typeof data === "string"
          ? Buffer.from("4" + data)
          : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      const [header, body] = Sender.frame(payload, {
        fin: true,
        mask: false,
        opcode: typeof data === "string" ? TEXT : BINARY,
        readOnly: true,
        rsv1: false,
      });
      this.frameBytes = Buffer.concat(body === undefined ? [header!] : [header!, body]);
    }
    return this.frameBytes;
  }

  /**
   * The record for an HTTP long-polling payload.
   *
   * @internal
   */
  pollingRecord(): string {
    if (this.record === null) {
      const data = this.data;
      this.record = typeof data === "string" ? "4" + data : "b" + encodeBase64(data);
    }
    return this.record;
  }

  /**
   * The text frame's content (`4...`), for transports that must frame it themselves
   * (permessage-deflate).
   *
   * @internal
   */
  text(): string | null {
    return typeof this.data === "string" ? this.pollingRecord() : null;
  }
}

/**
 * Prepares `data` to be sent to many sessions with `sendPrepared`, so that it is
 * encoded and framed once.
 *
 * @example
 * ```ts
 * const message = prepareMessage("hello everyone");
 * for (const session of engine.clients.values()) session.sendPrepared(message);
 * ```
 */
export function prepareMessage(data: RawData): PreparedMessage {
  return new PreparedMessage(data);
}
