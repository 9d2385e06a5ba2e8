/**
 * Dynamic namespaces: `io.of(/^\/room-\d+$/)` or `io.of((name, auth, next) => ...)`
 * returns a parent namespace; each accepted name becomes a child `Namespace` with the
 * parent's middlewares and connection listeners. A broadcast on the parent reaches
 * every child.
 *
 * @module
 */
import { Adapter } from "../adapter/adapter.js";
import type { BroadcastOptions } from "../adapter/contract.js";
import { PushwireError } from "../errors.js";
import type { Packet } from "../protocol/index.js";
import type { RemoteSocket } from "./broadcast-operator.js";
import type { ServerContext } from "./context.js";
import { Namespace } from "./namespace.js";
import type {
  DefaultEventsMap,
  EventNames,
  EventParams,
  EventsMap,
  RemoveAcknowledgements,
} from "./typed-events.js";

/* eslint-disable @typescript-eslint/no-explicit-any -- socket.io's public types use `any` for untyped data */

/** What a parent namespace needs of the server. Its members are internal. */
export interface ParentServer extends ServerContext {
  /** @internal */
  readonly _nsps: Map<string, Namespace<any, any, any, any>>;
  /** The main namespace. */
  readonly sockets: Namespace<any, any, any, any>;
}

/** Forwards a parent's broadcasts to each child's adapter. */
class ParentBroadcastAdapter extends Adapter {
  constructor(private readonly parent: ParentNamespace<any, any, any, any>) {
    super(parent);
  }

  override broadcast(packet: Packet, opts: BroadcastOptions): void {
    for (const child of this.parent.children) {
      // Each child stamps its name (and maybe a recovery offset): give each a copy.
      const data = Array.isArray(packet.data) ? [...(packet.data as unknown[])] : packet.data;
      child.adapter.broadcast({ ...packet, data }, opts);
    }
  }
}

/**
 * The namespace `io.of(regex | fn)` returns.
 *
 * @example
 * ```ts
 * const rooms = io.of(/^\/room-\d+$/);
 * rooms.on("connection", (socket) => socket.emit("in", socket.nsp.name));
 * rooms.emit("everyone in every room");
 * ```
 */
export class ParentNamespace<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  SocketData = any,
> extends Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
  static #count = 0;
  /** The child namespaces created so far. */
  readonly children = new Set<Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>();
  readonly #server: ParentServer;

  /** @internal */
  constructor(server: ParentServer) {
    super(server, "/_" + ParentNamespace.#count++);
    this.#server = server;
  }

  /** @internal */
  override _initAdapter(): void {
    this.adapter = new ParentBroadcastAdapter(this);
  }

  /** Sends an event to every socket of every child namespace. */
  override emit<Ev extends EventNames<RemoveAcknowledgements<EmitEvents>>>(
    ev: Ev,
    ...args: EventParams<RemoveAcknowledgements<EmitEvents>, Ev>
  ): boolean {
    for (const child of this.children) {
      (child.emit as (ev: unknown, ...a: unknown[]) => boolean)(ev, ...(args as unknown[]));
    }
    return true;
  }

  /**
   * Creates the child namespace `name`. @internal
   */
  createChild(name: string): Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
    const server = this.#server;
    const child = new Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>(
      server,
      name,
    );
    for (const fn of this._fns) child.use(fn as Parameters<typeof child.use>[0]);
    for (const listener of this.listeners("connect")) child.on("connect", listener);
    for (const listener of this.listeners("connection")) child.on("connection", listener);
    this.children.add(child);
    if (server._opts.cleanupEmptyChildNamespaces) {
      child._onEmpty = (nsp) => {
        if (server._nsps.get(nsp.name) !== nsp) return;
        server._nsps.delete(nsp.name);
        this.children.delete(nsp);
        nsp.adapter.close().then(undefined, () => {});
      };
    }
    server._nsps.set(name, child);
    server.sockets._emitNewNamespace(child);
    return child;
  }

  /** Not supported: the children differ from node to node. */
  override fetchSockets(): Promise<RemoteSocket<EmitEvents, SocketData>[]> {
    throw new PushwireError(
      "PW_ERR_SERVER_UNSUPPORTED",
      "fetchSockets() is not supported on parent namespaces",
    );
  }
}
