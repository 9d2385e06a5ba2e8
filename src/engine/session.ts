/**
 * One Engine.IO session: the {@link EngineConnection} the layer above drives, its
 * transport (polling or WebSocket), the upgrade between them, its heartbeat and its
 * bounded outgoing queue.
 *
 * @module
 */
import type { IncomingMessage } from "node:http";
import { PushwireError } from "../errors.js";
import type {
  ConnectionEvents,
  CloseReason,
  ConnectionHandler,
  EngineConnection,
  PreparedMessage as PreparedMessageLike,
  RawData,
  RequestInfo,
  SendOptions,
} from "./connection.js";
import {
  engineClose,
  engineDrop,
  engineError,
  enginePacketIn,
  enginePacketOut,
} from "./channels.js";
import type { EnginePacket } from "./codec.js";
import { ConnectionEventSource } from "./connection-events.js";
import type { Flushable } from "./flush.js";
import { scheduleFlush } from "./flush.js";
import type { PollingOwner, PollingTransport } from "./polling.js";
import { PreparedMessage } from "./prepared.js";
import { itemSize, toRecord, type QueueItem } from "./queue-item.js";
import { unpackRequest, type PackedRequest } from "./request.js";
import type { DeadlineList, DeadlineNode } from "./scheduler.js";
import type { WebSocketOwner, WebSocketTransport } from "./websocket.js";

/** What a session needs from its server. @internal */
export interface SessionHost {
  readonly maxBufferedBytes: number;
  readonly maxHttpBufferSize: number;
  /** Sessions waiting to be pinged (delay `pingInterval`). */
  readonly pingList: DeadlineList;
  /** Sessions waiting for a pong, or closing sessions waiting for their last poll (`pingTimeout`). */
  readonly pongList: DeadlineList;
  /** Probe transports of upgrades in progress (`upgradeTimeout`). */
  readonly upgradeList: DeadlineList;
  /** `unpolled`: the session was on polling with no poll pending when it closed. */
  sessionClosed(session: EngineSession, reason: CloseReason, unpolled: boolean): void;
  decorateHeaders(
    headers: Record<string, string | string[]>,
    req: IncomingMessage,
    initial: boolean,
    sid: string,
  ): void;
}

/** Events a session emits to listeners added with `on`. */
export type EngineSessionEvents = ConnectionEvents;

const TYPE_OPEN = 0x30;
const TYPE_PING = 0x32;
const TYPE_PONG = 0x33;
const TYPE_MESSAGE = 0x34;

/** Flags: polls get a noop (a probe succeeded); bound crossed; pong deadline deferred once. */
const [PROBED, SLOW, PONG_GRACE] = [1, 2, 4] as const;

/** A deadline timer later than this ran after a blocked event loop (see onPongDeadline). */
const STALL_MS = 50;

/**
 * An Engine.IO session. Created by {@link EngineServer}; given to `connection`
 * listeners.
 *
 * @example
 * ```ts
 * engine.on("connection", (session: EngineSession) => {
 *   session.onmessage = (data) => session.send(data); // echo
 *   session.onclose = (reason) => console.log(session.id, "closed:", reason);
 * });
 * ```
 */
export class EngineSession extends ConnectionEventSource implements EngineConnection {
  readonly protocol = 4;
  readyState: "opening" | "open" | "closing" | "closed" = "opening";
  onmessage: ((data: RawData) => void) | null = null;
  onclose: ((reason: CloseReason, description?: unknown) => void) | null = null;
  /** @internal */ handler: ConnectionHandler | null = null;

  /** @internal */ ws: WebSocketTransport | null = null;
  /** @internal */ polling: PollingTransport | null = null;
  /** @internal The WebSocket being probed for an upgrade. */
  probe: WebSocketTransport | null = null;
  private queue: QueueItem[] | null = null;
  private queuedBytes = 0;
  /** Queued bytes left from earlier turns (polling), measured at a turn's first write. */
  private stale = 0;
  /** {@link PROBED}, {@link SLOW} and {@link PONG_GRACE}, in one field. */
  private flags = 0;
  private closeReason: CloseReason = "forced close";
  /** Whether the session has moved from polling to WebSocket. */
  upgraded = false;

  /** @internal */ flushQueued = false;
  /** @internal */ dlPrev: DeadlineNode | null = null;
  /** @internal */ dlNext: DeadlineNode | null = null;
  /** @internal */ dlList: DeadlineList | null = null;
  /** @internal */ dlDeadline = 0;

  /** @internal */
  constructor(
    private readonly host: SessionHost,
    /** The session id (`sid`). A bearer secret: never broadcast it. */
    readonly id: string,
    /** The handshake request's snapshot, packed until first read. */
    private snapshot: RequestInfo | PackedRequest,
  ) {
    super();
  }

  /** The handshake request, as a snapshot. */
  get request(): RequestInfo {
    const snapshot = this.snapshot;
    return typeof snapshot !== "string" ? snapshot : (this.snapshot = unpackRequest(snapshot));
  }

  /** Name of the current transport. */
  get transportName(): string {
    return this.ws !== null ? "websocket" : "polling";
  }

  /** The current transport (engine.io's `socket.transport`), for its `name`. */
  get transport(): { readonly name: string } {
    return this.ws ?? this.polling ?? { name: "polling" };
  }

  /** Whether an upgrade to WebSocket is under way. */
  get upgrading(): boolean {
    return this.probe !== null;
  }

  /** The client's address, from the handshake. */
  get remoteAddress(): string {
    return this.request.remoteAddress;
  }

  /**
   * Queues one message packet; what is queued during one event-loop turn leaves in one
   * write. A `volatile` message is dropped when the transport is busy. Ignored once the
   * session is closing.
   *
   * @example
   * ```ts
   * session.send("hello");
   * session.send(new Uint8Array([1, 2, 3]));
   * session.send("position 3,4", { volatile: true });
   * ```
   */
  send(data: RawData, options?: SendOptions): void {
    if (this.readyState !== "open") return;
    if (this.emitter !== null) this.emitOutgoing(data);
    if (enginePacketOut.hasSubscribers) enginePacketOut.publish({ session: this, data });
    const ws = this.ws;
    if (ws !== null) {
      if (ws.beginTurn() !== 0 && this.mustDrop(ws.stale, options)) return;
      const compress = options === undefined || options.compress !== false;
      if (typeof data === "string") ws.writeText(TYPE_MESSAGE, data, compress);
      else ws.writeBinary(data, compress);
      return;
    }
    this.enqueue(typeof data === "string" ? "4" + data : data, options);
  }

  /**
   * Queues a message prepared once for many sessions: WebSocket recipients get the
   * same frame bytes, polling recipients the same record.
   *
   * @example
   * ```ts
   * const message = prepareMessage("news");
   * for (const session of engine.clients.values()) session.sendPrepared(message);
   * ```
   */
  sendPrepared(message: PreparedMessageLike, options?: SendOptions): void {
    if (!(message instanceof PreparedMessage)) return this.send(message.data, options);
    if (this.readyState !== "open") return;
    if (this.emitter !== null) this.emitOutgoing(message.data);
    if (enginePacketOut.hasSubscribers) {
      enginePacketOut.publish({ session: this, data: message.data });
    }
    const ws = this.ws;
    if (ws !== null) {
      if (ws.beginTurn() !== 0 && this.mustDrop(ws.stale, options)) return;
      ws.writePrepared(message, options === undefined || options.compress !== false);
      return;
    }
    this.enqueue(message, options);
  }

  /**
   * Sends what is queued, then closes the session with the reason `forced close`. On
   * polling, the close packet leaves only once the queue has drained, in a payload of
   * its own (engine.io's order: a client handles a close at once but a message a tick
   * later, so sharing a payload would lose the messages). Each poll the closing session
   * waits for is bounded by `pingTimeout`; `onclose` is called when the session ends.
   *
   * @example
   * ```ts
   * session.close();
   * ```
   */
  close(): void {
    this.end("forced close");
  }

  /** {@link close} with the server's reason: `forced server close` when it shuts down. @internal */
  end(reason: "forced close" | "forced server close"): void {
    if (this.readyState !== "open" && this.readyState !== "opening") return;
    const polling = this.polling;
    if (this.ws !== null || polling === null) {
      // The WebSocket writes this turn's frames before its close frame.
      this.destroy(reason);
      return;
    }
    this.readyState = "closing";
    this.closeReason = reason;
    this.host.pongList.push(this);
    const probe = this.probe;
    if (probe !== null) {
      // A probed client has paused polling and is sending its upgrade packet `5`: the
      // queue and the close go over the new WebSocket when it arrives (or back over
      // polling if the upgrade times out), so the client still gets them.
      if ((this.flags & PROBED) !== 0) return;
      this.abortUpgrade(probe);
    } else if (polling.writable) this.flushPolling(polling);
  }

  /** Sends the open packet and starts the heartbeat. @internal */
  open(handshake: string, initialPacket: RawData | undefined): void {
    this.readyState = "open";
    this.sendControl(TYPE_OPEN, handshake);
    if (initialPacket !== undefined) this.send(initialPacket);
    this.host.pingList.push(this);
  }

  /** Adopts a probe WebSocket for an upgrade. @internal */
  startUpgrade(transport: WebSocketTransport & DeadlineNode): void {
    this.probe = transport;
    this.host.upgradeList.push(transport);
  }

  /**
   * The ping is due (`scheduled` is when it was due): send it and wait for the pong.
   * The pong deadline counts from the scheduled time, so a timer that fires a little
   * late does not stretch pingInterval + pingTimeout; after a long stall the client
   * still gets half of pingTimeout to answer.
   *
   * @internal
   */
  onPingDue(scheduled: number, now: number): void {
    this.flags &= ~PONG_GRACE;
    const timeout = this.host.pongList.delay;
    this.host.pongList.pushAt(this, Math.max(scheduled + timeout, now + timeout / 2));
    this.sendControl(TYPE_PING, "");
  }

  /**
   * No pong in time, or a closing session's last poll never came. `now` is when the
   * timer ran: when it ran much later than the deadline the event loop was blocked,
   * and a pong that arrived meanwhile may still be unread in the socket, so the
   * session gets one more loop turn, after I/O, before it is called a timeout
   * (RELIABILITY C6: no spurious disconnects after a stall).
   *
   * @internal
   */
  onPongDeadline(now?: number): void {
    if (now !== undefined && now - this.dlDeadline > STALL_MS && (this.flags & PONG_GRACE) === 0) {
      this.flags |= PONG_GRACE;
      this.host.pongList.pushAt(this, now + 1);
      return;
    }
    this.destroy(this.readyState === "closing" ? this.closeReason : "ping timeout");
  }

  /** The probe WebSocket did not finish the upgrade in time (RELIABILITY A3-8). @internal */
  onUpgradeTimeout(transport: WebSocketTransport): void {
    if (transport === this.probe) this.abortUpgrade(transport);
  }

  // --- outgoing -------------------------------------------------------------------

  /**
   * Whether a packet must not be written because earlier turns left `stale` bytes: a
   * volatile packet is dropped; past the bound the session is closed at the flush.
   */
  private mustDrop(stale: number, options: SendOptions | undefined): boolean {
    if (stale > this.host.maxBufferedBytes) {
      this.flags |= SLOW;
      return true;
    }
    if ((this.flags & SLOW) !== 0) return true;
    if (options === undefined || options.volatile !== true) return false;
    if (engineDrop.hasSubscribers) this.publishVolatileDrop();
    return true;
  }

  private publishVolatileDrop(): void {
    engineDrop.publish({ session: this, reason: "volatile", bytes: this.bufferedBytes });
  }

  /** Bytes not taken yet: ws's `bufferedAmount` (socket, deflate queue) or the queue. @internal */
  get bufferedBytes(): number {
    return this.ws === null ? this.queuedBytes : this.ws.ws.bufferedAmount;
  }

  /** Starts a polling turn: measures the backlog and registers the flush. */
  private beginPollingTurn(): void {
    if (!this.flushQueued) {
      this.stale = this.queuedBytes;
      scheduleFlush(this);
    }
  }

  private enqueue(item: QueueItem, options: SendOptions | undefined): void {
    this.beginPollingTurn();
    if (this.stale !== 0 && this.mustDrop(this.stale, undefined)) return;
    // Volatile over polling: kept only when a poll is waiting for it (socket.io's
    // "transport writable" rule).
    if (options !== undefined && options.volatile === true) {
      if ((this.flags & PROBED) !== 0 || this.polling === null || !this.polling.writable) {
        if (engineDrop.hasSubscribers) this.publishVolatileDrop();
        return;
      }
    }
    (this.queue ??= []).push(item);
    this.queuedBytes += itemSize(item);
  }

  private enqueueControl(packet: string): void {
    this.beginPollingTurn();
    (this.queue ??= []).push(packet);
    this.queuedBytes += packet.length;
  }

  private sendControl(type: number, data: string): void {
    const ws = this.ws;
    if (ws !== null) {
      ws.beginTurn();
      ws.writeText(type, data);
    } else this.enqueueControl(String.fromCharCode(type) + data);
  }

  /** End of turn (polling): answer a waiting poll with the queue. @internal */
  flush(): void {
    if (this.readyState === "closed") return;
    if ((this.flags & SLOW) !== 0) return this.closeSlow();
    const polling = this.polling;
    if (polling !== null && polling.writable && (this.flags & PROBED) === 0)
      this.flushPolling(polling);
  }

  /** Answers the pending poll with queued packets, up to `maxHttpBufferSize` per payload. */
  private flushPolling(polling: PollingTransport): void {
    const queue = this.queue;
    if (queue === null || queue.length === 0) {
      // Closing, and the queue has drained: the close packet answers this poll alone.
      if (this.readyState === "closing") this.destroy(this.closeReason);
      return;
    }
    const limit = this.host.maxHttpBufferSize;
    let payload = toRecord(queue[0]!);
    let size = payload.length;
    let taken = 1;
    while (taken < queue.length) {
      const record = toRecord(queue[taken]!);
      if (size + record.length + 1 > limit) break;
      payload += "\x1e" + record;
      size += record.length + 1;
      taken++;
    }
    if (taken === queue.length) {
      this.queue = null;
      this.queuedBytes = 0;
    } else {
      for (let i = 0; i < taken; i++) this.queuedBytes -= itemSize(queue[i]!);
      queue.splice(0, taken);
    }
    polling.respond(payload);
    // A closing session waits for the next poll, which gets the rest or the close.
    if (this.readyState === "closing") this.host.pongList.push(this);
    if (this.emitter !== null) this.emitter.emit("drain");
  }

  private closeSlow(): void {
    if (engineDrop.hasSubscribers) {
      engineDrop.publish({ session: this, reason: "slow consumer", bytes: this.bufferedBytes });
    }
    const description = new PushwireError(
      "PW_ERR_ENGINE_SLOW_CONSUMER",
      `more than ${this.host.maxBufferedBytes} bytes left unwritten`,
    );
    this.destroy("slow consumer", description);
  }

  // --- incoming -------------------------------------------------------------------

  private deliver(data: RawData): void {
    if (this.emitter !== null) this.emitIncoming(data);
    if (enginePacketIn.hasSubscribers) enginePacketIn.publish({ session: this, data });
    const handler = this.handler;
    if (handler !== null) handler.onEngineMessage(data);
    const onmessage = this.onmessage;
    if (onmessage !== null) onmessage(data);
  }

  private onPacket(packet: EnginePacket): void {
    if (this.readyState !== "open") return; // RELIABILITY A4-5
    if (this.emitter !== null && packet.type !== "message") this.emitter.emit("packet", packet);
    switch (packet.type) {
      case "message":
        this.deliver(packet.data ?? "");
        break;
      case "pong":
        // An unsolicited pong is ignored: no timer, no task (RELIABILITY A4-2).
        if (this.dlList === this.host.pongList) {
          this.host.pingList.push(this);
          if (this.emitter !== null) this.emitter.emit("heartbeat");
        }
        break;
      case "ping":
        // Engine.IO v4 reversed the heartbeat: only the server pings.
        this.destroy(
          "transport error",
          new PushwireError("PW_ERR_ENGINE_UNEXPECTED_PACKET", "invalid heartbeat direction"),
        );
        break;
      case "close":
        this.destroy("transport close");
        break;
      default:
        // open, upgrade and noop from the client carry nothing here (RELIABILITY A4-3).
        break;
    }
  }

  /** @internal */
  onWsMessage(transport: WebSocketTransport, data: RawData): void {
    if (transport === this.ws) {
      if (this.readyState === "open") this.deliver(data);
    } else this.onProbePacket(transport, { type: "message", data });
  }

  /** @internal */
  onWsPacket(transport: WebSocketTransport, packet: EnginePacket | null): void {
    if (transport !== this.ws) return this.onProbePacket(transport, packet);
    if (packet !== null) return this.onPacket(packet);
    const description = new PushwireError("PW_ERR_ENGINE_INVALID_PACKET", "invalid packet");
    this.destroy("parse error", description);
  }

  /** @internal */
  onWsClose(transport: WebSocketTransport, error: Error | null): void {
    if (transport === this.ws) {
      if (error === null) this.destroy("transport close");
      else this.destroy("transport error", error);
    } else if (transport === this.probe) this.abortUpgrade(transport);
  }

  /** @internal */
  onWsFlushed(transport: WebSocketTransport): void {
    if (transport !== this.ws) return;
    if ((this.flags & SLOW) !== 0) this.closeSlow();
    else if (this.emitter !== null) this.emitter.emit("drain");
  }

  /**
   * A ping frame gets its pong (RFC 6455 §5.5.2); a peer that pings without reading is a
   * slow consumer once past the outgoing bound (ws's autoPong capped its backlog). @internal
   */
  onWsPing(transport: WebSocketTransport, data: Buffer): void {
    if (transport.beginTurn() > this.host.maxBufferedBytes) {
      if (transport === this.ws) this.flags |= SLOW;
      else if (transport === this.probe) this.abortUpgrade(transport);
      return;
    }
    transport.writePong(data);
  }

  /** @internal */
  onPollingGet(transport: PollingTransport): void {
    if ((this.flags & PROBED) !== 0) transport.respond("6");
    else this.flushPolling(transport);
  }

  /** @internal */
  onPollingPayload(transport: PollingTransport, packets: EnginePacket[]): void {
    for (let i = 0; i < packets.length; i++) {
      if (this.polling !== transport) return;
      this.onPacket(packets[i]!);
    }
  }

  /** @internal */
  onPollingError(
    _transport: PollingTransport,
    reason: CloseReason,
    description: PushwireError,
  ): void {
    this.destroy(reason, description);
  }

  /** @internal */
  decorateHeaders(
    headers: Record<string, string | string[]>,
    req: IncomingMessage,
    initial: boolean,
  ): void {
    this.host.decorateHeaders(headers, req, initial, this.id);
  }

  // --- upgrade (spec: "Upgrade") --------------------------------------------------

  private onProbePacket(transport: WebSocketTransport, packet: EnginePacket | null): void {
    if (transport !== this.probe) return;
    // A closing session still completes a probed upgrade (see end()).
    if (this.readyState !== "open" && this.readyState !== "closing") return;
    if (packet !== null && packet.type === "ping" && packet.data === "probe") {
      transport.beginTurn();
      transport.writeText(TYPE_PONG, "probe");
      if ((this.flags & PROBED) === 0) {
        this.flags |= PROBED;
        // Release a pending poll so the client can pause polling.
        if (this.polling !== null && this.polling.writable) this.polling.respond("6");
        if (this.emitter !== null) this.emitter.emit("upgrading", transport);
      }
      return;
    }
    if (packet !== null && packet.type === "upgrade") return this.completeUpgrade(transport);
    this.abortUpgrade(transport);
  }

  private completeUpgrade(transport: WebSocketTransport): void {
    this.host.upgradeList.remove(transport);
    this.probe = null;
    this.flags &= ~PROBED;
    const polling = this.polling;
    this.polling = null;
    if (polling !== null) polling.close("6");
    this.ws = transport;
    this.upgraded = true;
    const queue = this.queue;
    if (queue !== null) {
      this.queue = null;
      this.queuedBytes = 0;
      transport.beginTurn();
      for (const item of queue) {
        if (typeof item === "string") transport.writeText(item.charCodeAt(0), item.slice(1));
        else if (item instanceof Uint8Array) transport.writeBinary(item);
        else transport.writePrepared(item);
      }
    }
    if (this.emitter !== null) this.emitter.emit("upgrade", transport);
    // Closed while the upgrade packet was in flight: the queue just went out over the
    // WebSocket, and its close frame follows.
    if (this.readyState === "closing") this.destroy(this.closeReason);
  }

  private abortUpgrade(transport: WebSocketTransport): void {
    this.host.upgradeList.remove(transport);
    if (this.probe === transport) {
      this.probe = null;
      this.flags &= ~PROBED;
    }
    transport.close(1000, "upgrade aborted");
    // Polling resumes: a poll that arrived meanwhile gets what was queued.
    const polling = this.polling;
    if (polling !== null && polling.writable && this.readyState !== "closed")
      this.flushPolling(polling);
    // Shutting down with nothing left to send and no poll pending: nothing to wait for
    // (the client, if still there, gets 400 on its next poll), as in shutdown.ts.
    else if (this.readyState === "closing" && this.closeReason === "forced server close") {
      if (this.queuedBytes === 0) this.destroy(this.closeReason);
    }
  }

  // --- end ------------------------------------------------------------------------

  /**
   * Ends the session at once with `reason`: transports closed, timers and queue
   * dropped, the server told, then `onclose`.
   *
   * @internal
   */
  destroy(reason: CloseReason, description?: unknown): void {
    if (this.readyState === "closed") return;
    this.readyState = "closed";
    this.host.pingList.remove(this);
    this.host.pongList.remove(this);
    const probe = this.probe;
    if (probe !== null) {
      this.probe = null;
      this.host.upgradeList.remove(probe);
      probe.terminate();
    }
    const ws = this.ws;
    if (ws !== null) {
      if (reason === "slow consumer" || reason === "transport error") ws.terminate();
      else if (reason === "forced server close") ws.close(1001, reason);
      else if (reason === "parse error") ws.close(1008, reason);
      else ws.close(1000, reason);
    }
    const polling = this.polling;
    const unpolled = polling !== null && !polling.writable;
    if (polling !== null) polling.close(reason === "transport close" ? "6" : "1");
    this.queue = null;
    this.queuedBytes = 0;
    this.host.sessionClosed(this, reason, unpolled);
    if (engineClose.hasSubscribers) engineClose.publish({ session: this, reason, description });
    if (description instanceof Error && engineError.hasSubscribers) {
      engineError.publish({ session: this, reason, error: description });
    }
    const handler = this.handler;
    const onclose = this.onclose;
    this.handler = null;
    this.onclose = null;
    this.onmessage = null;
    if (handler !== null) handler.onEngineClose(reason, description);
    if (onclose !== null) onclose(reason, description);
    if (this.emitter !== null) this.emitter.emit("close", reason, description);
  }

  private emitIncoming(data: RawData): void {
    const emitter = this.emitter!;
    if (emitter.listenerCount("packet") !== 0) emitter.emit("packet", { type: "message", data });
    emitter.emit("message", data);
  }

  private emitOutgoing(data: RawData): void {
    const emitter = this.emitter!;
    if (emitter.listenerCount("packetCreate") !== 0) {
      emitter.emit("packetCreate", { type: "message", data });
    }
  }
}

/** Compiles only when `T` is assignable to `U`. */
type Satisfies<T extends U, U> = T;
// The session plays these internal roles; checked here rather than in an `implements`
// clause, whose internal members the published declarations leave out.
type _SessionRoles = Satisfies<
  EngineSession,
  PollingOwner & WebSocketOwner & Flushable & DeadlineNode
>;
