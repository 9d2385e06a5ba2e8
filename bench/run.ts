/**
 * `npm run bench [-- --full | --soak | …]`: builds the servers and the load generator,
 * runs every scenario against every server (alternating which goes first), prints a table
 * of medians with ratios against socket.io and the targets, and writes the
 * whole run as JSON to .bench-results/.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, release, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bundle } from "./build.js";
import { describeScale, parseFlags, scaleFor, usage, type ScenarioKey } from "./config.js";
import { choosePinning, clockTicks, coreBusyTicks, pinSelf, raiseFileLimit } from "./proc.js";
import { qualityNotes, renderTable, type Column, type Figures } from "./report.js";
import { runScenario, type Context, type ServerSpec } from "./scenarios.js";
import { median } from "./stats.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const PAYLOAD = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";

/** `items` rotated left by `by`, so that each repeat starts with a different server. */
function rotate<T>(items: readonly T[], by: number): T[] {
  const k = items.length === 0 ? 0 : by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/**
 * Waits up to `seconds` for a second in which other processes use less than 10% of
 * `core`; returns how busy the last second was (%).
 */
async function waitForQuiet(
  core: string | null,
  seconds: number,
  ticksPerSecond: number,
): Promise<number> {
  if (!core || seconds <= 0) return Number.NaN;
  let busy = Number.NaN;
  for (let waited = 0; waited < seconds; waited++) {
    const before = coreBusyTicks(core);
    await new Promise((r) => setTimeout(r, 1000));
    busy = ((coreBusyTicks(core) - before) / ticksPerSecond) * 100;
    if (busy < 10) break;
  }
  return busy;
}

function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
  return `${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, Node ${process.version}`;
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  if (flags.help) {
    process.stdout.write(usage());
    return;
  }
  const scale = scaleFor(flags);
  const started = Date.now();
  const log = (line: string): void => console.log(line);
  const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(0)} s`;

  const limits = raiseFileLimit();
  const needed = Math.max(
    scale.idle.connections,
    scale.scenarios.includes("soak") ? scale.soak.connections : 0,
  );
  if (limits.soft < needed + 200) {
    log(
      `warning: open-file limit ${limits.soft} (hard ${limits.hard}) is below the ${needed + 200} each process needs; ` +
        `raise it (ulimit -n, /etc/security/limits.conf, docker --ulimit nofile=65536)`,
    );
  }
  const pinning = choosePinning();
  pinSelf(pinning.load);
  const ticks = clockTicks();

  const [load, socketio, raw, pushwire] = await Promise.all([
    bundle(root, "bench/load/main.ts", "load"),
    bundle(root, "bench/servers/socketio.ts", "socketio"),
    bundle(root, "bench/servers/raw-ws.ts", "raw-ws"),
    bundle(root, "bench/servers/pushwire.ts", "pushwire"),
  ]);
  for (const [name, built] of [
    ["load generator", load],
    ["socket.io", socketio],
    ["raw-ws", raw],
  ] as const) {
    if (!built.ok) throw new Error(`cannot build the ${name}: ${built.reason}`);
  }
  const file = (b: typeof load): string | null => (b.ok ? b.file : null);
  let servers: ServerSpec[] = [
    { key: "socketio", label: "socket.io", file: file(socketio), args: [], polling: true },
    { key: "raw-ws", label: "raw ws", file: file(raw), args: ["naive"], polling: false },
    {
      key: "raw-ws-coalesced",
      label: "raw ws, 1 write/turn",
      file: file(raw),
      args: ["coalesced"],
      polling: false,
    },
    {
      key: "pushwire",
      label: "pushwire",
      file: file(pushwire),
      missing: pushwire.ok ? undefined : `not available yet (${pushwire.reason})`,
      args: [],
      polling: true,
    },
  ];
  if (flags.servers.length > 0) servers = servers.filter((s) => flags.servers.includes(s.key));
  for (const s of servers) if (s.missing) log(`${s.label}: ${s.missing}`);

  const ctx: Context = {
    scale,
    clockTicks: ticks,
    pinning,
    loadFile: load.ok ? load.file : "",
    payload: PAYLOAD,
  };
  log(
    `pushwire bench, ${scale.mode} mode, ${scale.repeats} run(s) per server and scenario; ${pinning.note}`,
  );

  // runs[server][scenario] = figures of each repeat; errors[server][scenario] = last failure.
  const runs: Record<string, Record<string, Figures[]>> = {};
  const errors: Record<string, Record<string, string>> = {};
  const runnable = servers.filter((s) => s.file !== null);
  for (let rep = 0; rep < scale.repeats; rep++) {
    for (const scenario of scale.scenarios) {
      for (const server of rotate(runnable, rep + scale.scenarios.indexOf(scenario))) {
        if (scenario === "polling" && !server.polling) continue;
        // Minutes long and judged against its own baseline: once is enough.
        if (scenario === "soak" && rep > 0) continue;
        await waitForQuiet(pinning.server, flags.quietWait, ticks);
        const t0 = Date.now();
        try {
          const figures = await runScenario(scenario, server, ctx, log);
          ((runs[server.key] ??= {})[scenario] ??= []).push(figures);
          log(
            `[${elapsed()}] run ${rep + 1}/${scale.repeats} ${scenario} on ${server.label}: ${((Date.now() - t0) / 1000).toFixed(1)} s`,
          );
        } catch (err) {
          const message = (err as Error).message.split("\n")[0] ?? String(err);
          (errors[server.key] ??= {})[scenario] = message;
          log(
            `[${elapsed()}] run ${rep + 1}/${scale.repeats} ${scenario} on ${server.label}: FAILED: ${message}`,
          );
        }
      }
    }
  }

  // Medians over repeats, figure by figure.
  const medians: Record<string, Figures> = {};
  for (const server of servers) {
    const out: Figures = {};
    for (const scenario of scale.scenarios as ScenarioKey[]) {
      const reps = runs[server.key]?.[scenario] ?? [];
      const keys = new Set(reps.flatMap((r) => Object.keys(r)));
      for (const key of keys) out[key] = median(reps.map((r) => r[key] ?? Number.NaN));
    }
    medians[server.key] = out;
  }

  const columns: Column[] = servers.map((s) => ({
    key: s.key,
    label: s.label,
    missing: s.missing,
  }));
  const table = renderTable(columns, medians, "socketio", "pushwire");
  const date = new Date().toISOString();
  log("");
  log(`${date.slice(0, 10)}, ${machine()}`);
  log(
    `${scale.mode} mode, median of ${scale.repeats}; ratios against socket.io in brackets; ${pinning.note}`,
  );
  log("");
  log(table);
  log("");
  for (const line of describeScale(scale)) log(`- ${line}`);
  const labels = Object.fromEntries(servers.map((s) => [s.key, s.label]));
  for (const note of qualityNotes(runs, labels)) log(`- rough: ${note}`);
  for (const server of servers) {
    for (const [scenario, message] of Object.entries(errors[server.key] ?? {})) {
      log(`- ${server.label} failed ${scenario}: ${message}`);
    }
    if (server.missing) log(`- ${server.label}: ${server.missing}`);
  }

  const dir = join(root, ".bench-results");
  mkdirSync(dir, { recursive: true });
  const record = {
    date,
    machine: machine(),
    mode: scale.mode,
    scale,
    pinning,
    clockTicks: ticks,
    fileLimit: limits,
    servers: servers.map((s) => ({ key: s.key, label: s.label, missing: s.missing ?? null })),
    runs,
    errors,
    medians,
    table,
    seconds: (Date.now() - started) / 1000,
  };
  const json = JSON.stringify(record, null, 2);
  const path = join(dir, `bench-${date.replace(/[:.]/g, "-")}.json`);
  writeFileSync(path, json);
  writeFileSync(join(dir, "latest.json"), json);
  log("");
  log(`results: ${path} (${elapsed()})`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exitCode = 1;
});
