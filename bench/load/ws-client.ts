/**
 * A simulated Socket.IO client over a raw `ws` WebSocket (`transport=websocket` from the
 * start, no polling upgrade), as cheap as the protocol allows: bytes are read in place
 * and UTF-8 validation is skipped (the bench's payloads are ASCII).
 *
 * @module
 */
import WebSocket from "ws";
import { BenchClient, type ClientSink } from "./client.js";
import { EIO, SIO, parseOpen, readConnect } from "./protocol.js";

const TEXT = { binary: false } as const;

/** One client over WebSocket. */
export class WsBenchClient extends BenchClient {
  private ws: WebSocket | null = null;

  constructor(index: number, sink: ClientSink) {
    super(index, sink);
  }

  /** Opens the WebSocket, answers the open packet with `40` and resolves on `40{sid}`. */
  open(url: string, localAddress: string | undefined, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, {
        perMessageDeflate: false,
        skipUTF8Validation: true,
        handshakeTimeout: timeoutMs,
        ...(localAddress ? { localAddress } : {}),
      });
      this.ws = ws;
      let settled = false;
      const timer = setTimeout(() => fail(new Error("connect timeout")), timeoutMs);
      const fail = (err: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        ws.terminate();
        reject(err);
      };
      ws.on("error", (err) => fail(err));
      ws.on("close", (code, reason) => {
        const ours = this.closed;
        this.closed = true;
        this.connected = false;
        if (!settled) fail(new Error(`closed during connect: ${code} ${reason.toString()}`));
        else this.sink.onClose(this, ours ? null : `close ${code} ${reason.toString()}`);
      });
      ws.on("message", (data: Buffer) => {
        if (this.connected) {
          this.dispatch(data, data.length);
          return;
        }
        try {
          if (data[0] === EIO.OPEN) {
            parseOpen(data.toString());
            ws.send("40", TEXT);
          } else if (
            data[0] === EIO.MESSAGE &&
            (data[1] === SIO.CONNECT || data[1] === SIO.CONNECT_ERROR)
          ) {
            readConnect(data.toString());
            this.connected = true;
            settled = true;
            clearTimeout(timer);
            resolve();
          } else {
            this.dispatch(data, data.length);
          }
        } catch (err) {
          fail(err as Error);
        }
      });
    });
  }

  send(packet: string): void {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(packet, TEXT);
  }

  close(abrupt: boolean): void {
    if (!this.ws || this.closed) return;
    this.closed = true;
    this.connected = false;
    if (abrupt) this.ws.terminate();
    else this.ws.close();
  }
}
