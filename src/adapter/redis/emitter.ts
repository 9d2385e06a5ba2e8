/**
 * The emitter: pushes to the clients of a pushwire (or socket.io) cluster from any
 * process that can reach its Redis, without being a server. Its messages are
 * byte-for-byte those of `@socket.io/redis-emitter`.
 *
 * @module
 */
import { PushwireError } from "../../errors.js";
import { hasBinary, PacketType, RESERVED_EVENTS } from "../../protocol/index.js";
import { encodeMsgpack } from "./codec.js";
import { channelsOf, RequestType, type Channels } from "./format.js";

/**
 * What the emitter needs of a Redis client: `publish`. A node-redis client (v4, v5) or
 * an ioredis client fits.
 */
export interface PublishClient {
  publish(channel: string, message: string | Buffer): unknown;
}

/** Options of {@link Emitter}. */
export interface EmitterOptions {
  /** Channel prefix; must match the servers' adapter `key`. Default `socket.io`. */
  key?: string;
  /**
   * Called when a publish fails (Redis unreachable, client closed). Default: a warning
   * on the console. Publishing never throws for such failures.
   */
  onError?: (err: Error) => void;
}

/** The uid socket.io's emitter signs its messages with; servers never use it. */
const EMITTER_UID = "emitter";

interface Target {
  readonly client: PublishClient;
  readonly nsp: string;
  readonly channels: Channels;
  readonly onError: (err: Error) => void;
}

function publish(target: Target, channel: string, payload: string | Buffer): void {
  try {
    const result = target.client.publish(channel, payload);
    if (result && typeof (result as Promise<unknown>).then === "function") {
      (result as Promise<unknown>).then(undefined, (err: unknown) =>
        target.onError(err instanceof Error ? err : new Error(String(err))),
      );
    }
  } catch (err) {
    target.onError(err instanceof Error ? err : new Error(String(err)));
  }
}

function defaultOnError(err: Error): void {
  console.warn(`pushwire/redis emitter: publish failed: ${err.message}`);
}

function toList(room: string | readonly string[]): readonly string[] {
  return typeof room === "string" ? [room] : room;
}

/**
 * Emits to the clients of a cluster through Redis.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * import { Emitter } from "pushwire/redis";
 *
 * const client = createClient({ url: "redis://127.0.0.1:6379" });
 * await client.connect();
 * const emitter = new Emitter(client);
 * emitter.to("room42").emit("news", { title: "hello" });
 * emitter.of("/admin").socketsJoin("audit");
 * ```
 */
export class Emitter {
  readonly #target: Target;
  readonly #opts: EmitterOptions;

  constructor(client: PublishClient, opts: EmitterOptions = {}, nsp = "/") {
    this.#opts = opts;
    this.#target = {
      client,
      nsp,
      channels: channelsOf(opts.key ?? "socket.io", nsp),
      onError: opts.onError ?? defaultOnError,
    };
  }

  /**
   * An emitter for another namespace.
   *
   * @example
   * ```ts
   * emitter.of("/admin").emit("alert", "disk full");
   * ```
   */
  of(nsp: string): Emitter {
    return new Emitter(this.#target.client, this.#opts, nsp.startsWith("/") ? nsp : `/${nsp}`);
  }

  #operator(): EmitterBroadcast {
    return new EmitterBroadcast(this.#target, [], [], {});
  }

  /**
   * Emits an event to every client of the namespace, on every node.
   *
   * @example
   * ```ts
   * emitter.emit("tick", Date.now());
   * ```
   */
  emit(ev: string, ...args: unknown[]): true {
    return this.#operator().emit(ev, ...args);
  }

  /**
   * Targets a room (or several) for the next emit.
   *
   * @example
   * ```ts
   * emitter.to(["a", "b"]).emit("hello");
   * ```
   */
  to(room: string | readonly string[]): EmitterBroadcast {
    return this.#operator().to(room);
  }

  /** Same as {@link Emitter.to}. @example `emitter.in("room1").emit("hi")` */
  in(room: string | readonly string[]): EmitterBroadcast {
    return this.#operator().to(room);
  }

  /** Excludes a room (or several). @example `emitter.except("muted").emit("hi")` */
  except(room: string | readonly string[]): EmitterBroadcast {
    return this.#operator().except(room);
  }

  /** Marks the next emit volatile. @example `emitter.volatile.emit("pos", x, y)` */
  get volatile(): EmitterBroadcast {
    return this.#operator().volatile;
  }

  /** Sets the compress flag. @example `emitter.compress(false).emit("raw", data)` */
  compress(compress: boolean): EmitterBroadcast {
    return this.#operator().compress(compress);
  }

  /** Makes every socket of the namespace join rooms. @example `emitter.socketsJoin("all")` */
  socketsJoin(rooms: string | readonly string[]): void {
    this.#operator().socketsJoin(rooms);
  }

  /** Makes every socket leave rooms. @example `emitter.socketsLeave("lobby")` */
  socketsLeave(rooms: string | readonly string[]): void {
    this.#operator().socketsLeave(rooms);
  }

  /**
   * Disconnects every socket of the namespace; `close` also closes their connections.
   *
   * @example
   * ```ts
   * emitter.in("banned").disconnectSockets(true);
   * ```
   */
  disconnectSockets(close = false): void {
    this.#operator().disconnectSockets(close);
  }

  /**
   * Emits an event to the servers of the cluster (their `io.on(ev)` listeners, as
   * `serverSideEmit` does). Acknowledgements are not supported: an emitter is no node.
   *
   * @throws PushwireError `PW_ERR_REDIS_ACK_UNSUPPORTED` when the last argument is a function.
   * @example
   * ```ts
   * emitter.serverSideEmit("reload-config", { version: 7 });
   * ```
   */
  serverSideEmit(ev: string, ...args: unknown[]): void {
    if (typeof args[args.length - 1] === "function") {
      throw new PushwireError("PW_ERR_REDIS_ACK_UNSUPPORTED");
    }
    const request = { uid: EMITTER_UID, type: RequestType.SERVER_SIDE_EMIT, data: [ev, ...args] };
    // JSON as theirs does; msgpack when there is binary, which JSON would mangle.
    const payload = hasBinary(request.data) ? encodeMsgpack(request) : JSON.stringify(request);
    publish(this.#target, this.#target.channels.request, payload);
  }
}

/**
 * A targeted emit in the making: rooms, exceptions and flags. Immutable: each call
 * returns a new operator.
 *
 * @example
 * ```ts
 * emitter.to("room1").except("room2").volatile.emit("hello");
 * ```
 */
export class EmitterBroadcast {
  readonly #target: Target;
  readonly #rooms: readonly string[];
  readonly #except: readonly string[];
  readonly #flags: Readonly<Record<string, boolean>>;

  /** @internal */
  constructor(
    target: Target,
    rooms: readonly string[],
    except: readonly string[],
    flags: Readonly<Record<string, boolean>>,
  ) {
    this.#target = target;
    this.#rooms = rooms;
    this.#except = except;
    this.#flags = flags;
  }

  /** Adds rooms to target. @example `emitter.to("a").to("b").emit("x")` */
  to(room: string | readonly string[]): EmitterBroadcast {
    const rooms = new Set(this.#rooms);
    for (const r of toList(room)) rooms.add(r);
    return new EmitterBroadcast(this.#target, [...rooms], this.#except, this.#flags);
  }

  /** Same as {@link EmitterBroadcast.to}. @example `emitter.in("a").emit("x")` */
  in(room: string | readonly string[]): EmitterBroadcast {
    return this.to(room);
  }

  /** Adds rooms to exclude. @example `emitter.to("a").except("b").emit("x")` */
  except(room: string | readonly string[]): EmitterBroadcast {
    const except = new Set(this.#except);
    for (const r of toList(room)) except.add(r);
    return new EmitterBroadcast(this.#target, this.#rooms, [...except], this.#flags);
  }

  /** Marks the emit volatile. @example `emitter.to("a").volatile.emit("x")` */
  get volatile(): EmitterBroadcast {
    return new EmitterBroadcast(this.#target, this.#rooms, this.#except, {
      ...this.#flags,
      volatile: true,
    });
  }

  /** Sets the compress flag. @example `emitter.to("a").compress(false).emit("x")` */
  compress(compress: boolean): EmitterBroadcast {
    return new EmitterBroadcast(this.#target, this.#rooms, this.#except, {
      ...this.#flags,
      compress,
    });
  }

  /**
   * Emits the event to the targeted clients of every node. Always returns `true`.
   *
   * @throws PushwireError `PW_ERR_REDIS_RESERVED_EVENT` for a reserved event name.
   * @example
   * ```ts
   * emitter.to("room1").emit("news", "hello");
   * ```
   */
  emit(ev: string, ...args: unknown[]): true {
    if (RESERVED_EVENTS.has(ev)) {
      throw new PushwireError("PW_ERR_REDIS_RESERVED_EVENT", `"${ev}" is a reserved event name`);
    }
    const { channels, nsp } = this.#target;
    const packet = { type: PacketType.EVENT, data: [ev, ...args], nsp };
    const opts = { rooms: this.#rooms, flags: this.#flags, except: this.#except };
    const channel =
      this.#rooms.length === 1 ? `${channels.broadcast}${this.#rooms[0]}#` : channels.broadcast;
    publish(this.#target, channel, encodeMsgpack([EMITTER_UID, packet, opts]));
    return true;
  }

  #request(type: number, extra: Record<string, unknown>): void {
    const request = {
      type,
      opts: { rooms: this.#rooms, except: this.#except },
      ...extra,
    };
    publish(this.#target, this.#target.channels.request, JSON.stringify(request));
  }

  /** Makes the targeted sockets join rooms. @example `emitter.in("a").socketsJoin("b")` */
  socketsJoin(rooms: string | readonly string[]): void {
    this.#request(RequestType.REMOTE_JOIN, { rooms: toList(rooms) });
  }

  /** Makes the targeted sockets leave rooms. @example `emitter.in("a").socketsLeave("b")` */
  socketsLeave(rooms: string | readonly string[]): void {
    this.#request(RequestType.REMOTE_LEAVE, { rooms: toList(rooms) });
  }

  /**
   * Disconnects the targeted sockets.
   *
   * @example
   * ```ts
   * emitter.in("banned").disconnectSockets(true);
   * ```
   */
  disconnectSockets(close = false): void {
    this.#request(RequestType.REMOTE_DISCONNECT, { close });
  }
}
