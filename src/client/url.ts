/**
 * Client URL parsing: which server (the manager cache key) and which namespace (the
 * path) an `io(url)` call names, with socket.io-client's rules for relative and
 * scheme-less URLs.
 *
 * @module
 */
import { PushwireError } from "../errors.js";

/** The parts of a client URL. */
export interface ParsedUrl {
  /** `http`, `https`, `ws` or `wss`, without the colon. */
  protocol: string;
  /** Host name, without IPv6 brackets. */
  host: string;
  /** Port, with the scheme's default filled in (`80` / `443`). */
  port: string;
  /** The path: the namespace to connect to (`/` when none). */
  path: string;
  /** The query string without `?` (`""` when none). */
  query: string;
  /** The full absolute URL that was parsed. */
  source: string;
  /** The cache key of the manager: scheme, host, port and Engine.IO path. */
  id: string;
  /** `scheme://host[:port]`, the port left out when it is the page's own. */
  href: string;
}

/** What `url()` needs of `window.location`. */
export interface LocationLike {
  protocol: string;
  host: string;
  port: string;
}

function invalid(uri: string): PushwireError {
  return new PushwireError("PW_ERR_CLIENT_INVALID_URL", `invalid URL: ${uri}`);
}

/**
 * Parses a client URL. `uri` may be absolute (`http(s)://`, `ws(s)://`),
 * protocol-relative (`//host/nsp`), a path (`/nsp`, on the page's host), scheme-less
 * (`host:port/nsp`, on the page's scheme, else `https`), or absent (the page itself).
 *
 * @param enginePath The Engine.IO path (`/socket.io`): part of the cache key, since
 * two paths on one host are two servers.
 * @throws PushwireError `PW_ERR_CLIENT_INVALID_URL` when no URL results.
 *
 * @example
 * ```ts
 * url("ws://127.0.0.1:5000/test_conn", "/socket.io").path; // "/test_conn"
 * url("ws://127.0.0.1:5000/test_conn", "/socket.io").id; // "ws://127.0.0.1:5000/socket.io"
 * ```
 */
export function url(
  uri: string | undefined,
  enginePath = "",
  loc: LocationLike | undefined = typeof location === "undefined" ? undefined : location,
): ParsedUrl {
  let source = uri;
  if (source == null) {
    if (loc === undefined) throw invalid("(none), and no page location to default to");
    source = loc.protocol + "//" + loc.host;
  }
  if (source.charAt(0) === "/") {
    if (loc === undefined) throw invalid(source);
    source = source.charAt(1) === "/" ? loc.protocol + source : loc.host + source;
  }
  if (!/^(https?|wss?):\/\//.test(source)) {
    source = (loc === undefined ? "https:" : loc.protocol) + "//" + source;
  }
  let parsed: URL;
  try {
    parsed = new URL(source);
  } catch {
    throw invalid(source);
  }
  const protocol = parsed.protocol.slice(0, -1);
  const hostname = parsed.hostname;
  const host = hostname.charAt(0) === "[" ? hostname.slice(1, -1) : hostname;
  const port = parsed.port || (protocol === "http" || protocol === "ws" ? "80" : "443");
  const bracketed = host.indexOf(":") === -1 ? host : "[" + host + "]";
  return {
    protocol,
    host,
    port,
    path: parsed.pathname || "/",
    query: parsed.search.slice(1),
    source,
    id: protocol + "://" + bracketed + ":" + port + enginePath,
    href: protocol + "://" + bracketed + (loc !== undefined && loc.port === port ? "" : ":" + port),
  };
}
