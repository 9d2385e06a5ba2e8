/**
 * Command-line flags and the scale of each scenario in quick and full mode. Pure, so the
 * table can state exactly what was run.
 *
 * @module
 */

/** Flags of `npm run bench -- …`. */
export interface Flags {
  full: boolean;
  soak: boolean;
  soakSeconds: number | undefined;
  repeats: number | undefined;
  /** Seconds to wait, before each run, for the server's core to be quiet (0: do not wait). */
  quietWait: number;
  /** Broadcasts per event-loop turn in the broadcast scenario. */
  perTurn: number | undefined;
  /** Server keys to run (all when empty). */
  servers: string[];
  /** Scenario keys to run (all when empty). */
  scenarios: string[];
  help: boolean;
}

/** The scenarios a run may hold, in running order. */
export const SCENARIOS = ["broadcast", "echo", "idle", "polling", "soak"] as const;
export type ScenarioKey = (typeof SCENARIOS)[number];

const HELP = `usage: npm run bench [-- options]
  --full             every scenario at full scale, medians of 3 (several minutes)
  --soak             add the soak (10,000 connections with churn; on in --full)
  --soak-seconds N   soak length (default 180)
  --repeats N        runs per server and scenario (quick: 1, full: 3)
  --per-turn N       broadcasts per event-loop turn in the broadcast scenario
  --quiet-wait N     before each run, wait up to N s for other processes to leave the
                     server's core (for figures on a shared machine)
  --servers a,b      only these servers: socketio, raw-ws, raw-ws-coalesced, pushwire
  --scenarios a,b    only these scenarios: ${SCENARIOS.join(", ")}
`;

/** The usage text. */
export function usage(): string {
  return HELP;
}

function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

function positive(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`${flag} needs a positive integer, got ${value}`);
  return n;
}

/** Parses `process.argv.slice(2)`; throws on an unknown flag. */
export function parseFlags(argv: readonly string[]): Flags {
  const flags: Flags = {
    full: false,
    soak: false,
    soakSeconds: undefined,
    repeats: undefined,
    perTurn: undefined,
    quietWait: 0,
    servers: [],
    scenarios: [],
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = arg.includes("=") ? arg.split("=", 2) : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (name) {
      case "--full":
        flags.full = true;
        break;
      case "--soak":
        flags.soak = true;
        break;
      case "--soak-seconds":
        flags.soakSeconds = positive(name, value());
        break;
      case "--repeats":
        flags.repeats = positive(name, value());
        break;
      case "--per-turn":
        flags.perTurn = positive(name, value());
        break;
      case "--quiet-wait":
        flags.quietWait = positive(name, value());
        break;
      case "--servers":
        flags.servers = list(value());
        break;
      case "--scenarios":
        flags.scenarios = list(value());
        break;
      case "-h":
      case "--help":
        flags.help = true;
        break;
      default:
        throw new Error(`unknown option ${arg}\n${HELP}`);
    }
  }
  for (const s of flags.scenarios) {
    if (!(SCENARIOS as readonly string[]).includes(s)) throw new Error(`unknown scenario ${s}`);
  }
  return flags;
}

/** How big each scenario is. */
export interface Scale {
  mode: "quick" | "full";
  repeats: number;
  broadcast: { clients: number; count: number; perTurn: number };
  echo: {
    clients: number;
    inflight: number;
    warmupMs: number;
    windowMs: number;
    rate: number;
    rateWindowMs: number;
  };
  idle: { connections: number; concurrency: number; rooms: number; rounds: number };
  polling: { clients: number; inflight: number; warmupMs: number; windowMs: number };
  soak: { connections: number; churnPerSecond: number; seconds: number; sampleSeconds: number };
  scenarios: ScenarioKey[];
}

/** The scale of a run. Quick mode keeps the full shapes with fewer messages and shorter windows. */
export function scaleFor(flags: Flags): Scale {
  const full = flags.full;
  const scenarios = (
    flags.scenarios.length > 0
      ? SCENARIOS.filter((s) => flags.scenarios.includes(s))
      : SCENARIOS.filter((s) => s !== "soak" || full || flags.soak)
  ) as ScenarioKey[];
  return {
    mode: full ? "full" : "quick",
    repeats: flags.repeats ?? (full ? 3 : 1),
    broadcast: { clients: 1000, count: full ? 3000 : 1000, perTurn: flags.perTurn ?? 100 },
    echo: {
      clients: 100,
      inflight: 10,
      warmupMs: full ? 1000 : 500,
      windowMs: full ? 10_000 : 2500,
      rate: 5000,
      rateWindowMs: full ? 10_000 : 2500,
    },
    idle: {
      connections: 10_000,
      concurrency: 100,
      rooms: 100,
      rounds: full ? 50 : 20,
    },
    polling: {
      clients: full ? 100 : 50,
      inflight: 4,
      warmupMs: full ? 1000 : 500,
      windowMs: full ? 10_000 : 2500,
    },
    soak: {
      connections: 10_000,
      churnPerSecond: 100,
      seconds: flags.soakSeconds ?? 180,
      sampleSeconds: 30,
    },
    scenarios,
  };
}

/** One line per scenario saying what a run of this scale did (printed under the table). */
export function describeScale(scale: Scale): string[] {
  const b = scale.broadcast;
  const e = scale.echo;
  const i = scale.idle;
  const p = scale.polling;
  const s = scale.soak;
  const lines: Record<ScenarioKey, string> = {
    broadcast: `broadcast: ${b.clients} WebSocket clients, ${b.count} broadcasts of 64 B (${b.perTurn} per event-loop turn) = ${b.clients * b.count} deliveries`,
    echo: `echo: ${e.clients} clients x ${e.inflight} in flight for ${e.windowMs / 1000} s; then ${e.rate} acks/s for ${e.rateWindowMs / 1000} s`,
    idle: `idle: ${i.connections} WebSocket connections (${i.concurrency} connecting at a time); rooms: the same sockets in ${i.rooms} rooms, ${i.rounds} rounds`,
    polling: `polling: ${p.clients} HTTP long-polling clients x ${p.inflight} acks in flight for ${p.windowMs / 1000} s`,
    soak: `soak: ${s.connections} connections, ${s.churnPerSecond}/s closed and reopened, 1 broadcast/s, ${s.seconds} s`,
  };
  return scale.scenarios.map((k) => lines[k]);
}
