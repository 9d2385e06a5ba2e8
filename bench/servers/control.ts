/**
 * What every benchmarked server answers on the control channel, whatever it is built on:
 * memory after a full GC, active handles, its client count, and the broadcasts the
 * scenarios trigger. Broadcasts are started here, inside the server process, so that the
 * load generator only receives and the server's CPU covers only the server's work.
 *
 * @module
 */
import { serveRpc } from "../rpc.js";

/** The operations a benchmarked server implements in its own terms. */
export interface BenchTarget {
  /** Connected Socket.IO clients on `/`. */
  clients(): number;
  /** Emits `event` with (seq, payload) to every client of `/`. */
  broadcast(event: string, seq: number, payload: string): void;
  /** Emits `event` with (seq, payload) to the clients in `room`. */
  roomBroadcast(room: string, event: string, seq: number, payload: string): void;
}

/** Arguments of the `broadcast` command. */
export interface BroadcastArgs {
  event: string;
  first: number;
  count: number;
  /** Broadcasts per event-loop turn; the rest follow after `setImmediate`. */
  perTurn: number;
  payload: string;
  /** When set, round r goes to each of these rooms in turn, with seq = first + r. */
  rooms?: string[];
  /** When set, turns are this many ms apart instead of back to back (`setImmediate`). */
  intervalMs?: number;
}

/** The memory figures the runner reads (bytes), after `global.gc()` when asked. */
export interface ServerStats {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** `process.getActiveResourcesInfo()` by kind (TCPSocketWrap, Timeout, …). */
  handles: Record<string, number>;
  handleCount: number;
  clients: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

function stats(target: BenchTarget, collect: boolean): ServerStats {
  if (collect && gc) {
    // Two passes: the first may only queue finalizers that free more on the second.
    gc();
    gc();
  }
  const memory = process.memoryUsage();
  const handles: Record<string, number> = {};
  const resources = process.getActiveResourcesInfo();
  for (const kind of resources) handles[kind] = (handles[kind] ?? 0) + 1;
  return {
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    heapTotal: memory.heapTotal,
    external: memory.external,
    arrayBuffers: memory.arrayBuffers,
    handles,
    handleCount: resources.length,
    clients: target.clients(),
  };
}

function broadcast(target: BenchTarget, args: BroadcastArgs): Promise<{ emitted: number }> {
  const { event, first, count, payload, rooms } = args;
  const perTurn = Math.max(1, args.perTurn);
  const end = first + count;
  let seq = first;
  let emitted = 0;
  return new Promise((resolve) => {
    const turn = (): void => {
      const stop = Math.min(end, seq + perTurn);
      for (; seq < stop; seq++) {
        if (rooms) {
          for (const room of rooms) target.roomBroadcast(room, event, seq, payload);
          emitted += rooms.length;
        } else {
          target.broadcast(event, seq, payload);
          emitted++;
        }
      }
      if (seq >= end) resolve({ emitted });
      else if (args.intervalMs) setTimeout(turn, args.intervalMs);
      else setImmediate(turn);
    };
    turn();
  });
}

/** Serves the control channel for `target`, then tells the runner the port. */
export function serveControl(target: BenchTarget, port: number, name: string): void {
  if (!gc) console.error(`${name}: started without --expose-gc; heap figures include garbage`);
  // A normal exit on the runner's SIGTERM, so that --cpu-prof and --heap-prof write their files.
  process.once("SIGTERM", () => process.exit(0));
  serveRpc(
    {
      stats: (args: { gc?: boolean }) => stats(target, args?.gc !== false),
      broadcast: (args: BroadcastArgs) => broadcast(target, args),
    },
    { port, pid: process.pid, name },
  );
}
