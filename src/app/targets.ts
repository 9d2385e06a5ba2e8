/**
 * Who receives what the face sends: the current client, a room, a namespace, a sid
 * (with an acknowledgement), through the server or, for a write-only app, through the
 * message queue. Flask-SocketIO's rules: `emit` inside a handler goes to the sender
 * unless `to` or `broadcast` says otherwise; `socketio.emit` goes to the whole
 * namespace unless `to` says otherwise.
 *
 * @module
 * @internal
 */
import type { Room } from "../adapter/contract.js";
import type { RedisMessageQueue } from "../adapter/redis/url.js";
import { PushwireError } from "../errors.js";
import type { Server } from "../server/server.js";
import { selfIn, type AnySocket, type CallOptions, type HandlerContext } from "./context.js";
import { roomList, type EmitOptions } from "./options.js";

/** The namespace given, checked, or `/`. @internal */
export function namespaceOf(namespace: string | undefined): string {
  if (namespace === undefined) return "/";
  if (typeof namespace !== "string" || namespace[0] !== "/") {
    throw new PushwireError(
      "PW_ERR_APP_INVALID_OPTION",
      `a namespace starts with "/" (got ${String(namespace)})`,
    );
  }
  return namespace;
}

/** An acknowledgement's values as Flask-SocketIO returns them: none, one, or a list. */
function unpack(values: unknown[]): unknown {
  return values.length === 0 ? undefined : values.length === 1 ? values[0] : values;
}

/** Sends for the app. @internal */
export class Targets {
  readonly #server: Server;
  readonly #writeOnly: boolean;
  readonly #queue: () => RedisMessageQueue | null;
  readonly #ready: Promise<unknown>;
  readonly #log: () => ((line: string) => void) | null;

  constructor(
    server: Server,
    writeOnly: boolean,
    queue: () => RedisMessageQueue | null,
    ready: Promise<unknown>,
    log: () => ((line: string) => void) | null,
  ) {
    this.#server = server;
    this.#writeOnly = writeOnly;
    this.#queue = queue;
    this.#ready = ready;
    this.#log = log;
  }

  /**
   * Sends `event`: to the sender when `toSender` (a context `emit`) and nothing says
   * otherwise, else to the namespace or `to`.
   */
  emitTo(
    ctx: HandlerContext | null,
    toSender: boolean,
    event: string,
    data: unknown[],
    opts: EmitOptions,
  ): void {
    const namespace = namespaceOf(opts.namespace ?? (toSender ? ctx?.namespace : undefined));
    const to = opts.to ?? opts.room;
    if (this.#writeOnly) {
      this.#emitThroughQueue(namespace, to, event, data, opts);
      return;
    }
    const self = ctx === null ? undefined : selfIn(ctx, namespace);
    if (toSender && to === undefined && opts.broadcast !== true) {
      if (self !== undefined) this.#toSocket(ctx, self, event, data, opts.callback);
      return;
    }
    const nsp = this.#server._nsps.get(namespace);
    if (opts.callback !== undefined) {
      const list = roomList(to);
      if (list.length !== 1) {
        throw new PushwireError(
          "PW_ERR_APP_INVALID_OPTION",
          "a callback needs one recipient: give `to` a client's sid",
        );
      }
      const target = nsp?.sockets.get(list[0]!);
      if (target === undefined) {
        throw new PushwireError(
          "PW_ERR_APP_NO_SUCH_CLIENT",
          `no client ${list[0]} on ${namespace} (on this node)`,
        );
      }
      this.#toSocket(ctx, target, event, data, opts.callback);
      return;
    }
    if (nsp === undefined) return;
    const except = roomList(opts.skipSid).slice();
    if (opts.includeSelf === false && self !== undefined) except.push(self.id);
    const operator = to === undefined ? nsp.except(except) : nsp.to(to).except(except);
    (operator.emit as (ev: string, ...a: unknown[]) => boolean)(event, ...data);
    this.#log()?.(
      `emitting "${event}" to ${to === undefined ? "every client" : roomList(to).join(", ")} of ${namespace}`,
    );
    // The client whose connect handler is running is not in its namespace yet: its
    // copy goes with the other emits of that handler, before its CONNECT answer.
    if (
      ctx !== null &&
      ctx.connecting &&
      self === ctx.socket &&
      opts.includeSelf !== false &&
      !except.includes(self.id) &&
      (to === undefined || roomList(to).some((room) => self.rooms.has(room)))
    ) {
      ctx.pending.push({ event, args: data, callback: undefined });
    }
  }

  #toSocket(
    ctx: HandlerContext | null,
    socket: AnySocket,
    event: string,
    data: unknown[],
    callback: ((...args: unknown[]) => void) | undefined,
  ): void {
    if (ctx !== null && ctx.connecting && socket === ctx.socket) {
      ctx.pending.push({ event, args: data, callback });
      return;
    }
    const emit = socket.emit as (ev: string, ...a: unknown[]) => boolean;
    if (callback === undefined) emit.call(socket, event, ...data);
    else emit.call(socket, event, ...data, callback);
    this.#log()?.(`emitting "${event}" to ${socket.id} of ${socket.nsp.name}`);
  }

  #emitThroughQueue(
    namespace: string,
    to: Room | Room[] | undefined,
    event: string,
    data: unknown[],
    opts: EmitOptions,
  ): void {
    if (opts.callback !== undefined) {
      throw new PushwireError(
        "PW_ERR_APP_WRITE_ONLY",
        "a write-only SocketIO cannot receive acknowledgements (callback)",
      );
    }
    this.#withQueue((queue) => {
      const emitter = queue.emitter.of(namespace);
      const except = roomList(opts.skipSid);
      const base = to === undefined ? emitter : emitter.to(to);
      (except.length === 0 ? base : base.except(except)).emit(event, ...data);
    });
  }

  #withQueue(fn: (queue: RedisMessageQueue) => void): void {
    if (this.#queue() !== null) {
      fn(this.#queue()!);
      return;
    }
    this.#ready.then(
      () => fn(this.#queue()!),
      () => {},
    );
  }

  call(
    ctx: HandlerContext | null,
    event: string,
    data: unknown,
    opts: CallOptions,
  ): Promise<unknown> {
    if (this.#writeOnly) {
      return Promise.reject(
        new PushwireError("PW_ERR_APP_WRITE_ONLY", "a write-only SocketIO cannot call clients"),
      );
    }
    const namespace = namespaceOf(opts.namespace ?? ctx?.namespace);
    const self = ctx === null ? undefined : selfIn(ctx, namespace);
    const sid = opts.to ?? self?.id;
    if (sid === undefined) {
      return Promise.reject(
        new PushwireError(
          "PW_ERR_APP_INVALID_OPTION",
          "call() needs `to` (a client's sid) outside a handler",
        ),
      );
    }
    if (ctx !== null && ctx.connecting && sid === ctx.socket.id) {
      return Promise.reject(
        new PushwireError(
          "PW_ERR_APP_INVALID_OPTION",
          "the connecting client cannot answer before its connect handler returns",
        ),
      );
    }
    const timeout = opts.timeout ?? 60_000;
    const args = data === undefined ? [] : [data];
    const nsp = this.#server._nsps.get(namespace);
    const socket = nsp?.sockets.get(sid);
    if (socket !== undefined) {
      return new Promise((resolve, reject) => {
        const emit = socket.timeout(timeout).emit as (ev: string, ...a: unknown[]) => boolean;
        emit.call(socket, event, ...args, (err: Error | null, ...values: unknown[]) =>
          err ? reject(err) : resolve(unpack(values)),
        );
      });
    }
    const noClient = new PushwireError(
      "PW_ERR_APP_NO_SUCH_CLIENT",
      `no client ${sid} on ${namespace}`,
    );
    if (nsp === undefined) return Promise.reject(noClient);
    // On another node of the cluster, if anywhere.
    const operator = nsp.to(sid).timeout(timeout) as unknown as {
      emitWithAck(ev: string, ...a: unknown[]): Promise<unknown[]>;
    };
    return operator.emitWithAck(event, ...args).then((responses) => {
      if (responses.length === 0) throw noClient;
      return responses[0];
    });
  }

  /** Empties `room` of `namespace` (across the cluster). */
  closeRoom(room: Room, namespace: string): void {
    if (this.#writeOnly) {
      this.#withQueue((queue) => queue.emitter.of(namespace).in(room).socketsLeave(room));
      return;
    }
    this.#server._nsps.get(namespace)?.in(room).socketsLeave(room);
  }
}
