/**
 * The origin policy and CORS headers (RELIABILITY D1, D2; CVE-2019-13611,
 * CVE-2020-28481). Applied to polling requests and to WebSocket upgrades alike, before
 * any session or 101: browsers do not enforce CORS on WebSockets, so a server that
 * checks only XHR lets any site drive a victim's session with its cookies (CSWSH).
 *
 * Requests without `Origin` come from non-browser clients and are allowed; same-origin
 * requests are allowed; cross-origin ones need the `cors` option to name their origin.
 *
 * @module
 * @internal
 */
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import type { ResolvedCors, StaticOrigin } from "./options.js";
import { addOrigins, normalizeOrigin } from "./options.js";

/** @internal */
export type CorsHeaders = Record<string, string>;

/** What the policy says about a request. @internal */
export type OriginVerdict =
  | { readonly ok: true; readonly cors: CorsHeaders | null }
  | { readonly ok: false; readonly status: 400 | 403; readonly reason: string };

const NO_CORS: OriginVerdict = { ok: true, cors: null };
// engine.io's checkInvalidHeaderChar: only HTAB, printable ASCII and obs-text.
const INVALID_HEADER_CHAR = /[^\t\x20-\x7e\x80-\xff]/;

/** The first value of a possibly repeated, comma-separated header. */
function firstValue(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined) return undefined;
  const comma = text.indexOf(",");
  return (comma === -1 ? text : text.slice(0, comma)).trim();
}

/**
 * Whether `origin` (normalized) is this server's own origin: the scheme of the
 * connection and the `Host` header, or the forwarded ones behind a trusted proxy.
 *
 * @internal
 */
export function isSameOrigin(origin: string, req: IncomingMessage, trustProxy: boolean): boolean {
  let host = req.headers.host;
  let scheme = (req.socket as TLSSocket).encrypted ? "https" : "http";
  if (trustProxy) {
    host = firstValue(req.headers["x-forwarded-host"]) || host;
    const proto = firstValue(req.headers["x-forwarded-proto"])?.toLowerCase();
    if (proto === "http" || proto === "https") scheme = proto;
  }
  if (!host) return false;
  return normalizeOrigin(`${scheme}://${host}`) === origin;
}

/**
 * Whether the request comes over TLS, or over https behind a trusted proxy.
 *
 * @internal
 */
export function isSecure(req: IncomingMessage, trustProxy: boolean): boolean {
  if ((req.socket as TLSSocket).encrypted) return true;
  return trustProxy && firstValue(req.headers["x-forwarded-proto"])?.toLowerCase() === "https";
}

function corsHeaders(cors: ResolvedCors, value: string): CorsHeaders {
  const headers: CorsHeaders = { "Access-Control-Allow-Origin": value };
  if (value !== "*") {
    headers["Vary"] = "Origin";
    if (cors.credentials) headers["Access-Control-Allow-Credentials"] = "true";
  }
  if (cors.exposedHeaders !== null) headers["Access-Control-Expose-Headers"] = cors.exposedHeaders;
  return headers;
}

/** Matches `origin` against a static allowlist: `"*"`, the origin itself, or no match. */
function matchStatic(cors: ResolvedCors, origin: string, normalized: string | null): string | null {
  if (cors.any === "*") return "*";
  if (cors.any === "reflect") return origin;
  if (cors.exact.has(normalized ?? origin)) return origin;
  for (const pattern of cors.patterns) {
    pattern.lastIndex = 0;
    if (pattern.test(origin)) return origin;
  }
  return null;
}

function refused(reason: string): OriginVerdict {
  return { ok: false, status: 403, reason };
}

/**
 * Decides on the request's origin and computes its CORS headers. Calls `done` once,
 * synchronously unless `cors.origin` is a function.
 *
 * @internal
 */
export function checkOrigin(
  req: IncomingMessage,
  cors: ResolvedCors | null,
  trustProxy: boolean,
  done: (verdict: OriginVerdict) => void,
): void {
  const header = req.headers.origin;
  if (header === undefined) return done(NO_CORS);
  if (INVALID_HEADER_CHAR.test(header)) {
    return done({ ok: false, status: 400, reason: "invalid Origin header" });
  }
  const normalized = normalizeOrigin(header);
  const same = normalized !== null && isSameOrigin(normalized, req, trustProxy);
  if (cors === null) {
    return done(same ? NO_CORS : refused("cross-origin request refused (see the cors option)"));
  }
  if (cors.custom === null) {
    const allow = matchStatic(cors, header, normalized);
    if (allow !== null) return done({ ok: true, cors: corsHeaders(cors, allow) });
    return done(same ? NO_CORS : refused("origin not allowed by the cors option"));
  }
  let called = false;
  const callback = (err: Error | null, value?: StaticOrigin): void => {
    if (called) return;
    called = true;
    if (err) return done(same ? NO_CORS : refused("origin check failed"));
    const allowed = resolveDynamic(cors, value, header, normalized);
    if (allowed !== null) return done({ ok: true, cors: corsHeaders(cors, allowed) });
    done(same ? NO_CORS : refused("origin not allowed by the cors option"));
  };
  try {
    cors.custom(header, callback);
  } catch {
    callback(new Error("cors.origin threw"));
  }
}

/** Evaluates what a `cors.origin` function answered. */
function resolveDynamic(
  cors: ResolvedCors,
  value: StaticOrigin | undefined,
  origin: string,
  normalized: string | null,
): string | null {
  if (value === undefined || value === false) return null;
  if (value === true) return origin;
  const scratch: ResolvedCors = { ...cors, any: null, exact: new Set(), patterns: [] };
  try {
    addOrigins(scratch, value);
  } catch {
    return null;
  }
  // A function that answers "*" allows everyone but must not carry credentials.
  if (scratch.any === "*") return "*";
  return matchStatic(scratch, origin, normalized);
}

/**
 * Headers of a successful preflight (`OPTIONS` with an allowed origin).
 *
 * @internal
 */
export function preflightHeaders(
  cors: ResolvedCors,
  base: CorsHeaders,
  req: IncomingMessage,
): CorsHeaders {
  const headers: CorsHeaders = { ...base, "Access-Control-Allow-Methods": cors.methods };
  const requested = req.headers["access-control-request-headers"];
  const allowed = cors.allowedHeaders ?? (typeof requested === "string" ? requested : null);
  if (allowed) {
    headers["Access-Control-Allow-Headers"] = allowed;
    if (cors.allowedHeaders === null) {
      headers["Vary"] = headers["Vary"]
        ? `${headers["Vary"]}, Access-Control-Request-Headers`
        : "Access-Control-Request-Headers";
    }
  }
  if (cors.maxAge !== null) headers["Access-Control-Max-Age"] = cors.maxAge;
  headers["Content-Length"] = "0";
  return headers;
}
