/**
 * The scenarios. Each starts a fresh server (core 0) and a fresh load generator (core 1),
 * drives them over the control channel, brackets its measured windows with readings of
 * the server's `/proc/PID/stat`, and returns flat figures (`scenario.name`).
 *
 * @module
 */
import type { Scale, ScenarioKey } from "./config.js";
import { BenchChild, coreBusyTicks, type Pinning } from "./proc.js";
import type { Figures } from "./report.js";
import type { ServerStats } from "./servers/control.js";
import { ticksToMicros } from "./stats.js";

/** A server the runner can start. */
export interface ServerSpec {
  key: string;
  label: string;
  /** The bundle to run, or why there is none. */
  file: string | null;
  missing?: string;
  args: string[];
  /** Whether it serves HTTP long-polling. */
  polling: boolean;
}

/** What every scenario needs besides the server. */
export interface Context {
  scale: Scale;
  clockTicks: number;
  pinning: Pinning;
  loadFile: string;
  /** 64 ASCII bytes that need no JSON escaping. */
  payload: string;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const wallClock = (): number => performance.timeOrigin + performance.now();
const MiB = 1024 * 1024;

interface ConnectResult {
  connected: number;
  failed: number;
  errors: string[];
  ms: number;
}

interface StreamResult {
  expected: number;
  received: number;
  reordered: number;
  lost: number;
  lastAt: number;
}

interface EchoMark {
  acks: number;
  at: number;
}

interface EchoResult {
  acks: number;
  lost: number;
  reordered: number;
  mismatched: number;
  latency: { n: number; p50: number; p99: number; max: number };
}

async function withProcesses(
  server: ServerSpec,
  ctx: Context,
  body: (srv: BenchChild, load: BenchChild, port: number) => Promise<Figures>,
): Promise<Figures> {
  const srv = await BenchChild.start({
    name: server.label,
    file: server.file!,
    args: server.args,
    // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the servers.
    nodeArgs: ["--expose-gc", ...(process.env.BENCH_SERVER_NODE_ARGS?.split(" ") ?? [])],
    cpu: ctx.pinning.server,
    env: { BENCH_SERVER_NAME: server.label },
  });
  let load: BenchChild | undefined;
  try {
    load = await BenchChild.start({
      name: "load generator",
      file: ctx.loadFile,
      cpu: ctx.pinning.load,
    });
    return await body(srv, load, srv.info.port as number);
  } finally {
    await Promise.all([srv.stop(), load?.stop()]);
  }
}

async function connect(
  load: BenchChild,
  port: number,
  ctx: Context,
  count: number,
  transport: "websocket" | "polling" = "websocket",
  concurrency = 50,
): Promise<ConnectResult> {
  const result = await load.call<ConnectResult>(
    "connect",
    { port, count, concurrency, transport, payload: ctx.payload },
    300_000,
  );
  if (result.failed > 0) {
    throw new Error(`${result.failed} of ${count} connections failed: ${result.errors.join("; ")}`);
  }
  return result;
}

/** Arms the receivers, has the server broadcast, and waits for every delivery. */
async function stream(
  srv: BenchChild,
  load: BenchChild,
  ctx: Context,
  options: { event: string; first: number; count: number; perTurn: number; rooms?: string[] },
): Promise<StreamResult & { startedAt: number }> {
  await load.call("arm", { event: options.event, first: options.first, count: options.count });
  const startedAt = wallClock();
  await srv.call("broadcast", { ...options, payload: ctx.payload }, 600_000);
  const result = await load.call<StreamResult>(
    "awaitStream",
    { count: options.count, idleMs: 5000 },
    900_000,
  );
  return { ...result, startedAt };
}

/** What a measured window says about the server's CPU. */
interface Measured {
  /** Server CPU (utime + stime) in microseconds. */
  micros: number;
  ticks: number;
  /** Share of the server's core that other processes used during the window (%). */
  otherPct: number;
}

/**
 * Opens a measured window on the server: `/proc/PID/stat` now and when the returned
 * function is called, and the busy time of the server's core, so that load from other
 * processes on a shared machine shows up next to the figures instead of inside them.
 */
function openWindow(srv: BenchChild, ctx: Context): () => Measured {
  const core = ctx.pinning.server;
  const t0 = performance.now();
  const cpu0 = srv.cpuTicks();
  const busy0 = core ? coreBusyTicks(core) : Number.NaN;
  return () => {
    const cpu1 = srv.cpuTicks();
    const busy1 = core ? coreBusyTicks(core) : Number.NaN;
    const wallTicks = ((performance.now() - t0) / 1000) * ctx.clockTicks;
    const others = Math.max(0, busy1 - busy0 - (cpu1 - cpu0));
    return {
      micros: ticksToMicros(cpu1 - cpu0, ctx.clockTicks),
      ticks: cpu1 - cpu0,
      otherPct: (others / wallTicks) * 100,
    };
  };
}

/**
 * The resolution of the window behind a scenario's main CPU figure, and the most that
 * other processes took of the server's core in any of its windows.
 */
function windowFigures(scenario: string, main: Measured, ...others: Measured[]): Figures {
  return {
    [`${scenario}.minTicks`]: main.ticks,
    [`${scenario}.otherCpuPct`]: Math.max(main.otherPct, ...others.map((w) => w.otherPct)),
  };
}

/** Broadcast fan-out: every client gets every broadcast, in order; CPU per delivery. */
function broadcast(server: ServerSpec, ctx: Context): Promise<Figures> {
  const s = ctx.scale.broadcast;
  return withProcesses(server, ctx, async (srv, load, port) => {
    await connect(load, port, ctx, s.clients);
    // Warm-up so that both sides' JIT is done before the window.
    await stream(srv, load, ctx, { event: "b", first: 0, count: 20, perTurn: 20 });
    await srv.call("stats", { gc: true });
    const stopSampler = srv.samplePeak(10, srv.resetPeak());
    const window = openWindow(srv, ctx);
    const r = await stream(srv, load, ctx, {
      event: "b",
      first: 1000,
      count: s.count,
      perTurn: s.perTurn,
    });
    await sleep(100);
    const w = window();
    const peakKb = stopSampler();
    return {
      ...windowFigures("broadcast", w),
      "broadcast.cpuPerDeliveryUs": w.micros / r.expected,
      "broadcast.deliveriesPerSec": r.received / ((r.lastAt - r.startedAt) / 1000),
      "broadcast.peakRssMiB": peakKb / 1024,
      "broadcast.lost": r.lost,
      "broadcast.reordered": r.reordered,
    };
  });
}

/** Echo with ack: at max throughput (CPU per ack), then at a fixed rate (latency). */
function echo(server: ServerSpec, ctx: Context): Promise<Figures> {
  const s = ctx.scale.echo;
  return withProcesses(server, ctx, async (srv, load, port) => {
    await connect(load, port, ctx, s.clients);
    await load.call("echoStart", { mode: "max", inflight: s.inflight });
    await sleep(s.warmupMs);
    const m0 = await load.call<EchoMark>("echoMark");
    const maxWindow = openWindow(srv, ctx);
    await sleep(s.windowMs);
    const w1 = maxWindow();
    const m1 = await load.call<EchoMark>("echoMark");
    const max = await load.call<EchoResult>("echoStop", { drainMs: 10_000 });

    await load.call("echoStart", { mode: "rate", rate: s.rate });
    await sleep(s.warmupMs);
    const r0 = await load.call<EchoMark>("echoMark", { latency: true });
    const rateWindow = openWindow(srv, ctx);
    await sleep(s.rateWindowMs);
    const w2 = rateWindow();
    const r1 = await load.call<EchoMark>("echoMark");
    const rate = await load.call<EchoResult>("echoStop", { drainMs: 10_000 });
    return {
      ...windowFigures("echo", w1, w2),
      "echo.cpuPerAckUs": w1.micros / (m1.acks - m0.acks),
      "echo.acksPerSec": (m1.acks - m0.acks) / ((m1.at - m0.at) / 1000),
      "echo.rateP50Ms": rate.latency.p50,
      "echo.rateP99Ms": rate.latency.p99,
      "echo.rateCpuPerAckUs": w2.micros / (r1.acks - r0.acks),
      "echo.rateAcksPerSec": (r1.acks - r0.acks) / ((r1.at - r0.at) / 1000),
      "echo.lost": max.lost + rate.lost,
      "echo.reordered": max.reordered + rate.reordered + max.mismatched + rate.mismatched,
    };
  });
}

/** Idle connections (memory and set-up cost per connection), then the same sockets in rooms. */
function idle(server: ServerSpec, ctx: Context): Promise<Figures> {
  const s = ctx.scale.idle;
  return withProcesses(server, ctx, async (srv, load, port) => {
    // Warm-up: code paths that load or compile lazily do so before the baseline.
    await connect(load, port, ctx, 50);
    await load.call("closeAll");
    await waitForClients(srv, 0);
    const before = await srv.call<ServerStats>("stats", { gc: true });
    const setupWindow = openWindow(srv, ctx);
    const t0 = wallClock();
    const c = await connect(load, port, ctx, s.connections, "websocket", s.concurrency);
    const t1 = wallClock();
    const w1 = setupWindow();
    await sleep(500);
    const after = await srv.call<ServerStats>("stats", { gc: true });
    const n = c.connected;
    if (after.clients !== n)
      throw new Error(`server counts ${after.clients} clients, expected ${n}`);

    const joined = await load.call<{ missing: number }>("join", {
      rooms: s.rooms,
      timeoutMs: 60_000,
    });
    if (joined.missing > 0) throw new Error(`${joined.missing} joins were not acknowledged`);
    const rooms = Array.from({ length: s.rooms }, (_, i) => `r${i}`);
    await stream(srv, load, ctx, { event: "r", first: 0, count: 1, perTurn: 1, rooms });
    const roomsWindow = openWindow(srv, ctx);
    const r = await stream(srv, load, ctx, {
      event: "r",
      first: 100,
      count: s.rounds,
      perTurn: s.rounds,
      rooms,
    });
    await sleep(100);
    const w2 = roomsWindow();
    return {
      ...windowFigures("idle", w1),
      ...windowFigures("rooms", w2),
      "idle.rssPerConnKB": (after.rss - before.rss) / n / 1024,
      "idle.heapPerConnKB": (after.heapUsed - before.heapUsed) / n / 1024,
      "idle.setupCpuUs": w1.micros / n,
      "idle.setupPerSec": n / ((t1 - t0) / 1000),
      "idle.connections": n,
      "idle.serverClients": after.clients,
      "rooms.cpuPerDeliveryUs": w2.micros / r.expected,
      "rooms.deliveriesPerSec": r.received / ((r.lastAt - r.startedAt) / 1000),
      "rooms.lost": r.lost,
      "rooms.reordered": r.reordered,
    };
  });
}

/** Waits until the server counts `count` clients (disconnects are noticed asynchronously). */
async function waitForClients(srv: BenchChild, count: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stats = await srv.call<ServerStats>("stats", { gc: false });
    if (stats.clients === count) return;
    if (Date.now() > deadline)
      throw new Error(`server still has ${stats.clients} clients, expected ${count}`);
    await sleep(100);
  }
}

/** Echo with ack over HTTP long-polling at max throughput. */
function polling(server: ServerSpec, ctx: Context): Promise<Figures> {
  const s = ctx.scale.polling;
  return withProcesses(server, ctx, async (srv, load, port) => {
    await connect(load, port, ctx, s.clients, "polling", 10);
    await load.call("echoStart", { mode: "max", inflight: s.inflight });
    await sleep(s.warmupMs);
    const m0 = await load.call<EchoMark>("echoMark", { latency: true });
    const window = openWindow(srv, ctx);
    await sleep(s.windowMs);
    const w = window();
    const m1 = await load.call<EchoMark>("echoMark");
    const result = await load.call<EchoResult>("echoStop", { drainMs: 10_000 });
    return {
      ...windowFigures("polling", w),
      "polling.acksPerSec": (m1.acks - m0.acks) / ((m1.at - m0.at) / 1000),
      "polling.cpuPerAckUs": w.micros / (m1.acks - m0.acks),
      "polling.p50Ms": result.latency.p50,
      "polling.p99Ms": result.latency.p99,
      "polling.lost": result.lost,
      "polling.reordered": result.reordered + result.mismatched,
    };
  });
}

interface SoakCycle {
  loadedStart: ServerStats;
  loadedEnd: ServerStats;
  after: ServerStats;
  churn: { closed: number; opened: number; failed: number };
  check: { reordered: number; skipped: number; unexpectedCloses: number };
}

/**
 * One soak cycle: connect, hold with churn and a broadcast a second, then everyone leaves
 * gracefully and the server is measured once it counts no client.
 */
async function soakCycle(
  srv: BenchChild,
  load: BenchChild,
  port: number,
  ctx: Context,
  size: { connections: number; seconds: number; churnPerSecond: number; first: number },
  log: ((line: string) => void) | null,
): Promise<SoakCycle> {
  await connect(load, port, ctx, size.connections, "websocket", 100);
  const loadedStart = await srv.call<ServerStats>("stats", { gc: true });
  await load.call("arm", { event: "s", first: size.first, count: size.seconds });
  await load.call("churnStart", { perSecond: size.churnPerSecond });
  const ticks = srv.call(
    "broadcast",
    {
      event: "s",
      first: size.first,
      count: size.seconds,
      perTurn: 1,
      intervalMs: 1000,
      payload: ctx.payload,
    },
    (size.seconds + 60) * 1000,
  );
  const started = Date.now();
  const timer = setInterval(() => {
    void srv
      .call<ServerStats>("stats", { gc: false })
      .then((st) =>
        log?.(
          `  soak ${Math.round((Date.now() - started) / 1000)} s: ${st.clients} clients, ` +
            `RSS ${(st.rss / MiB).toFixed(0)} MiB, heap ${(st.heapUsed / MiB).toFixed(0)} MiB, ${st.handleCount} handles`,
        ),
      );
  }, ctx.scale.soak.sampleSeconds * 1000);
  try {
    await ticks;
  } finally {
    clearInterval(timer);
  }
  const churn = await load.call<SoakCycle["churn"]>("churnStop");
  await sleep(2000); // let the last round of reconnects finish
  const check = await load.call<SoakCycle["check"]>("streamCheck");
  const loadedEnd = await srv.call<ServerStats>("stats", { gc: true });
  await load.call("closeAll", { graceful: true });
  await waitForClients(srv, 0, 60_000);
  await sleep(2000);
  const after = await srv.call<ServerStats>("stats", { gc: true });
  return { loadedStart, loadedEnd, after, churn, check };
}

/**
 * Soak: connections held with churn and a broadcast a second; memory and
 * handles must come back once everyone has left. The baseline is taken after a small
 * cycle of the same shape, so that code compiled and pools sized on first use count as
 * baseline rather than growth.
 */
function soak(server: ServerSpec, ctx: Context, log: (line: string) => void): Promise<Figures> {
  const s = ctx.scale.soak;
  return withProcesses(server, ctx, async (srv, load, port) => {
    const warm = await soakCycle(
      srv,
      load,
      port,
      ctx,
      { connections: 1000, seconds: 5, churnPerSecond: s.churnPerSecond, first: 0 },
      null,
    );
    const before = warm.after;
    const run = await soakCycle(
      srv,
      load,
      port,
      ctx,
      {
        connections: s.connections,
        seconds: s.seconds,
        churnPerSecond: s.churnPerSecond,
        first: 1000,
      },
      log,
    );
    const { loadedStart, loadedEnd, after, churn, check } = run;
    if (after.handleCount !== before.handleCount) {
      log(
        `  ${server.label} handles before ${JSON.stringify(before.handles)}, after ${JSON.stringify(after.handles)}`,
      );
    }
    return {
      "soak.rssBeforeMiB": before.rss / MiB,
      "soak.rssLoadedStartMiB": loadedStart.rss / MiB,
      "soak.rssLoadedEndMiB": loadedEnd.rss / MiB,
      "soak.rssAfterMiB": after.rss / MiB,
      "soak.heapBeforeMiB": before.heapUsed / MiB,
      "soak.heapAfterMiB": after.heapUsed / MiB,
      "soak.heapLoadedGrowthPct":
        ((loadedEnd.heapUsed - loadedStart.heapUsed) / loadedStart.heapUsed) * 100,
      "soak.heapAfterGrowthPct": ((after.heapUsed - before.heapUsed) / before.heapUsed) * 100,
      "soak.handlesBefore": before.handleCount,
      "soak.handlesAfter": after.handleCount,
      "soak.handlesDelta": after.handleCount - before.handleCount,
      "soak.churnClosed": churn.closed,
      "soak.churnOpened": churn.opened,
      "soak.churnFailed": churn.failed,
      "soak.unexpectedCloses": check.unexpectedCloses,
      "soak.lost": check.skipped,
      "soak.reordered": check.reordered,
    };
  });
}

/** Runs one scenario against one server. */
export function runScenario(
  key: ScenarioKey,
  server: ServerSpec,
  ctx: Context,
  log: (line: string) => void,
): Promise<Figures> {
  switch (key) {
    case "broadcast":
      return broadcast(server, ctx);
    case "echo":
      return echo(server, ctx);
    case "idle":
      return idle(server, ctx);
    case "polling":
      return polling(server, ctx);
    case "soak":
      return soak(server, ctx, log);
  }
}
