/**
 * HTTP plumbing shared by both transports: the Engine.IO query, the request snapshot
 * kept instead of the `IncomingMessage`, and refusals (JSON bodies with the Engine.IO
 * error code, on a response or on a raw upgrade socket).
 *
 * @module
 * @internal
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import type { ErrorCode } from "../errors.js";
import { ERRORS } from "../errors.js";
import type { RequestInfo } from "./connection.js";
import { isSecure } from "./origin.js";

/** The Engine.IO query parameters of a request (spec: "Query parameters"). @internal */
export interface EngineQuery {
  EIO: string | undefined;
  transport: string | undefined;
  sid: string | undefined;
  /** A JSONP index: EIO3 only, refused in v4 (RELIABILITY A1-8). */
  j: string | undefined;
}

/** A refusal: a registry code and a reason for the reader. @internal */
export interface Refusal {
  readonly code: ErrorCode;
  /** Replaces the registry message (an `allowRequest` refusal's own words). */
  readonly message?: string;
  /** Appended to the registry message: `"Bad request: invalid payload"`. */
  readonly reason?: string;
  /** Extra detail for `connection_error` listeners; never sent to the peer. */
  readonly context?: Record<string, unknown>;
}

const KEYS = ["EIO", "transport", "sid", "j"] as const;

/**
 * Percent-decodes `text`; malformed encoding is kept as it is, so it simply matches no
 * version, transport or session (each then gets its own error code).
 */
function decode(text: string): string {
  if (text.indexOf("%") === -1 && text.indexOf("+") === -1) return text;
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
}

/**
 * Parses the Engine.IO parameters out of a request URL. A parameter given twice makes
 * it a refusal (RELIABILITY A1-3: one rule, every time).
 *
 * @internal
 */
export function parseQuery(url: string): EngineQuery | Refusal {
  const query: EngineQuery = { EIO: undefined, transport: undefined, sid: undefined, j: undefined };
  const start = url.indexOf("?");
  if (start === -1) return query;
  const end = url.indexOf("#", start);
  const text = end === -1 ? url.slice(start + 1) : url.slice(start + 1, end);
  let from = 0;
  while (from <= text.length) {
    let amp = text.indexOf("&", from);
    if (amp === -1) amp = text.length;
    const eq = text.indexOf("=", from);
    const hasValue = eq !== -1 && eq < amp;
    const rawKey = text.slice(from, hasValue ? eq : amp);
    from = amp + 1;
    if (rawKey.length === 0) continue;
    const key = decode(rawKey);
    if (!(KEYS as readonly string[]).includes(key)) continue;
    const value = hasValue ? decode(text.slice(eq + 1, amp)) : "";
    const name = key as (typeof KEYS)[number];
    if (query[name] !== undefined) {
      return { code: "PW_ERR_ENGINE_BAD_REQUEST", reason: `repeated query parameter ${name}` };
    }
    query[name] = value;
  }
  return query;
}

/** Whether a parse result is a refusal. @internal */
export function isRefusal(value: EngineQuery | Refusal): value is Refusal {
  return "code" in value;
}

/**
 * A handshake request's snapshot packed into one string: `s` or `-` (secure), the
 * method, then the URL, the client's address and the headers as JSON, on lines of their
 * own (none of them can hold a line feed). One string is what an idle session keeps,
 * instead of an object, a string per field and an object with a string per header
 * value: 0.23 KB rather than 0.32 KB for the few headers of a WebSocket handshake, and
 * about a third less for a browser's dozen. {@link unpackRequest} gives the object when
 * something reads it.
 *
 * @internal
 */
export type PackedRequest = string & { readonly __packedRequest: true };

/**
 * Packs the snapshot of a handshake request that a session keeps (not the request).
 *
 * @internal
 */
export function packRequest(req: IncomingMessage, trustProxy: boolean): PackedRequest {
  const socket = req.socket as IncomingMessage["socket"] & { _peername?: unknown };
  const remoteAddress = socket.remoteAddress ?? "";
  // net.Socket caches what it read in an object {address, family, port} for the
  // socket's life; the snapshot keeps the address, and a later read asks again.
  socket._peername = undefined;
  const packed = `${isSecure(req, trustProxy) ? "s" : "-"}${req.method ?? "GET"}\n${req.url ?? "/"}\n${remoteAddress}\n${JSON.stringify(req.headers)}`;
  // Concatenation and JSON.stringify build a rope of parts; reading a char flattens it
  // into one sequential string.
  packed.charCodeAt(0);
  return packed as PackedRequest;
}

/**
 * The snapshot a {@link PackedRequest} holds, as an object.
 *
 * @internal
 */
export function unpackRequest(packed: PackedRequest): RequestInfo {
  const method = packed.indexOf("\n");
  const url = packed.indexOf("\n", method + 1);
  const address = packed.indexOf("\n", url + 1);
  return {
    method: packed.slice(1, method),
    url: packed.slice(method + 1, url),
    headers: JSON.parse(packed.slice(address + 1)) as IncomingHttpHeaders,
    remoteAddress: packed.slice(url + 1, address),
    secure: packed.charCodeAt(0) === 0x73, // s
  };
}

/** The JSON body of a refusal, `{"code":N,"message":"..."}` (never a stack: RELIABILITY D7). */
export function refusalBody(refusal: Refusal): string {
  const spec = ERRORS[refusal.code] as { message: string; eio?: number };
  const message =
    refusal.message ??
    (refusal.reason === undefined ? spec.message : `${spec.message}: ${refusal.reason}`);
  return JSON.stringify({ code: spec.eio ?? 3, message });
}

/** The HTTP status of a refusal. @internal */
export function refusalStatus(refusal: Refusal): number {
  return (ERRORS[refusal.code] as { status?: number }).status ?? 400;
}

/**
 * Answers a refused HTTP request, unless it was already answered.
 *
 * @internal
 */
export function writeRefusal(
  res: ServerResponse,
  refusal: Refusal,
  headers: Record<string, string> | null,
  closeConnection = false,
): void {
  if (res.headersSent || res.writableEnded) return;
  const body = refusalBody(refusal);
  const out: Record<string, string | number> = {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
    ...headers,
  };
  // An oversize body would otherwise be read to its end to keep the connection alive.
  if (closeConnection) out["Connection"] = "close";
  res.writeHead(refusalStatus(refusal), out);
  res.end(body);
}

function noop(): void {}

/**
 * Refuses an upgrade on the raw socket, before any 101: an HTTP response, then the
 * socket is destroyed. An `error` listener is attached first (CVE-2022-41940: a reset
 * during destroy would otherwise be an uncaught `ECONNRESET`).
 *
 * @internal
 */
export function writeUpgradeRefusal(
  socket: Duplex,
  refusal: Refusal,
  headers: Record<string, string> | null,
): void {
  socket.on("error", noop);
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const status = refusalStatus(refusal);
  const body = refusalBody(refusal);
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`;
  if (headers !== null) for (const name in headers) head += `${name}: ${headers[name]}\r\n`;
  socket.once("finish", socket.destroy);
  socket.end(`${head}\r\n${body}`);
}

/**
 * Ends a socket nobody will answer, with an `error` listener attached first.
 *
 * @internal
 */
export function destroySocket(socket: Duplex): void {
  socket.on("error", noop);
  socket.destroy();
}

/** A no-op `error` listener for raw sockets. @internal */
export const ignoreError = noop;
