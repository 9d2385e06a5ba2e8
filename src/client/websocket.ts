/**
 * The WebSocket transport (spec: engine.io-protocol v4, "WebSocket"): one Engine.IO
 * packet per frame, binary packets as binary frames. Browsers use their own
 * `WebSocket`; Node uses `ws`, loaded on first use through a dynamic import so that
 * the browser bundle never contains it, and because only `ws` takes the headers
 * (`extraHeaders`, cookies) and TLS options Node users pass.
 *
 * @module
 */
import { decodePacket, encodePacket } from "../engine/codec.js";
import { PushwireError } from "../errors.js";
import { isNode } from "./env.js";
import {
  timestamp,
  TransportError,
  transportUri,
  type OutgoingPacket,
  type Transport,
  type TransportContext,
  type TransportSink,
} from "./transport.js";

/** What we use of a WebSocket: the browser's and `ws`'s share it. */
interface WebSocketLike {
  binaryType: string;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string | Uint8Array, options?: { compress?: boolean }): void;
  close(): void;
}

type WebSocketConstructor = new (
  url: string,
  protocols?: string | string[],
  options?: Record<string, unknown>,
) => WebSocketLike;

let nodeWebSocket: WebSocketConstructor | Promise<WebSocketConstructor> | undefined;

/** The WebSocket class of this runtime; a promise the first time on Node. */
function webSocketClass(): WebSocketConstructor | Promise<WebSocketConstructor> {
  if (!isNode) return globalThis.WebSocket as unknown as WebSocketConstructor;
  return (nodeWebSocket ??= import("ws").then(
    (mod) => (nodeWebSocket = (mod.WebSocket ?? mod.default) as unknown as WebSocketConstructor),
  ));
}

/** `ws` options engine.io-client passes through on Node. */
const NODE_OPTIONS = [
  "agent",
  "perMessageDeflate",
  "pfx",
  "key",
  "passphrase",
  "cert",
  "ca",
  "ciphers",
  "rejectUnauthorized",
  "localAddress",
] as const;

function noop(): void {}

/**
 * The WebSocket transport.
 *
 * @example
 * ```ts
 * io("https://example.com", { transports: [WebSocket] }); // no polling at all
 * ```
 */
export class WebSocket implements Transport {
  sink: TransportSink;
  writable = false;
  readonly #ctx: TransportContext;
  #ws: WebSocketLike | null = null;
  #closed = false;

  constructor(ctx: TransportContext) {
    this.#ctx = ctx;
    this.sink = ctx.sink;
  }

  get name(): string {
    return "websocket";
  }

  open(): void {
    const Class = webSocketClass();
    if (typeof Class === "function") return this.#connect(Class);
    Class.then(
      (loaded) => {
        if (!this.#closed) this.#connect(loaded);
      },
      (err: unknown) => {
        if (!this.#closed) this.sink.onError(new TransportError("websocket error", err));
      },
    );
  }

  #connect(Class: WebSocketConstructor): void {
    const opts = this.#ctx.opts;
    const query = this.#ctx.query;
    if (opts.timestampRequests) query[opts.timestampParam ?? "t"] = timestamp();
    if (opts.forceBase64) query.b64 = "1";
    const uri = transportUri(opts, opts.secure ? "wss" : "ws", query);
    let ws: WebSocketLike;
    try {
      if (isNode) {
        const options: Record<string, unknown> = {};
        for (const key of NODE_OPTIONS) if (opts[key] !== undefined) options[key] = opts[key];
        const headers: Record<string, string> = { ...opts.extraHeaders };
        const cookie = this.#ctx.cookieJar?.header();
        if (cookie) headers.cookie = headers.cookie ? headers.cookie + "; " + cookie : cookie;
        options.headers = headers;
        ws = new Class(uri, opts.protocols, options);
      } else {
        ws = opts.protocols === undefined ? new Class(uri) : new Class(uri, opts.protocols);
      }
    } catch (err) {
      this.sink.onError(new TransportError("websocket error", err));
      return;
    }
    ws.binaryType = isNode ? "nodebuffer" : "arraybuffer";
    ws.onopen = this.#onOpen;
    ws.onclose = this.#onClose;
    ws.onerror = this.#onError;
    ws.onmessage = this.#onMessage;
    this.#ws = ws;
  }

  send(packets: readonly OutgoingPacket[]): void {
    const ws = this.#ws;
    if (ws === null) return;
    this.writable = false;
    const binary = !this.#ctx.opts.forceBase64;
    for (let i = 0; i < packets.length; i++) {
      const packet = packets[i]!;
      const data = encodePacket(packet, binary);
      try {
        if (isNode && packet.options?.compress === false) ws.send(data, { compress: false });
        else ws.send(data);
      } catch {
        // The socket closed under us and the close event is on its way.
      }
    }
    // WebSocket has no write callback: we are writable again on the next microtask,
    // which lets the engine drop what it just sent before it flushes more.
    queueMicrotask(this.#onDrain);
  }

  pause(onPause: () => void): void {
    onPause();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.writable = false;
    const ws = this.#ws;
    if (ws === null) return;
    this.#ws = null;
    ws.onopen = ws.onmessage = ws.onclose = null;
    // `ws` emits "error" when closed while connecting; a listener must take it.
    ws.onerror = noop;
    ws.close();
  }

  #onOpen = (): void => {
    if (this.#closed) return;
    this.writable = true;
    this.sink.onOpen();
  };

  #onDrain = (): void => {
    if (this.#closed) return;
    this.writable = true;
    this.sink.onDrain();
  };

  #onMessage = (event: { data: unknown }): void => {
    const data = event.data;
    const packet = decodePacket(
      typeof data === "string"
        ? data
        : data instanceof ArrayBuffer
          ? new Uint8Array(data)
          : (data as Uint8Array),
    );
    if (packet === null) {
      this.sink.onError(new PushwireError("PW_ERR_ENGINE_INVALID_PACKET", "invalid frame", data));
    } else this.sink.onPacket(packet);
  };

  #onError = (event: unknown): void => {
    this.sink.onError(new TransportError("websocket error", event));
  };

  #onClose = (event: unknown): void => {
    this.#closed = true;
    this.#ws = null;
    this.sink.onClose({ description: "websocket connection closed", context: event });
  };
}
