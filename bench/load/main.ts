/**
 * The load generator: a child process (pinned to its own core by the runner) holding
 * many simulated clients and driving them on the runner's commands over IPC. It only
 * counts and checks; the figures that matter are read from the server's process.
 *
 * @module
 */
import { Agent } from "node:http";
import { serveRpc } from "../rpc.js";
import { summarizeLatencies } from "../stats.js";
import type { BenchClient, ClientSink } from "./client.js";
import { PollingBenchClient } from "./polling-client.js";
import { encodeSeqEvent, sourceAddress } from "./protocol.js";
import { sumSequences, type SequenceReport } from "./sequence.js";
import { WsBenchClient } from "./ws-client.js";

const now = (): number => performance.now();
const wallClock = (): number => performance.timeOrigin + performance.now();

let clients: BenchClient[] = [];
let nextIndex = 0;
let payload = "";
let port = 0;
let transport: "websocket" | "polling" = "websocket";
const pollingAgent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

// Stream state: the armed event, its first sequence number, arrivals and when the last came.
let streamEvent = "";
let streamFirst = 0;
let streamArrivals = 0;
let streamTarget = 0;
let streamLastAt = 0;
let streamFirstAt = 0;
let streamDone: (() => void) | null = null;

// Echo state.
let echoMode: "off" | "max" | "rate" = "off";
let echoInflight = 0;
let echoAcks = 0;
let echoSent = 0;
let echoReordered = 0;
let echoMismatched = 0;
let latencies = new Float64Array(1 << 16);
let latencyCount = 0;
let recordLatency = false;
let rateTimer: NodeJS.Timeout | null = null;

// Join state.
let joinsPending = 0;
let joinsDone: (() => void) | null = null;
const JOIN_ACK_BASE = 1_000_000_000;

// Churn state.
let churnTimer: NodeJS.Timeout | null = null;
let churnStats = { closed: 0, opened: 0, failed: 0 };

// Clients closed by the server or the network rather than by the generator.
let unexpectedCloses = 0;
const unexpectedReasons: string[] = [];

function sendEcho(client: BenchClient): void {
  const id = client.nextAckId++;
  client.expectAck(id, now());
  echoSent++;
  client.send(encodeSeqEvent("echo", id, payload, id));
}

const sink: ClientSink = {
  onSeqEvent(client, name, seq) {
    if (name !== streamEvent) return;
    client.tracker.see(seq);
    streamLastAt = wallClock();
    if (streamArrivals++ === 0) streamFirstAt = streamLastAt;
    if (streamArrivals === streamTarget && streamDone) streamDone();
  },
  onAck(client, id, seq) {
    if (id >= JOIN_ACK_BASE) {
      if (--joinsPending === 0 && joinsDone) joinsDone();
      return;
    }
    const ids = client.pendingIds;
    let at: number;
    if (client.pendingHead < ids.length && ids[client.pendingHead] === id) {
      at = client.pendingTimes[client.pendingHead++]!;
    } else {
      const k = ids.indexOf(id, client.pendingHead);
      if (k < 0) {
        echoMismatched++;
        return;
      }
      echoReordered++;
      at = client.pendingTimes[k]!;
      ids.splice(k, 1);
      client.pendingTimes.splice(k, 1);
    }
    if (seq !== id) echoMismatched++;
    echoAcks++;
    if (recordLatency) {
      if (latencyCount === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[latencyCount++] = now() - at;
    }
    if (echoMode === "max" && client.pending < echoInflight) sendEcho(client);
  },
  onClose(_client, reason) {
    if (reason === null) return;
    unexpectedCloses++;
    if (unexpectedReasons.length < 5) unexpectedReasons.push(reason);
  },
};

async function openClient(timeoutMs: number, total: number): Promise<BenchClient> {
  const index = nextIndex++;
  if (transport === "polling") {
    const client = new PollingBenchClient(index, sink, {
      host: "127.0.0.1",
      port,
      agent: pollingAgent,
    });
    await client.open(timeoutMs);
    return client;
  }
  const client = new WsBenchClient(index, sink);
  const url = `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`;
  await client.open(url, sourceAddress(index, total), timeoutMs);
  return client;
}

interface ConnectArgs {
  port: number;
  count: number;
  concurrency: number;
  transport: "websocket" | "polling";
  payload: string;
  timeoutMs?: number;
}

/** Opens `count` more clients, `concurrency` at a time. */
async function connect(args: ConnectArgs) {
  port = args.port;
  transport = args.transport;
  payload = args.payload;
  const started = now();
  const total = clients.length + args.count;
  let remaining = args.count;
  let failed = 0;
  const errors: string[] = [];
  const worker = async (): Promise<void> => {
    while (remaining > 0) {
      remaining--;
      try {
        clients.push(await openClient(args.timeoutMs ?? 30_000, total));
      } catch (err) {
        failed++;
        if (errors.length < 5) errors.push((err as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(args.concurrency, args.count) }, worker));
  return {
    connected: args.count - failed,
    failed,
    errors,
    ms: now() - started,
    total: clients.length,
  };
}

/** Each client joins room `r<index % rooms>` and waits for its ack. */
async function join(args: { rooms: number; timeoutMs: number }) {
  const started = now();
  joinsPending = clients.length;
  const done = new Promise<void>((resolve) => (joinsDone = resolve));
  clients.forEach((client, i) => {
    client.send(`42${JOIN_ACK_BASE + i}["join","r${i % args.rooms}"]`);
  });
  await Promise.race([done, new Promise((r) => setTimeout(r, args.timeoutMs))]);
  joinsDone = null;
  return { missing: joinsPending, ms: now() - started };
}

/** Resets every client's tracker to expect `first` of `event` next. */
function arm(args: { event: string; first: number; count: number }) {
  streamEvent = args.event;
  streamFirst = args.first;
  streamArrivals = 0;
  streamLastAt = 0;
  streamFirstAt = 0;
  streamTarget = clients.length * args.count;
  for (const client of clients) client.tracker.reset(args.first);
  return { receivers: clients.length };
}

/**
 * Waits until every armed receiver got `count` numbers, or until nothing arrived for
 * `idleMs` (then what is missing is lost), and reports the delivery proof.
 */
async function awaitStream(args: { count: number; idleMs: number }) {
  if (streamArrivals < streamTarget) {
    await new Promise<void>((resolve) => {
      let seen = streamArrivals;
      const finish = (): void => {
        clearInterval(watch);
        streamDone = null;
        resolve();
      };
      const watch = setInterval(() => {
        if (streamArrivals === seen) finish();
        seen = streamArrivals;
      }, args.idleMs);
      streamDone = finish;
    });
  }
  const report: SequenceReport = sumSequences(
    clients.map((c) => c.tracker),
    args.count,
    streamFirst,
  );
  return {
    ...report,
    firstAt: streamFirstAt,
    lastAt: streamLastAt,
    unexpectedCloses,
    unexpectedReasons,
  };
}

/** Starts echoes: `max` keeps `inflight` per client outstanding, `rate` sends `rate` per second. */
function echoStart(args: { mode: "max" | "rate"; inflight?: number; rate?: number }) {
  echoMode = args.mode;
  echoAcks = 0;
  echoSent = 0;
  echoReordered = 0;
  echoMismatched = 0;
  latencyCount = 0;
  const live = clients.filter((c) => !c.closed);
  if (args.mode === "max") {
    echoInflight = args.inflight ?? 10;
    for (const client of live) for (let k = 0; k < echoInflight; k++) sendEcho(client);
  } else {
    const rate = args.rate ?? 5000;
    const started = now();
    let sent = 0;
    let next = 0;
    rateTimer = setInterval(() => {
      const due = Math.floor(((now() - started) * rate) / 1000) - sent;
      for (let k = 0; k < due; k++) {
        sendEcho(live[next]!);
        next = (next + 1) % live.length;
      }
      sent += due;
    }, 1);
  }
  return { clients: live.length };
}

/** A reading of the echo counters, for windows the runner brackets with CPU readings. */
function echoMark(args: { latency?: boolean }) {
  if (args?.latency !== undefined) {
    recordLatency = args.latency;
    latencyCount = 0;
  }
  return { acks: echoAcks, sent: echoSent, at: wallClock() };
}

/** Stops sending, waits up to `drainMs` for outstanding acks, and reports. */
async function echoStop(args: { drainMs: number }) {
  echoMode = "off";
  if (rateTimer) clearInterval(rateTimer);
  rateTimer = null;
  const pending = (): number => clients.reduce((sum, c) => sum + (c.closed ? 0 : c.pending), 0);
  const deadline = now() + args.drainMs;
  while (pending() > 0 && now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const latency = summarizeLatencies(latencies, latencyCount);
  recordLatency = false;
  return {
    acks: echoAcks,
    sent: echoSent,
    lost: pending(),
    reordered: echoReordered,
    mismatched: echoMismatched,
    latency,
  };
}

/**
 * Soak churn: every second, `perSecond` clients (the oldest) close and as many new ones
 * connect, so the count stays put while sessions come and go.
 */
function churnStart(args: { perSecond: number }) {
  churnStats = { closed: 0, opened: 0, failed: 0 };
  let busy = false;
  churnTimer = setInterval(() => {
    if (busy) return;
    busy = true;
    const leaving = clients.splice(0, args.perSecond);
    for (const client of leaving) client.close(false);
    churnStats.closed += leaving.length;
    void Promise.all(
      leaving.map(() =>
        openClient(30_000, clients.length + leaving.length).then(
          (client) => {
            client.tracker.reset();
            clients.push(client);
            churnStats.opened++;
          },
          () => churnStats.failed++,
        ),
      ),
    ).then(() => (busy = false));
  }, 1000);
  return {};
}

function churnStop() {
  if (churnTimer) clearInterval(churnTimer);
  churnTimer = null;
  return churnStats;
}

/** Closes every client (abruptly unless told otherwise) and forgets them. */
async function closeAll(args: { graceful?: boolean }) {
  const count = clients.length;
  for (const client of clients) client.close(!args?.graceful);
  clients = [];
  await new Promise((r) => setTimeout(r, 50));
  return { closed: count };
}

/** Totals of every tracker without an expected count: soak clients join mid-stream. */
function streamCheck() {
  let received = 0;
  let reordered = 0;
  let skipped = 0;
  for (const client of clients) {
    received += client.tracker.received;
    reordered += client.tracker.reordered;
    skipped += client.tracker.skipped;
  }
  return {
    receivers: clients.length,
    received,
    reordered,
    skipped,
    unexpectedCloses,
    unexpectedReasons,
  };
}

function stats() {
  const memory = process.memoryUsage();
  return { clients: clients.length, rss: memory.rss, heapUsed: memory.heapUsed };
}

serveRpc(
  {
    connect,
    join,
    arm,
    awaitStream,
    echoStart,
    echoMark,
    echoStop,
    churnStart,
    churnStop,
    closeAll,
    streamCheck,
    stats,
  },
  { pid: process.pid },
);
