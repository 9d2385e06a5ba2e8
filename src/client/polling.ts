/**
 * HTTP long-polling (spec: engine.io-protocol v4, "HTTP long-polling"): one `GET` at
 * a time waits for packets, one `POST` at a time carries ours. `Fetch` serves Node and
 * modern browsers; `XHR` is the browser default, as in engine.io-client.
 *
 * @module
 */
import { decodePayload, encodePayload, type EnginePacket } from "../engine/codec.js";
import { PushwireError } from "../errors.js";
import {
  timestamp,
  TransportError,
  transportUri,
  type Transport,
  type TransportContext,
  type TransportSink,
} from "./transport.js";

type PollingState = "opening" | "open" | "pausing" | "paused" | "closed";

/**
 * Long-polling over some HTTP client; subclasses ({@link Fetch}, {@link XHR}) make
 * the requests.
 *
 * @example
 * ```ts
 * io("https://example.com", { transports: [Fetch] }); // a Polling subclass
 * ```
 */
export abstract class Polling implements Transport {
  sink: TransportSink;
  writable = false;
  protected readonly ctx: TransportContext;
  #state: PollingState = "opening";
  /** A `GET` is in flight. */
  #polling = false;
  #onPause: (() => void) | null = null;
  /** Abort the in-flight `GET` and `POST` when the transport closes (one each at most). */
  #getAbort: AbortController | null = null;
  #postAbort: AbortController | null = null;

  constructor(ctx: TransportContext) {
    this.ctx = ctx;
    this.sink = ctx.sink;
  }

  get name(): string {
    return "polling";
  }

  /** The error messages of a failed `GET` and `POST`, as engine.io-client names them. */
  protected abstract readonly errorNames: readonly [read: string, write: string];

  /**
   * One HTTP request: a `GET` when `body` is undefined, else a `POST`. Resolves with
   * the response text of a 200, rejects with a {@link TransportError} otherwise.
   */
  protected abstract request(
    uri: string,
    body: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<string>;

  open(): void {
    this.#poll();
  }

  send(packets: readonly EnginePacket[]): void {
    this.writable = false;
    this.#postAbort = new AbortController();
    this.#request(encodePayload(packets), this.#postAbort.signal).then(
      this.#onWritten,
      this.#onWriteError,
    );
  }

  pause(onPause: () => void): void {
    this.#state = "pausing";
    this.#onPause = onPause;
    this.#maybePaused();
  }

  close(): void {
    const state = this.#state;
    if (state === "closed") return;
    this.#state = "closed";
    this.writable = false;
    const abort = () => {
      this.#getAbort?.abort();
      this.#postAbort?.abort();
    };
    if (state === "opening") return abort();
    // Tell the server (spec: "close" packet), then drop the pending GET, which the
    // server may keep open until its next ping.
    this.#request("1", undefined).then(abort, abort);
  }

  #request(body: string | undefined, signal: AbortSignal | undefined): Promise<string> {
    const opts = this.ctx.opts;
    const query = this.ctx.query;
    // Cache busting is on unless turned off (engine.io-client does the same).
    if (opts.timestampRequests !== false) query[opts.timestampParam ?? "t"] = timestamp();
    if (opts.forceBase64 && query.sid === undefined) query.b64 = "1";
    const uri = transportUri(opts, opts.secure ? "https" : "http", query);
    return this.request(uri, body, signal);
  }

  #poll(): void {
    this.#polling = true;
    this.#getAbort = new AbortController();
    this.#request(undefined, this.#getAbort.signal).then(this.#onPollData, this.#onPollError);
  }

  #onPollData = (text: string): void => {
    if (this.#state === "closed") return;
    const packets = decodePayload(text);
    if (packets === null) {
      this.sink.onError(
        new PushwireError("PW_ERR_ENGINE_INVALID_PACKET", "invalid polling payload", text),
      );
      return;
    }
    for (let i = 0; i < packets.length; i++) {
      const packet = packets[i]!;
      if (this.#state === "opening" && packet.type === "open") {
        this.#state = "open";
        this.writable = true;
        this.sink.onOpen();
      }
      if (packet.type === "close") {
        this.#state = "closed";
        this.sink.onClose({ description: "transport closed by the server" });
        return;
      }
      this.sink.onPacket(packet);
      // The engine may have closed us from within onPacket.
      if ((this.#state as PollingState) === "closed") return;
    }
    this.#polling = false;
    if (this.#state === "open") this.#poll();
    else this.#maybePaused();
  };

  #onPollError = (err: unknown): void => {
    if (this.#state !== "closed") this.sink.onError(this.#wrap(err, 0));
  };

  #onWritten = (): void => {
    if (this.#state === "closed") return;
    this.writable = true;
    this.sink.onDrain();
    this.#maybePaused();
  };

  #onWriteError = (err: unknown): void => {
    if (this.#state !== "closed") this.sink.onError(this.#wrap(err, 1));
  };

  #wrap(err: unknown, which: 0 | 1): TransportError {
    return err instanceof TransportError ? err : new TransportError(this.errorNames[which], err);
  }

  /** Completes a pause once no `GET` and no `POST` is in flight. */
  #maybePaused(): void {
    if (this.#state !== "pausing" || this.#polling || !this.writable) return;
    this.#state = "paused";
    const onPause = this.#onPause!;
    this.#onPause = null;
    onPause();
  }
}

/**
 * Long-polling with `fetch` (Node 18+, modern browsers).
 *
 * @example
 * ```ts
 * io("https://example.com", { transports: [Fetch, WebSocket] });
 * ```
 */
export class Fetch extends Polling {
  protected readonly errorNames = ["fetch read error", "fetch write error"] as const;

  protected async request(
    uri: string,
    body: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<string> {
    const opts = this.ctx.opts;
    const jar = this.ctx.cookieJar;
    const headers = new Headers(opts.extraHeaders);
    if (body !== undefined) headers.set("content-type", "text/plain;charset=UTF-8");
    const cookie = jar?.header();
    if (cookie) headers.set("cookie", cookie);
    const reason = this.errorNames[body === undefined ? 0 : 1];
    let res: Response;
    try {
      res = await fetch(uri, {
        method: body === undefined ? "GET" : "POST",
        body: body ?? null,
        headers,
        // "same-origin" is what XMLHttpRequest does without withCredentials.
        credentials: opts.withCredentials ? "include" : "same-origin",
        signal: signal ?? null,
      });
    } catch (err) {
      throw new TransportError(reason, err);
    }
    jar?.parse(res.headers.getSetCookie());
    const text = await res.text();
    if (!res.ok) throw new TransportError(reason, res.status, text);
    return text;
  }
}

/**
 * Long-polling with `XMLHttpRequest` (the browser default).
 *
 * @example
 * ```ts
 * io("https://example.com", { transports: [XHR] });
 * ```
 */
export class XHR extends Polling {
  protected readonly errorNames = ["xhr poll error", "xhr post error"] as const;

  protected request(
    uri: string,
    body: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<string> {
    const opts = this.ctx.opts;
    const reason = this.errorNames[body === undefined ? 0 : 1];
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(body === undefined ? "GET" : "POST", uri, true);
      const headers = opts.extraHeaders;
      if (headers) for (const name in headers) xhr.setRequestHeader(name, headers[name]!);
      if (body !== undefined) xhr.setRequestHeader("Content-Type", "text/plain;charset=UTF-8");
      xhr.withCredentials = opts.withCredentials === true;
      const abort = () => xhr.abort();
      signal?.addEventListener("abort", abort);
      xhr.onreadystatechange = () => {
        if (xhr.readyState !== 4) return;
        signal?.removeEventListener("abort", abort);
        // 1223 is how old IE reported a 204.
        if (xhr.status === 200 || xhr.status === 1223) resolve(xhr.responseText);
        else reject(new TransportError(reason, xhr.status || undefined, xhr));
      };
      xhr.send(body ?? null);
    });
  }
}
