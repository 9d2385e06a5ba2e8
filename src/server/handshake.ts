/**
 * A socket's `handshake`, built from the engine's snapshot of the opening request
 * (`RequestInfo`): the IncomingMessage itself is never retained.
 *
 * @module
 * @internal
 */
import { parse } from "node:querystring";
import type { RequestInfo } from "../engine/connection.js";
import type { Handshake } from "./options.js";

/** Longest query string we parse into `handshake.query`. */
const MAX_QUERY = 16 * 1024;

/**
 * The query parameters of `url`, as socket.io gives them (`querystring.parse`: an
 * object without prototype, repeated keys as arrays).
 *
 * @internal
 */
export function queryOf(url: string): Handshake["query"] {
  const mark = url.indexOf("?");
  if (mark === -1) return parse("");
  return parse(url.slice(mark + 1, mark + 1 + MAX_QUERY));
}

/**
 * The auth of a CONNECT that carried none: shared, and replaced by a fresh `{}` wherever
 * application code can see it, so that sockets without auth keep no object of their own.
 *
 * @internal
 */
export const NO_AUTH: Handshake["auth"] = Object.freeze({});

/** @internal */
export function buildHandshake(
  client: { readonly conn: { readonly request: RequestInfo }; readonly query: Handshake["query"] },
  auth: Handshake["auth"],
  issued: number,
): Handshake {
  const request = client.conn.request;
  return {
    headers: request.headers,
    time: new Date(issued).toString(),
    address: request.remoteAddress,
    xdomain: request.headers.origin !== undefined,
    secure: request.secure,
    issued,
    url: request.url,
    query: client.query,
    auth: auth === NO_AUTH ? {} : auth,
  };
}
