/**
 * The HTTP long-polling transport (spec: "HTTP long-polling"): a pending `GET` carries
 * what the session queued, a `POST` delivers a payload. At most one of each may be in
 * flight; a second one is refused with 400 and ends the session (spec: "Should it
 * happen, the server MUST return an HTTP 400 error status and close the session").
 *
 * @module
 * @internal
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { deflate, gzip } from "node:zlib";
import { PushwireError } from "../errors.js";
import type { CloseReason } from "./connection.js";
import type { EnginePacket } from "./codec.js";
import { decodePayload } from "./codec.js";
import type { Flushable } from "./flush.js";
import { scheduleFlush } from "./flush.js";
import type { HttpCompressionOptions } from "./options.js";
import type { CorsHeaders } from "./origin.js";
import { ignoreError, writeRefusal } from "./request.js";

/** What a polling transport reports to its session. @internal */
export interface PollingOwner {
  /** A `GET` is now pending: answer it if there is anything to send. */
  onPollingGet(transport: PollingTransport): void;
  /** A `POST` delivered these packets (already answered `ok`). */
  onPollingPayload(transport: PollingTransport, packets: EnginePacket[]): void;
  /** The transport broke the session (overlap, abort, oversize or unparsable body). */
  onPollingError(
    transport: PollingTransport,
    reason: CloseReason,
    description: PushwireError,
  ): void;
  /** Adds the server's headers (cookie, `headers` listeners) to a response. */
  decorateHeaders(
    headers: Record<string, string | string[]>,
    req: IncomingMessage,
    initial: boolean,
  ): void;
}

/** Limits and settings the transport needs. @internal */
export interface PollingSettings {
  readonly maxHttpBufferSize: number;
  readonly httpCompression: HttpCompressionOptions | null;
}

const kTransport = Symbol("pushwire.polling");
type OwnedResponse = ServerResponse & { [kTransport]?: PollingTransport | null };

/** A pending GET's response closed: fine after we answered, an abort before. */
function getOnClose(this: OwnedResponse): void {
  const transport = this[kTransport];
  if (transport) transport.onGetClosed(this);
}

/** The encoding to answer with, from `Accept-Encoding` (q=0 excluded). */
function pickEncoding(header: string | undefined): "gzip" | "deflate" | null {
  if (header === undefined) return null;
  let found: "gzip" | "deflate" | null = null;
  for (const part of header.split(",")) {
    const [name = "", ...params] = part.split(";");
    const coding = name.trim().toLowerCase();
    if (coding !== "gzip" && coding !== "deflate") continue;
    if (params.some((p) => /^\s*q\s*=\s*0(\.0*)?\s*$/i.test(p))) continue;
    if (coding === "gzip") return "gzip";
    found = "deflate";
  }
  return found;
}

/** The long-polling side of one session. @internal */
export class PollingTransport implements Flushable {
  readonly name = "polling";
  owner: PollingOwner | null;
  private getRes: OwnedResponse | null = null;
  private getReq: IncomingMessage | null = null;
  private getCors: CorsHeaders | null = null;
  private postActive = false;
  /** The next response is the handshake's. */
  private initial = true;
  /** A POST whose "ok" waits for the end of the turn (see onBody). */
  private okRes: ServerResponse | null = null;
  /** @internal */ flushQueued = false;

  constructor(
    owner: PollingOwner,
    private readonly settings: PollingSettings,
  ) {
    this.owner = owner;
  }

  /** Whether a `GET` waits for data. */
  get writable(): boolean {
    return this.getRes !== null;
  }

  /** Handles a `GET` or `POST` for this session; the method was checked by the server. */
  onRequest(req: IncomingMessage, res: ServerResponse, cors: CorsHeaders | null): void {
    if (req.method === "GET") this.onGet(req, res, cors);
    else this.onPost(req, res, cors);
  }

  private onGet(req: IncomingMessage, res: ServerResponse, cors: CorsHeaders | null): void {
    if (this.getRes !== null) {
      // RELIABILITY A2-4: the second GET is refused and the first answers `1`.
      writeRefusal(
        res,
        { code: "PW_ERR_ENGINE_BAD_REQUEST", reason: "overlapping GET requests" },
        cors,
      );
      this.fail("transport error", "overlapping GET requests");
      return;
    }
    const owned = res as OwnedResponse;
    owned[kTransport] = this;
    res.on("close", getOnClose);
    this.getRes = owned;
    this.getReq = req;
    this.getCors = cors;
    this.owner?.onPollingGet(this);
  }

  /** @internal */
  onGetClosed(res: OwnedResponse): void {
    res[kTransport] = null;
    if (this.getRes !== res) return;
    this.getRes = null;
    this.getReq = null;
    // RELIABILITY A2-10: the client went away mid-poll.
    this.fail("transport error", "poll request closed before it was answered");
  }

  private onPost(req: IncomingMessage, res: ServerResponse, cors: CorsHeaders | null): void {
    req.on("error", ignoreError);
    if (this.postActive) {
      writeRefusal(
        res,
        { code: "PW_ERR_ENGINE_BAD_REQUEST", reason: "data request overlap" },
        cors,
      );
      this.fail("transport error", "overlapping POST requests");
      return;
    }
    const type = req.headers["content-type"];
    if (type !== undefined && type.toLowerCase().startsWith("application/octet-stream")) {
      // RELIABILITY A2-2: v4 payloads are text; answer and end rather than hang.
      writeRefusal(
        res,
        { code: "PW_ERR_ENGINE_BAD_REQUEST", reason: "binary bodies are not Engine.IO v4" },
        cors,
        true,
      );
      return;
    }
    const limit = this.settings.maxHttpBufferSize;
    const declared = Number(req.headers["content-length"]);
    if (declared > limit) {
      this.tooLarge(res, cors);
      return;
    }
    this.postActive = true;
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (): void => {
      done = true;
      this.postActive = false;
      req.removeListener("data", onData);
      req.removeListener("end", onEnd);
      req.removeListener("close", onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      // RELIABILITY A2-1: stop at the limit, holding at most limit + one chunk.
      if (size > limit) {
        finish();
        chunks.length = 0;
        this.tooLarge(res, cors);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      finish();
      const text =
        chunks.length === 1 ? chunks[0]!.toString() : Buffer.concat(chunks, size).toString();
      this.onBody(text, req, res, cors);
    };
    const onClose = (): void => {
      if (done) return;
      finish();
      this.fail("transport error", "data request closed before its end");
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("close", onClose);
  }

  private onBody(
    text: string,
    req: IncomingMessage,
    res: ServerResponse,
    cors: CorsHeaders | null,
  ): void {
    const packets = decodePayload(text);
    if (packets === null) {
      writeRefusal(res, { code: "PW_ERR_ENGINE_BAD_REQUEST", reason: "invalid payload" }, cors);
      this.fail("parse error", "invalid payload", "PW_ERR_ENGINE_INVALID_PACKET");
      return;
    }
    const headers: Record<string, string | string[]> = {
      "Content-Type": "text/html",
      "Content-Length": "2",
      ...cors,
    };
    this.owner?.decorateHeaders(headers, req, false);
    res.writeHead(200, headers);
    // The payload first, then "ok" at the end of the turn, after the answers the payload
    // produced (engine.io's order): a client that reads its answers before its "ok" sends
    // its next packets in one POST rather than two.
    try {
      this.owner?.onPollingPayload(this, packets);
    } finally {
      this.okRes = res;
      scheduleFlush(this);
    }
  }

  /** End of turn: answers the POST whose payload was handled. @internal */
  flush(): void {
    const res = this.okRes;
    if (res === null) return;
    this.okRes = null;
    res.end("ok");
  }

  private tooLarge(res: ServerResponse, cors: CorsHeaders | null): void {
    writeRefusal(
      res,
      {
        code: "PW_ERR_ENGINE_PAYLOAD_TOO_LARGE",
        reason: `limit is ${this.settings.maxHttpBufferSize} bytes`,
      },
      cors,
      true,
    );
    this.fail("transport error", "payload too large", "PW_ERR_ENGINE_PAYLOAD_TOO_LARGE");
  }

  private fail(
    reason: CloseReason,
    message: string,
    code:
      | "PW_ERR_ENGINE_TRANSPORT_ERROR"
      | "PW_ERR_ENGINE_INVALID_PACKET"
      | "PW_ERR_ENGINE_PAYLOAD_TOO_LARGE" = "PW_ERR_ENGINE_TRANSPORT_ERROR",
  ): void {
    const owner = this.owner;
    if (owner !== null) owner.onPollingError(this, reason, new PushwireError(code, message));
  }

  /** Answers the pending `GET` with `body` (a payload). */
  respond(body: string): void {
    const res = this.getRes;
    if (res === null) return;
    const req = this.getReq!;
    const cors = this.getCors;
    this.getRes = null;
    this.getReq = null;
    this.getCors = null;
    res[kTransport] = null;
    res.removeListener("close", getOnClose);
    const headers: Record<string, string | string[]> = {
      "Content-Type": "text/plain; charset=UTF-8",
      ...cors,
    };
    const initial = this.initial;
    this.initial = false;
    this.owner?.decorateHeaders(headers, req, initial);
    const compression = this.settings.httpCompression;
    if (compression !== null && body.length >= (compression.threshold ?? 1024)) {
      const encoding = pickEncoding(req.headers["accept-encoding"]);
      if (encoding !== null) {
        const compress = encoding === "gzip" ? gzip : deflate;
        compress(body, compression, (err, bytes) => {
          if (res.writableEnded || res.destroyed) return;
          if (err) {
            res.writeHead(500);
            res.end();
            return;
          }
          headers["Content-Encoding"] = encoding;
          headers["Content-Length"] = String(bytes.length);
          headers["Vary"] = headers["Vary"]
            ? `${headers["Vary"] as string}, Accept-Encoding`
            : "Accept-Encoding";
          res.writeHead(200, headers);
          res.end(bytes);
        });
        return;
      }
    }
    headers["Content-Length"] = String(Buffer.byteLength(body));
    res.writeHead(200, headers);
    res.end(body);
  }

  /** Detaches from the session, answering a pending `GET` with `packet`: `1` (close) or `6` (noop). */
  close(packet: "1" | "6"): void {
    this.respond(packet);
    this.owner = null;
  }
}
