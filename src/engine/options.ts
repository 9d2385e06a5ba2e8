/**
 * The options of {@link EngineServer}, with engine.io's names and defaults, and their
 * validation. Unknown keys are ignored, so socket.io-style option objects can be passed
 * through as they are.
 *
 * @module
 */
import type { IncomingMessage } from "node:http";
import type { ZlibOptions } from "node:zlib";
import type { PerMessageDeflateOptions } from "ws";
import { PushwireError } from "../errors.js";
import type { RawData } from "./connection.js";
import type { Clock } from "./scheduler.js";
import { systemClock } from "./scheduler.js";

/** One allowed origin: an exact origin, a pattern, or `true`/`false`. */
export type StaticOrigin = boolean | string | RegExp | readonly (boolean | string | RegExp)[];

/** Decides the allowed origin per request, as the `cors` package's origin function. */
export type CustomOrigin = (
  origin: string | undefined,
  callback: (err: Error | null, origin?: StaticOrigin) => void,
) => void;

/** CORS, with the `cors` package's option names (as engine.io and socket.io take them). */
export interface CorsOptions {
  /**
   * Which cross-origin pages may connect: `"*"` or `true` (any), an origin, a RegExp, a
   * list of these, or a function. Default `"*"` when `cors` is given without it.
   */
  origin?: StaticOrigin | CustomOrigin;
  /** Methods allowed by preflight. Default `"GET,HEAD,PUT,PATCH,POST,DELETE"`. */
  methods?: string | readonly string[];
  /** Request headers allowed by preflight. Default: those the preflight asks for. */
  allowedHeaders?: string | readonly string[];
  /** Response headers the page may read. */
  exposedHeaders?: string | readonly string[];
  /** Send `Access-Control-Allow-Credentials: true`. Needs an explicit origin allowlist. */
  credentials?: boolean;
  /** Seconds a preflight may be cached (`Access-Control-Max-Age`). */
  maxAge?: number;
  /** Status of a successful preflight. Default 204. */
  optionsSuccessStatus?: number;
}

/** The session cookie (off by default), as engine.io's `cookie` option. */
export interface CookieOptions {
  /** Default `"io"`. */
  name?: string;
  /** Default `"/"`; `false` omits the attribute. */
  path?: string | false;
  domain?: string;
  /** Default `true` (the value is the sid, a bearer secret: RELIABILITY D5). */
  httpOnly?: boolean;
  /** Default `"lax"`. */
  sameSite?: boolean | "lax" | "strict" | "none";
  /** Default: on when the request came over TLS (or `https` behind a trusted proxy). */
  secure?: boolean;
  /** Seconds (`Max-Age`). */
  maxAge?: number;
  expires?: Date;
}

/** Compression of polling responses, as engine.io's `httpCompression`. */
export interface HttpCompressionOptions extends ZlibOptions {
  /** Responses smaller than this many bytes are sent as they are. Default 1024. */
  threshold?: number;
}

/** The callback of {@link EngineServerOptions.allowRequest}. */
export type AllowRequestCallback = (err: string | null | undefined, success: boolean) => void;

/** Options of {@link EngineServer}. Every field is optional. */
export interface EngineServerOptions {
  /** Path the server answers under. Default `"/engine.io"` (socket.io passes `"/socket.io"`). */
  path?: string;
  /** Match `path` with a trailing slash (`/engine.io/`). Default true. */
  addTrailingSlash?: boolean;
  /** Milliseconds between server pings. Default 25000. */
  pingInterval?: number;
  /** Milliseconds a client has to answer a ping. Default 20000. */
  pingTimeout?: number;
  /** Milliseconds a WebSocket upgrade may take. Default 10000. */
  upgradeTimeout?: number;
  /** Largest polling body and WebSocket message, in bytes (`maxPayload`). Default 1e6. */
  maxHttpBufferSize?: number;
  /**
   * Bytes a session may leave unwritten from earlier event-loop turns before it is
   * closed as a `slow consumer` (volatile packets are dropped as soon as any are left).
   * Default 1 MiB.
   */
  maxBufferedBytes?: number;
  /** Enabled transports. Default `["polling", "websocket"]`. */
  transports?: readonly ("polling" | "websocket")[];
  /** Offer and accept the upgrade from polling to WebSocket. Default true. */
  allowUpgrades?: boolean;
  /** Decides whether a handshake is accepted; refusals are answered 403 (code 4). */
  allowRequest?: (req: IncomingMessage, callback: AllowRequestCallback) => void;
  /**
   * CORS for cross-origin pages. Without it, cross-origin requests (polling and
   * WebSocket) are refused with 403; requests without an `Origin` header are allowed.
   */
  cors?: CorsOptions | string | readonly string[] | RegExp;
  /** Honour `X-Forwarded-Proto` and `X-Forwarded-Host` for the same-origin check and cookies. */
  trustProxy?: boolean;
  /** Set a cookie holding the sid on the handshake. Default false. */
  cookie?: boolean | CookieOptions;
  /** permessage-deflate for WebSocket. Default false. */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /** gzip/deflate of polling responses. Default true (threshold 1024 bytes). */
  httpCompression?: boolean | HttpCompressionOptions;
  /** A message sent right after the open packet. */
  initialPacket?: RawData;
  /** Makes the sid of a new session; must be unique and unguessable. */
  generateId?: (req: IncomingMessage) => string | PromiseLike<string>;
  /** End upgrade requests outside `path` nobody answered. Default true. */
  destroyUpgrade?: boolean;
  /** Milliseconds before such an upgrade is ended. Default 1000. */
  destroyUpgradeTimeout?: number;
  /** Milliseconds a WebSocket closing handshake may take before the socket is destroyed. Default 5000. */
  closeTimeout?: number;
  /** @internal Monotonic clock and timer, for tests. */
  clock?: Clock;
}

/** Options after defaults and validation. @internal */
export interface ResolvedOptions {
  path: string;
  pingInterval: number;
  pingTimeout: number;
  upgradeTimeout: number;
  maxHttpBufferSize: number;
  maxBufferedBytes: number;
  polling: boolean;
  websocket: boolean;
  allowUpgrades: boolean;
  allowRequest: EngineServerOptions["allowRequest"] | undefined;
  cors: ResolvedCors | null;
  trustProxy: boolean;
  cookie: ResolvedCookie | null;
  perMessageDeflate: false | PerMessageDeflateOptions;
  httpCompression: HttpCompressionOptions | null;
  initialPacket: RawData | undefined;
  generateId: EngineServerOptions["generateId"] | undefined;
  destroyUpgrade: boolean;
  destroyUpgradeTimeout: number;
  closeTimeout: number;
  clock: Clock;
}

/** @internal */
export interface ResolvedCors {
  /** `"*"`: any origin, answered with `*`. `"reflect"`: any origin, reflected. */
  any: "*" | "reflect" | null;
  /** Normalized exact origins. */
  exact: Set<string>;
  patterns: RegExp[];
  custom: CustomOrigin | null;
  methods: string;
  allowedHeaders: string | null;
  exposedHeaders: string | null;
  credentials: boolean;
  maxAge: string | null;
  optionsSuccessStatus: number;
}

/** @internal */
export interface ResolvedCookie {
  name: string;
  /** Attributes after `name=value`, with the `Secure` decision left to the request. */
  attributes: string;
  secure: boolean | undefined;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const COOKIE_ATTRIBUTE = /^[\u0021-\u003a\u003c-\u007e]*$/;

function invalid(message: string): PushwireError {
  return new PushwireError("PW_ERR_ENGINE_INVALID_OPTION", message);
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value > 0)) throw invalid(`${name} must be a positive number`);
  return value;
}

function list(value: string | readonly string[] | undefined): string | null {
  if (value === undefined) return null;
  return typeof value === "string" ? value : value.join(",");
}

/**
 * Normalizes an origin (`scheme://host[:port]`, lower case, default port dropped), or
 * returns null when `value` is not one (`null`, paths, garbage).
 *
 * @internal
 */
export function normalizeOrigin(value: string): string | null {
  if (value.length > 2048) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  return url.origin;
}

function resolveCors(option: EngineServerOptions["cors"]): ResolvedCors | null {
  if (option === undefined) return null;
  const cors: CorsOptions =
    typeof option === "string" || Array.isArray(option) || option instanceof RegExp
      ? { origin: option as StaticOrigin }
      : (option as CorsOptions);
  const resolved: ResolvedCors = {
    any: null,
    exact: new Set(),
    patterns: [],
    custom: null,
    methods: list(cors.methods) ?? "GET,HEAD,PUT,PATCH,POST,DELETE",
    allowedHeaders: list(cors.allowedHeaders),
    exposedHeaders: list(cors.exposedHeaders),
    credentials: cors.credentials === true,
    maxAge: cors.maxAge === undefined ? null : String(cors.maxAge),
    optionsSuccessStatus: cors.optionsSuccessStatus ?? 204,
  };
  const origin = cors.origin === undefined ? "*" : cors.origin;
  if (typeof origin === "function") resolved.custom = origin;
  else addOrigins(resolved, origin);
  if (resolved.any === "reflect" && resolved.credentials) {
    // RELIABILITY D1 (CVE-2020-28481, CVE-2019-13611): reflecting any origin together
    // with credentials lets every site act with the user's cookies.
    throw invalid(
      "cors: { origin: true, credentials: true } would let any site use the user's credentials; list the allowed origins instead",
    );
  }
  return resolved;
}

/** @internal */
export function addOrigins(cors: ResolvedCors, origin: StaticOrigin): void {
  const entries = Array.isArray(origin) ? origin : [origin];
  for (const entry of entries as (boolean | string | RegExp)[]) {
    if (entry === true) cors.any = cors.any ?? "reflect";
    else if (entry === "*") cors.any = "*";
    else if (entry instanceof RegExp) cors.patterns.push(entry);
    else if (typeof entry === "string") cors.exact.add(normalizeOrigin(entry) ?? entry);
    else if (entry !== false) throw invalid("cors.origin has an entry of an unknown kind");
  }
}

function resolveCookie(option: EngineServerOptions["cookie"]): ResolvedCookie | null {
  if (option === undefined || option === false) return null;
  const cookie: CookieOptions = option === true ? {} : option;
  const name = cookie.name ?? "io";
  if (!TOKEN.test(name)) throw invalid(`cookie name ${JSON.stringify(name)} is not a valid token`);
  let attributes = "";
  const path = cookie.path === undefined ? "/" : cookie.path;
  if (path !== false) {
    if (!COOKIE_ATTRIBUTE.test(path)) throw invalid("cookie path has invalid characters");
    attributes += `; Path=${path}`;
  }
  if (cookie.domain !== undefined) {
    if (
      !/^\.?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i.test(
        cookie.domain,
      )
    ) {
      throw invalid("cookie domain is not a valid domain");
    }
    attributes += `; Domain=${cookie.domain}`;
  }
  if (cookie.maxAge !== undefined) {
    if (!Number.isInteger(cookie.maxAge)) throw invalid("cookie maxAge must be an integer");
    attributes += `; Max-Age=${cookie.maxAge}`;
  }
  if (cookie.expires !== undefined) {
    if (Number.isNaN(cookie.expires.valueOf())) throw invalid("cookie expires is not a valid date");
    attributes += `; Expires=${cookie.expires.toUTCString()}`;
  }
  if (cookie.httpOnly !== false) attributes += "; HttpOnly";
  const sameSite = cookie.sameSite === undefined ? "lax" : cookie.sameSite;
  if (sameSite === true || sameSite === "strict") attributes += "; SameSite=Strict";
  else if (sameSite === "lax") attributes += "; SameSite=Lax";
  else if (sameSite === "none") attributes += "; SameSite=None";
  else if (sameSite !== false)
    throw invalid("cookie sameSite must be lax, strict, none or a boolean");
  return { name, attributes, secure: cookie.secure };
}

/**
 * Applies defaults and validates. Throws a `PW_ERR_ENGINE_INVALID_OPTION` error.
 *
 * @internal
 */
export function resolveOptions(options: EngineServerOptions = {}): ResolvedOptions {
  let path = options.path ?? "/engine.io";
  if (!path.startsWith("/")) path = "/" + path;
  path = path.replace(/\/$/, "");
  if (options.addTrailingSlash !== false) path += "/";
  const transports = options.transports ?? ["polling", "websocket"];
  for (const name of transports) {
    if (name !== "polling" && name !== "websocket")
      throw invalid(`unknown transport ${String(name)}`);
  }
  if (transports.length === 0) throw invalid("transports must name at least one transport");
  const maxHttpBufferSize = positive(options.maxHttpBufferSize, 1e6, "maxHttpBufferSize");
  let httpCompression: HttpCompressionOptions | null = { threshold: 1024 };
  if (options.httpCompression === false) httpCompression = null;
  else if (typeof options.httpCompression === "object") {
    httpCompression = { threshold: 1024, ...options.httpCompression };
  }
  let perMessageDeflate: false | PerMessageDeflateOptions = false;
  if (options.perMessageDeflate === true) perMessageDeflate = { threshold: 1024 };
  else if (typeof options.perMessageDeflate === "object") {
    perMessageDeflate = { threshold: 1024, ...options.perMessageDeflate };
  }
  return {
    path,
    pingInterval: positive(options.pingInterval, 25000, "pingInterval"),
    pingTimeout: positive(options.pingTimeout, 20000, "pingTimeout"),
    upgradeTimeout: positive(options.upgradeTimeout, 10000, "upgradeTimeout"),
    maxHttpBufferSize,
    maxBufferedBytes: positive(options.maxBufferedBytes, 1024 * 1024, "maxBufferedBytes"),
    polling: transports.includes("polling"),
    websocket: transports.includes("websocket"),
    allowUpgrades: options.allowUpgrades !== false,
    allowRequest: options.allowRequest,
    cors: resolveCors(options.cors),
    trustProxy: options.trustProxy === true,
    cookie: resolveCookie(options.cookie),
    perMessageDeflate,
    httpCompression,
    initialPacket: options.initialPacket,
    generateId: options.generateId,
    destroyUpgrade: options.destroyUpgrade !== false,
    destroyUpgradeTimeout: positive(options.destroyUpgradeTimeout, 1000, "destroyUpgradeTimeout"),
    closeTimeout: positive(options.closeTimeout, 5000, "closeTimeout"),
    clock: options.clock ?? systemClock,
  };
}
