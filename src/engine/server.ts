/**
 * The Engine.IO v4 server: handshakes, request routing by sid, the upgrade to
 * WebSocket, refusals with the spec's error codes, and the one deadline scheduler of
 * all its sessions.
 *
 * @module
 */
import { EventEmitter } from "node:events";
import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type { Duplex } from "node:stream";
import type { WebSocket, WebSocketServer } from "ws";
import { ERRORS } from "../errors.js";
import { engineConnect, engineRefused } from "./channels.js";
import type { CloseReason } from "./connection.js";
import type { EngineServerOptions, ResolvedOptions } from "./options.js";
import { resolveOptions } from "./options.js";
import type { CorsHeaders, OriginVerdict } from "./origin.js";
import { checkOrigin, isSecure, preflightHeaders } from "./origin.js";
import { PollingTransport } from "./polling.js";
import type { EngineQuery, Refusal } from "./request.js";
import {
  destroySocket,
  ignoreError,
  isRefusal,
  parseQuery,
  packRequest,
  writeRefusal,
  writeUpgradeRefusal,
} from "./request.js";
import type { DeadlineList, DeadlineNode } from "./scheduler.js";
import { DeadlineScheduler } from "./scheduler.js";
import type { SessionHost } from "./session.js";
import { EngineSession } from "./session.js";
import { drainSessions } from "./shutdown.js";
import { randomSid } from "./sid.js";
import { checkQuery, originRefusal, unknownSid } from "./verify.js";
import { createWsServer, ProbeTransport, WebSocketTransport } from "./websocket.js";

/** What `connection_error` listeners receive, as engine.io's event. */
export interface ConnectionErrorEvent {
  /** The refused request. Do not keep it. */
  readonly req: IncomingMessage;
  /** Engine.IO error code (0-5). */
  readonly code: number;
  readonly message: string;
  /** Details for logs (never sent to the peer). */
  readonly context: Record<string, unknown>;
}

/** Headers of a response, as `initial_headers` and `headers` listeners may edit them. */
export type ResponseHeaders = Record<string, string | string[]>;

/** The events of {@link EngineServer}, with their arguments. */
export interface EngineServerEventMap {
  /** A session opened. */
  connection: [session: EngineSession];
  /** A request was refused (bad query, unknown sid, origin, `allowRequest`...). */
  connection_error: [error: ConnectionErrorEvent];
  /** Headers of a handshake response (polling or 101), before they are written. */
  initial_headers: [headers: ResponseHeaders, req: IncomingMessage];
  /** Headers of every response, before they are written. */
  headers: [headers: ResponseHeaders, req: IncomingMessage];
  /** The server closed. */
  close: [];
}

/** A recently closed polling session's sid, for the poll that raced its close. */
interface Tombstone extends DeadlineNode {
  readonly sid: string;
}

function onPingExpire(node: DeadlineNode, now: number): void {
  (node as EngineSession).onPingDue(node.dlDeadline, now);
}
function onPongExpire(node: DeadlineNode, now: number): void {
  (node as EngineSession).onPongDeadline(now);
}
function onUpgradeExpire(node: DeadlineNode): void {
  const transport = node as ProbeTransport;
  const owner = transport.owner;
  if (owner instanceof EngineSession) owner.onUpgradeTimeout(transport);
  else transport.close(1000, "upgrade timeout");
}

/**
 * An Engine.IO v4 server. Attach it to an `http`/`https` server, or route requests to
 * {@link handleRequest} and {@link handleUpgrade} yourself.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { EngineServer } from "pushwire";
 *
 * const httpServer = createServer((req, res) => res.end("hello"));
 * const engine = new EngineServer({ cors: { origin: "https://app.example.com" } });
 * engine.attach(httpServer);
 * engine.on("connection", (session) => {
 *   session.onmessage = (data) => session.send(data);
 * });
 * httpServer.listen(3000);
 * ```
 */
export class EngineServer extends EventEmitter<EngineServerEventMap> {
  /** Open sessions by sid. */
  readonly clients = new Map<string, EngineSession>();
  /** @internal */ readonly opts: ResolvedOptions;
  /** @internal */ readonly pingList: DeadlineList;
  /** @internal */ readonly pongList: DeadlineList;
  /** @internal */ readonly upgradeList: DeadlineList;
  private readonly scheduler: DeadlineScheduler;
  private wss: WebSocketServer | null = null;
  private closed = false;
  private handshakeTail: string | null = null;
  /** The sid of the new session whose upgrade is being answered (see openWebSocket). */
  private upgradeSid: string | undefined = undefined;
  /** New sessions are refused with 503 (see {@link stopAccepting}). */
  private refusing = false;
  private shutdownDone: Promise<void> | null = null;
  /** Called when the last session ends during {@link shutdown}. @internal */
  onDrained: (() => void) | null = null;
  private httpServer: HttpServer | HttpsServer | null = null;
  private savedRequestListeners: ((...args: unknown[]) => void)[] = [];
  private readonly upgradeTimers = new Set<ReturnType<typeof setTimeout>>();
  /** Sids of polling sessions the client just closed (see {@link sessionClosed}). */
  private readonly tombstones = new Map<string, Tombstone>();
  private readonly tombstoneList: DeadlineList;
  private readonly onHttpRequest = (req: IncomingMessage, res: ServerResponse): void => {
    if (this.matches(req)) return this.handleRequest(req, res);
    for (const listener of this.savedRequestListeners) listener.call(this.httpServer, req, res);
  };
  private readonly onHttpUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (this.matches(req)) return this.handleUpgrade(req, socket, head);
    if (this.opts.destroyUpgrade) this.endUnclaimedUpgrade(socket);
  };
  private readonly onHttpClose = (): void => {
    this.close();
  };

  /**
   * @param serverOrOptions An `http`/`https` server to attach to, or the options.
   * @param options The options, when a server is given first.
   */
  constructor(
    serverOrOptions?: HttpServer | HttpsServer | EngineServerOptions,
    options?: EngineServerOptions,
  ) {
    super();
    const server = isHttpServer(serverOrOptions) ? serverOrOptions : null;
    this.opts = resolveOptions(
      server === null ? (serverOrOptions as EngineServerOptions | undefined) : options,
    );
    this.scheduler = new DeadlineScheduler(this.opts.clock);
    this.pingList = this.scheduler.list(this.opts.pingInterval, onPingExpire);
    this.pongList = this.scheduler.list(this.opts.pingTimeout, onPongExpire);
    this.upgradeList = this.scheduler.list(this.opts.upgradeTimeout, onUpgradeExpire);
    this.tombstoneList = this.scheduler.list(this.opts.pingTimeout, (node) => {
      this.tombstones.delete((node as Tombstone).sid);
    });
    if (server !== null) this.attach(server);
  }

  /** Number of open sessions. */
  get clientsCount(): number {
    return this.clients.size;
  }

  /** @internal */ get maxBufferedBytes(): number {
    return this.opts.maxBufferedBytes;
  }
  /** @internal */ get maxHttpBufferSize(): number {
    return this.opts.maxHttpBufferSize;
  }

  /**
   * Makes the sid of a new session (120 random bits by default, or the `generateId`
   * option). Replace it to use your own ids; they must stay unique and unguessable.
   *
   * @example
   * ```ts
   * engine.generateId = () => crypto.randomUUID();
   * ```
   */
  generateId(req: IncomingMessage): string | PromiseLike<string> {
    return this.opts.generateId ? this.opts.generateId(req) : randomSid();
  }

  /**
   * Answers requests under `path` and WebSocket upgrades on `server`; other requests
   * go to the request listeners the server had, other upgrades to other listeners.
   *
   * @example
   * ```ts
   * const engine = new EngineServer({ path: "/realtime" }).attach(httpServer);
   * ```
   */
  attach(server: HttpServer | HttpsServer): this {
    if (this.httpServer !== null) this.detach();
    this.httpServer = server;
    this.savedRequestListeners = server.listeners("request") as ((...args: unknown[]) => void)[];
    server.removeAllListeners("request");
    server.on("request", this.onHttpRequest);
    server.on("upgrade", this.onHttpUpgrade);
    server.on("close", this.onHttpClose);
    return this;
  }

  /**
   * Answers one Engine.IO HTTP request (polling `GET`/`POST`, preflight `OPTIONS`).
   *
   * @example
   * ```ts
   * createServer((req, res) => {
   *   if (req.url?.startsWith("/engine.io/")) engine.handleRequest(req, res);
   *   else res.end("hello");
   * });
   * ```
   */
  handleRequest(req: IncomingMessage, res: ServerResponse): void {
    if (this.closed) return this.refuse(req, res, { code: "PW_ERR_ENGINE_SHUTTING_DOWN" }, null);
    const query = parseQuery(req.url ?? "");
    if (isRefusal(query)) return this.refuse(req, res, query, null);
    const refusal = checkQuery(query, this.opts, false);
    if (refusal !== null) return this.refuse(req, res, refusal, null);
    checkOrigin(req, this.opts.cors, this.opts.trustProxy, (verdict) =>
      this.onRequestOrigin(req, res, query, verdict),
    );
  }

  /**
   * Answers one WebSocket upgrade request under `path`: refused with an HTTP error
   * before any 101, or upgraded into a new session or an upgrading one.
   *
   * @example
   * ```ts
   * httpServer.on("upgrade", (req, socket, head) => {
   *   if (req.url?.startsWith("/engine.io/")) engine.handleUpgrade(req, socket, head);
   * });
   * ```
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // CVE-2022-41940: a listener before anything can destroy the socket.
    socket.on("error", ignoreError);
    if (this.closed)
      return this.refuseUpgrade(req, socket, { code: "PW_ERR_ENGINE_SHUTTING_DOWN" });
    const query = parseQuery(req.url ?? "");
    if (isRefusal(query)) return this.refuseUpgrade(req, socket, query);
    const refusal = checkQuery(query, this.opts, true);
    if (refusal !== null) return this.refuseUpgrade(req, socket, refusal);
    checkOrigin(req, this.opts.cors, this.opts.trustProxy, (verdict) =>
      this.onUpgradeOrigin(req, socket, head, query, verdict),
    );
  }

  /**
   * Refuses new sessions from now on: handshakes get 503 `{"code":3,"message":"Server is
   * shutting down"}`, and so do WebSocket upgrades (new sessions and probes), before any
   * 101. Open sessions carry on. {@link shutdown} starts with this.
   *
   * @example
   * ```ts
   * engine.stopAccepting(); // the load balancer now sends new clients elsewhere
   * ```
   */
  stopAccepting(): void {
    this.refusing = true;
  }

  /**
   * Shuts down gracefully: refuses new sessions (503), then ends the open sessions
   * `batchSize` per event-loop turn with the reason `forced server close`. Each sends
   * what it had queued before its close packet (polling) or close frame 1001
   * (WebSocket), so clients get every message and then reconnect elsewhere. Resolves
   * once every session has ended, or after `closeTimeout` ms (the rest are ended at
   * once); the engine is then closed as by {@link close}.
   *
   * @example
   * ```ts
   * process.on("SIGTERM", () => engine.shutdown().then(() => process.exit(0)));
   * ```
   */
  shutdown(batchSize = 1000): Promise<void> {
    this.stopAccepting();
    // Stays attached, answering 503 (Connection: close) until the HTTP server closes:
    // a request on a kept-alive connection must not go to a server with no listener.
    return (this.shutdownDone ??= drainSessions(this, this.closed, batchSize).then(() => {
      this.stop();
    }));
  }

  /**
   * Ends every session (`forced server close`), stops the scheduler, and detaches from
   * the HTTP server, giving it back its own request listeners.
   *
   * @example
   * ```ts
   * engine.close();
   * ```
   */
  close(): this {
    this.stop();
    this.detach();
    return this;
  }

  /** Ends everything but the attachment (see {@link shutdown}). */
  private stop(): void {
    if (this.closed) return;
    this.closed = true;
    for (const session of [...this.clients.values()]) session.destroy("forced server close");
    this.scheduler.close();
    this.tombstones.clear();
    for (const timer of this.upgradeTimers) clearTimeout(timer);
    this.upgradeTimers.clear();
    this.wss?.close();
    this.wss = null;
    this.emit("close");
  }

  /** @internal */
  sessionClosed(session: EngineSession, reason: CloseReason, unpolled: boolean): void {
    if (this.clients.get(session.id) !== session) return;
    this.clients.delete(session.id);
    if (this.onDrained !== null && this.clients.size === 0) this.onDrained();
    // A client that closes over polling may have its close POST overtake its own poll
    // (two connections): that one poll gets a noop rather than an error. Only one, and
    // only for pingTimeout.
    if (reason === "transport close" && unpolled && !this.closed) {
      const stone: Tombstone = {
        sid: session.id,
        dlPrev: null,
        dlNext: null,
        dlList: null,
        dlDeadline: 0,
      };
      this.tombstones.set(session.id, stone);
      this.tombstoneList.push(stone);
    }
  }

  /** @internal */
  decorateHeaders(
    headers: ResponseHeaders,
    req: IncomingMessage,
    initial: boolean,
    sid?: string,
  ): void {
    if (initial) {
      const cookie = this.opts.cookie;
      if (cookie !== null && sid !== undefined) {
        const secure = cookie.secure ?? isSecure(req, this.opts.trustProxy);
        headers["Set-Cookie"] = [
          `${cookie.name}=${sid}${cookie.attributes}${secure ? "; Secure" : ""}`,
        ];
      }
      if (this.listenerCount("initial_headers") !== 0) this.emit("initial_headers", headers, req);
    }
    if (this.listenerCount("headers") !== 0) this.emit("headers", headers, req);
  }

  // --- HTTP -----------------------------------------------------------------------

  private onRequestOrigin(
    req: IncomingMessage,
    res: ServerResponse,
    query: EngineQuery,
    verdict: OriginVerdict,
  ): void {
    if (!verdict.ok) return this.refuse(req, res, originRefusal(verdict), null);
    const cors = verdict.cors;
    const method = req.method;
    if (
      method === "OPTIONS" &&
      cors !== null &&
      req.headers["access-control-request-method"] !== undefined
    ) {
      const headers = preflightHeaders(this.opts.cors!, cors, req);
      res.writeHead(this.opts.cors!.optionsSuccessStatus, headers);
      res.end();
      return;
    }
    if (query.sid !== undefined) {
      const session = this.findSession(query.sid);
      if (session === null) {
        const stone = method === "GET" ? this.tombstones.get(query.sid) : undefined;
        if (stone === undefined) return this.refuse(req, res, unknownSid(query.sid), cors);
        this.tombstones.delete(stone.sid);
        this.tombstoneList.remove(stone);
        res.writeHead(200, {
          "Content-Type": "text/plain; charset=UTF-8",
          "Content-Length": "1",
          ...cors,
        });
        res.end("6");
        return;
      }
      if (session.polling === null) {
        return this.refuse(
          req,
          res,
          {
            code: "PW_ERR_ENGINE_BAD_REQUEST",
            reason: "transport mismatch (the session runs on websocket)",
            context: { name: "TRANSPORT_MISMATCH" },
          },
          cors,
        );
      }
      if (method !== "GET" && method !== "POST") {
        return this.refuse(
          req,
          res,
          { code: "PW_ERR_ENGINE_BAD_REQUEST", reason: "method not allowed", context: { method } },
          cors,
        );
      }
      session.polling.onRequest(req, res, cors);
      return;
    }
    if (method !== "GET")
      return this.refuse(
        req,
        res,
        { code: "PW_ERR_ENGINE_BAD_HANDSHAKE_METHOD", context: { method } },
        cors,
      );
    if (this.refusing) return this.refuse(req, res, { code: "PW_ERR_ENGINE_SHUTTING_DOWN" }, cors);
    this.allow(req, (refusal) => {
      if (refusal !== null) return this.refuse(req, res, refusal, cors);
      this.withId(req, (id) => {
        if (typeof id !== "string") return this.refuse(req, res, id, cors);
        const session = new EngineSession(this, id, packRequest(req, this.opts.trustProxy));
        const polling = new PollingTransport(session, this.opts);
        session.polling = polling;
        this.clients.set(id, session);
        polling.onRequest(req, res, cors);
        const upgrades = this.opts.allowUpgrades && this.opts.websocket ? ["websocket"] : [];
        session.open(this.handshake(id, upgrades), this.opts.initialPacket);
        this.announce(session);
      });
    });
  }

  private refuse(
    req: IncomingMessage,
    res: ServerResponse,
    refusal: Refusal,
    cors: CorsHeaders | null,
  ): void {
    this.emitConnectionError(req, refusal);
    // Shutting down: the connection is not kept alive either.
    writeRefusal(res, refusal, cors, refusal.code === "PW_ERR_ENGINE_SHUTTING_DOWN");
  }

  // --- WebSocket ------------------------------------------------------------------

  private onUpgradeOrigin(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    query: EngineQuery,
    verdict: OriginVerdict,
  ): void {
    // RELIABILITY D1/D2: the origin policy holds before any 101 (CSWSH).
    if (!verdict.ok) return this.refuseUpgrade(req, socket, originRefusal(verdict));
    // Shutting down: no new session, and no upgrade of one that is being closed.
    if (this.refusing)
      return this.refuseUpgrade(req, socket, { code: "PW_ERR_ENGINE_SHUTTING_DOWN" });
    const sid = query.sid;
    if (sid !== undefined) {
      const session = this.findSession(sid);
      if (session === null) return this.refuseUpgrade(req, socket, unknownSid(sid));
      if (!this.opts.allowUpgrades) {
        return this.refuseUpgrade(req, socket, {
          code: "PW_ERR_ENGINE_BAD_REQUEST",
          reason: "upgrades are disabled",
        });
      }
      this.wsServer().handleUpgrade(req, socket, head, (ws) =>
        this.onProbeSocket(ws, socket, session),
      );
      return;
    }
    const opts = this.opts; // without hooks, no callbacks: the id is at hand
    if (!opts.allowRequest && !opts.generateId && this.generateId === DEFAULT_GENERATE_ID) {
      const id = randomSid();
      if (!this.clients.has(id)) return this.openWebSocket(req, socket, head, id);
    }
    this.allow(req, (refusal) => {
      if (refusal !== null) return this.refuseUpgrade(req, socket, refusal);
      this.withId(req, (id) => {
        if (typeof id !== "string") return this.refuseUpgrade(req, socket, id);
        if (this.closed) return destroySocket(socket);
        this.openWebSocket(req, socket, head, id);
      });
    });
  }

  /** Upgrades a handshake request into a new WebSocket session `id`. */
  private openWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, id: string): void {
    // ws emits "headers" (where the sid's cookie is set) within handleUpgrade.
    this.upgradeSid = id;
    this.wsServer().handleUpgrade(req, socket, head, (ws) => {
      if (this.closed || this.clients.has(id)) {
        socket.uncork();
        ws.on("error", ignoreError);
        ws.close(1001, "server closed");
        return;
      }
      const session = new EngineSession(this, id, packRequest(req, this.opts.trustProxy));
      session.ws = new WebSocketTransport(ws, socket, session);
      this.clients.set(id, session);
      session.open(this.handshake(id, []), this.opts.initialPacket);
      socket.uncork();
      this.announce(session);
    });
    this.upgradeSid = undefined;
  }

  /** Tells the diagnostics channel and the `connection` listeners of a new session. */
  private announce(session: EngineSession): void {
    if (engineConnect.hasSubscribers) engineConnect.publish({ session });
    this.emit("connection", session);
  }

  /** A WebSocket opened with the sid of a polling session: the probe of an upgrade. */
  private onProbeSocket(ws: WebSocket, socket: Duplex, session: EngineSession): void {
    // Refused after the 101, as engine.io does: a second WebSocket for a session that
    // already has one, or is upgrading, is closed (spec: "the server MUST close the
    // WebSocket connection"; RELIABILITY A3-7: the first one is untouched).
    if (session.readyState !== "open" || session.polling === null || session.probe !== null) {
      ws.on("error", ignoreError);
      ws.close(
        1008,
        session.readyState === "open" ? "session already upgraded or upgrading" : "session closed",
      );
      return;
    }
    session.startUpgrade(new ProbeTransport(ws, socket, session));
  }

  private refuseUpgrade(req: IncomingMessage, socket: Duplex, refusal: Refusal): void {
    this.emitConnectionError(req, refusal);
    writeUpgradeRefusal(socket, refusal, null);
  }

  private wsServer(): WebSocketServer {
    if (this.wss === null) {
      const wss = createWsServer(this.opts);
      wss.on("headers", (lines: string[], req: IncomingMessage) => {
        const sid = this.upgradeSid;
        // A new session's 101 and open packet leave in one write (uncorked after open()).
        if (sid !== undefined) req.socket.cork();
        const headers: ResponseHeaders = {};
        this.decorateHeaders(headers, req, sid !== undefined, sid);
        for (const name in headers) {
          const value = headers[name]!;
          for (const one of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${one}`);
        }
      });
      this.wss = wss;
    }
    return this.wss;
  }

  // --- shared steps ---------------------------------------------------------------

  /** The live session of `sid`, expiring it first if its pong is overdue. */
  private findSession(sid: string): EngineSession | null {
    const session = this.clients.get(sid);
    if (session === undefined) return null;
    // The timer may not have run yet for a deadline that passed: a request must not
    // revive a session the spec already considers closed.
    if (session.dlList === this.pongList && session.dlDeadline <= this.opts.clock.now()) {
      session.onPongDeadline();
      return null;
    }
    return session.readyState === "closed" ? null : session;
  }

  /** Runs `allowRequest`, once, shielding the server from a throwing hook. */
  private allow(req: IncomingMessage, done: (refusal: Refusal | null) => void): void {
    const hook = this.opts.allowRequest;
    if (hook === undefined) return done(null);
    let called = false;
    const callback = (err: string | null | undefined, success: boolean): void => {
      if (called) return;
      called = true;
      if (this.closed) return done({ code: "PW_ERR_ENGINE_BAD_REQUEST", reason: "server closed" });
      if (success) return done(null);
      done({
        code: "PW_ERR_ENGINE_FORBIDDEN",
        ...(typeof err === "string" && err ? { message: err } : {}),
      });
    };
    try {
      hook(req, callback);
    } catch {
      callback("allowRequest failed", false);
    }
  }

  /** Calls `done` with a fresh unique sid, or with a refusal when `generateId` fails. */
  private withId(req: IncomingMessage, done: (id: string | Refusal) => void): void {
    const bad: Refusal = {
      code: "PW_ERR_ENGINE_BAD_REQUEST",
      reason: "could not generate a session id",
    };
    const check = (id: unknown): void => {
      if (this.closed) return done({ code: "PW_ERR_ENGINE_BAD_REQUEST", reason: "server closed" });
      if (typeof id !== "string" || id.length === 0 || this.clients.has(id)) return done(bad);
      done(id);
    };
    let id: string | PromiseLike<string>;
    try {
      id = this.generateId(req);
    } catch {
      return done(bad);
    }
    if (typeof id === "string") return check(id);
    Promise.resolve(id).then(check, () => done(bad));
  }

  private handshake(sid: string, upgrades: string[]): string {
    // JSON.stringify of the whole object, with the part the options fix encoded once.
    const { pingInterval, pingTimeout, maxHttpBufferSize: maxPayload } = this.opts;
    this.handshakeTail ??= JSON.stringify({ pingInterval, pingTimeout, maxPayload }).slice(1);
    return `{"sid":${JSON.stringify(sid)},"upgrades":${JSON.stringify(upgrades)},${this.handshakeTail}`;
  }

  private emitConnectionError(req: IncomingMessage, refusal: Refusal): void {
    const spec = ERRORS[refusal.code] as { message: string; eio?: number; status?: number };
    if (engineRefused.hasSubscribers) {
      engineRefused.publish({
        req,
        code: refusal.code,
        status: spec.status ?? 400,
        message: refusal.message ?? spec.message,
        reason: refusal.reason,
      });
    }
    if (this.listenerCount("connection_error") === 0) return;
    this.emit("connection_error", {
      req,
      code: spec.eio ?? 3,
      message: refusal.message ?? spec.message,
      context: {
        ...refusal.context,
        ...(refusal.reason !== undefined ? { reason: refusal.reason } : {}),
      },
    });
  }

  private matches(req: IncomingMessage): boolean {
    const url = req.url;
    const path = this.opts.path;
    if (url === undefined || !url.startsWith(path)) return false;
    if (path.endsWith("/")) return true;
    const next = url.charCodeAt(path.length);
    return Number.isNaN(next) || next === 0x3f /* ? */ || next === 0x2f; /* / */
  }

  /** engine.io's `destroyUpgrade`: end an upgrade no other listener answered. */
  private endUnclaimedUpgrade(socket: Duplex): void {
    const timer = setTimeout(() => {
      this.upgradeTimers.delete(timer);
      if (socket.writable && (socket as Duplex & { bytesWritten?: number }).bytesWritten === 0) {
        socket.on("error", ignoreError);
        socket.end();
      }
    }, this.opts.destroyUpgradeTimeout);
    timer.unref();
    this.upgradeTimers.add(timer);
  }

  private detach(): void {
    const server = this.httpServer;
    if (server === null) return;
    this.httpServer = null;
    server.removeListener("request", this.onHttpRequest);
    server.removeListener("upgrade", this.onHttpUpgrade);
    server.removeListener("close", this.onHttpClose);
    for (const listener of this.savedRequestListeners) server.on("request", listener);
    this.savedRequestListeners = [];
  }
}

const DEFAULT_GENERATE_ID = EngineServer.prototype.generateId;

function isHttpServer(value: unknown): value is HttpServer | HttpsServer {
  return value instanceof EventEmitter && typeof (value as HttpServer).listen === "function";
}

/** Compiles only when `T` is assignable to `U`. */
type Satisfies<T extends U, U> = T;
// The server is its sessions' host (see the same check in session.ts).
type _HostRole = Satisfies<EngineServer, SessionHost>;
