/**
 * The figures a run reports, the targets (ratios against socket.io in the same
 * run), and the table they are printed in. Pure, so test/bench/report.test.ts can check
 * the maths and the layout.
 *
 * @module
 */
import { ratio } from "./stats.js";

/** What a figure must do to meet its target. */
export type Target =
  /** value / socket.io's value at most `max`. */
  | { kind: "ratioAtMost"; max: number }
  /** value / socket.io's value at least `min`. */
  | { kind: "ratioAtLeast"; min: number }
  /** the value itself is 0 (and so is the second value, for pairs). */
  | { kind: "zero" }
  /** the value itself is at most `max`. */
  | { kind: "atMost"; max: number };

/** One row of the table. */
export interface FigureSpec {
  /** Key in the per-server figures (`scenario.name`). */
  key: string;
  /** A second key shown as `a / b` in the same cell (lost / reordered). */
  secondKey?: string;
  label: string;
  /** Whether a ratio against socket.io means anything (not for counts that must be 0). */
  showRatio: boolean;
  target?: Target;
}

const deliveryRow = (scenario: string, label: string): FigureSpec => ({
  key: `${scenario}.lost`,
  secondKey: `${scenario}.reordered`,
  label: `${label}: lost / reordered`,
  showRatio: false,
  target: { kind: "zero" },
});

/** Every figure, in table order. Targets are ratios against socket.io (absolute bounds for the soak). */
export const FIGURES: readonly FigureSpec[] = [
  {
    key: "broadcast.cpuPerDeliveryUs",
    label: "broadcast: server CPU per delivery (us)",
    showRatio: true,
    target: { kind: "ratioAtMost", max: 0.2 },
  },
  { key: "broadcast.deliveriesPerSec", label: "broadcast: deliveries/s", showRatio: true },
  {
    key: "broadcast.peakRssMiB",
    label: "broadcast: peak RSS during the broadcast (MiB)",
    showRatio: true,
    target: { kind: "ratioAtMost", max: 0.5 },
  },
  deliveryRow("broadcast", "broadcast"),
  {
    key: "echo.cpuPerAckUs",
    label: "echo: server CPU per ack (us)",
    showRatio: true,
    target: { kind: "ratioAtMost", max: 0.5 },
  },
  { key: "echo.acksPerSec", label: "echo: acks/s at max throughput", showRatio: true },
  { key: "echo.rateP50Ms", label: "echo at 5,000 acks/s: latency p50 (ms)", showRatio: true },
  {
    key: "echo.rateP99Ms",
    label: "echo at 5,000 acks/s: latency p99 (ms)",
    showRatio: true,
    target: { kind: "ratioAtMost", max: 1 },
  },
  {
    key: "echo.rateCpuPerAckUs",
    label: "echo at 5,000 acks/s: server CPU per ack (us)",
    showRatio: true,
  },
  deliveryRow("echo", "echo"),
  {
    key: "idle.rssPerConnKB",
    label: "idle: RSS per connection (KB)",
    showRatio: true,
    target: { kind: "ratioAtMost", max: 0.5 },
  },
  {
    key: "idle.heapPerConnKB",
    label: "idle: JS heap per connection after GC (KB)",
    showRatio: true,
    target: { kind: "ratioAtMost", max: 0.33 },
  },
  {
    key: "idle.setupCpuUs",
    label: "idle: server CPU per connection set-up (us)",
    showRatio: true,
    target: { kind: "ratioAtMost", max: 0.6 },
  },
  { key: "idle.setupPerSec", label: "idle: connections set up per second", showRatio: true },
  { key: "rooms.cpuPerDeliveryUs", label: "rooms: server CPU per delivery (us)", showRatio: true },
  { key: "rooms.deliveriesPerSec", label: "rooms: deliveries/s", showRatio: true },
  deliveryRow("rooms", "rooms"),
  {
    key: "polling.acksPerSec",
    label: "polling: acks/s",
    showRatio: true,
    target: { kind: "ratioAtLeast", min: 1 },
  },
  {
    key: "polling.cpuPerAckUs",
    label: "polling: server CPU per ack (us)",
    showRatio: true,
    target: { kind: "ratioAtMost", max: 1 },
  },
  {
    key: "polling.p50Ms",
    label: "polling: latency p50 (ms)",
    showRatio: true,
    target: { kind: "ratioAtMost", max: 1 },
  },
  {
    key: "polling.p99Ms",
    label: "polling: latency p99 (ms)",
    showRatio: true,
    target: { kind: "ratioAtMost", max: 1 },
  },
  deliveryRow("polling", "polling"),
  {
    key: "soak.rssLoadedStartMiB",
    label: "soak: RSS with all connected, start (MiB)",
    showRatio: true,
  },
  {
    key: "soak.rssLoadedEndMiB",
    label: "soak: RSS with all connected, end (MiB)",
    showRatio: true,
  },
  {
    key: "soak.heapLoadedGrowthPct",
    label: "soak: heap growth while loaded, start to end (%)",
    showRatio: false,
    target: { kind: "atMost", max: 10 },
  },
  {
    key: "soak.heapAfterGrowthPct",
    label: "soak: heap after all left vs before (%)",
    showRatio: false,
    target: { kind: "atMost", max: 10 },
  },
  {
    key: "soak.heapBeforeMiB",
    secondKey: "soak.heapAfterMiB",
    label: "soak: JS heap before / after (MiB)",
    showRatio: false,
  },
  {
    key: "soak.rssBeforeMiB",
    secondKey: "soak.rssAfterMiB",
    label: "soak: RSS before / after (MiB)",
    showRatio: false,
  },
  {
    key: "soak.handlesDelta",
    label: "soak: active handles after - before",
    showRatio: false,
    // Fewer is fine (a timer that runs only while sessions exist); more is a leak.
    target: { kind: "atMost", max: 0 },
  },
  {
    key: "soak.churnFailed",
    secondKey: "soak.unexpectedCloses",
    label: "soak: failed reconnects / unexpected closes",
    showRatio: false,
    target: { kind: "zero" },
  },
  deliveryRow("soak", "soak broadcasts"),
];

/** A number for the table: 3 significant digits, thousands as k/M, NaN as a dash. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return "—";
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`;
  if (abs >= 1e4) return `${Number((value / 1e3).toPrecision(3))}k`;
  if (abs >= 1000 || Number.isInteger(value)) return value.toFixed(0);
  return String(Number(value.toPrecision(3)));
}

/** A ratio for the table: two significant digits and an `x`. */
export function formatRatio(value: number): string {
  return Number.isFinite(value) ? `${Number(value.toPrecision(2))}x` : "—";
}

/** What a target says in the table. */
export function describeTarget(target: Target | undefined): string {
  if (!target) return "";
  switch (target.kind) {
    case "ratioAtMost":
      return target.max === 1 ? "no worse (<= 1x)" : `<= ${target.max}x`;
    case "ratioAtLeast":
      return target.min === 1 ? "no worse (>= 1x)" : `>= ${target.min}x`;
    case "zero":
      return "0";
    case "atMost":
      return `<= ${target.max}`;
  }
}

/** Figures of one server: `scenario.name` to a number. */
export type Figures = Record<string, number>;

/** Whether `figures` meet `spec`'s target against `base`; undefined when it cannot be said. */
export function meetsTarget(
  spec: FigureSpec,
  figures: Figures,
  base: Figures,
): boolean | undefined {
  const target = spec.target;
  const value = figures[spec.key];
  if (!target || value === undefined || !Number.isFinite(value)) return undefined;
  switch (target.kind) {
    case "zero": {
      const second = spec.secondKey ? figures[spec.secondKey] : 0;
      return value === 0 && second === 0;
    }
    case "atMost":
      return value <= target.max;
    case "ratioAtMost":
    case "ratioAtLeast": {
      const r = ratio(value, base[spec.key] ?? Number.NaN);
      if (!Number.isFinite(r)) return undefined;
      // A relative epsilon, so that 2.74 / 13.7 meets "<= 0.2x" despite binary fractions.
      return target.kind === "ratioAtMost"
        ? r <= target.max * (1 + 1e-9)
        : r >= target.min * (1 - 1e-9);
    }
  }
}

/** A column of the table. */
export interface Column {
  key: string;
  label: string;
  /** Shown instead of figures when the server did not run (e.g. "not available yet"). */
  missing?: string;
}

function cell(
  spec: FigureSpec,
  figures: Figures | undefined,
  base: Figures | undefined,
  isBase: boolean,
): string {
  const value = figures?.[spec.key];
  if (value === undefined) return "n/a";
  let text = formatNumber(value);
  if (spec.secondKey) text += ` / ${formatNumber(figures?.[spec.secondKey] ?? Number.NaN)}`;
  if (spec.showRatio && !isBase && base) {
    const r = ratio(value, base[spec.key] ?? Number.NaN);
    if (Number.isFinite(r)) text += ` (${formatRatio(r)})`;
  }
  return text;
}

/**
 * The table as Markdown: a row per figure that some server has, a column per server
 * (ratios against `baseKey` in brackets), the target, and whether `subjectKey` meets it.
 */
export function renderTable(
  columns: readonly Column[],
  figures: Record<string, Figures>,
  baseKey: string,
  subjectKey: string,
): string {
  const base = figures[baseKey];
  const subject = columns.find((c) => c.key === subjectKey);
  const header = [
    "figure",
    ...columns.map((c) => c.label),
    "target",
    `${subject?.label ?? subjectKey} meets it`,
  ];
  const rows: string[][] = [];
  for (const spec of FIGURES) {
    if (!columns.some((c) => figures[c.key]?.[spec.key] !== undefined)) continue;
    const verdict = subject?.missing
      ? "—"
      : spec.target
        ? (() => {
            const met = meetsTarget(spec, figures[subjectKey] ?? {}, base ?? {});
            return met === undefined ? "—" : met ? "yes" : "NO";
          })()
        : "";
    rows.push([
      spec.label,
      ...columns.map((c) =>
        c.missing ? "—" : cell(spec, figures[c.key], base, c.key === baseKey),
      ),
      describeTarget(spec.target),
      verdict,
    ]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [
    line(header),
    `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`,
    ...rows.map(line),
  ].join("\n");
}

/** Thresholds under which a window's figures are flagged as rough. */
export const QUALITY = {
  /** Fewer CPU ticks than this in a window: resolution worse than 2%. */
  minTicks: 50,
  /** Other processes took more than this share of the server's core (%). */
  maxOtherCpuPct: 5,
} as const;

/**
 * Notes on windows whose CPU figures are rough: too few clock ticks to resolve them, or a
 * server core shared with other busy processes; one line for each kind, naming each
 * scenario and server once with its worst repeat. `runs[server][scenario]` holds each
 * repeat's figures, which carry `<scenario>.minTicks` and `<scenario>.otherCpuPct`.
 */
export function qualityNotes(
  runs: Record<string, Record<string, Figures[]>>,
  labels: Record<string, string>,
): string[] {
  const fewTicks = new Map<string, number>();
  const busyCore = new Map<string, number>();
  for (const [server, scenarios] of Object.entries(runs)) {
    for (const reps of Object.values(scenarios)) {
      for (const figures of reps) {
        for (const [key, value] of Object.entries(figures)) {
          const [scenario, name] = key.split(".");
          const where = `${scenario} on ${labels[server] ?? server}`;
          if (name === "minTicks" && value < QUALITY.minTicks) {
            fewTicks.set(where, Math.min(value, fewTicks.get(where) ?? Infinity));
          } else if (name === "otherCpuPct" && value > QUALITY.maxOtherCpuPct) {
            busyCore.set(where, Math.max(value, busyCore.get(where) ?? 0));
          }
        }
      }
    }
  }
  const notes: string[] = [];
  if (fewTicks.size > 0) {
    const list = [...fewTicks].map(
      ([where, ticks]) => `${where} ${ticks} (±${formatNumber(100 / Math.max(1, ticks))}%)`,
    );
    notes.push(`few clock ticks of server CPU in a window: ${list.join(", ")}`);
  }
  if (busyCore.size > 0) {
    const list = [...busyCore].map(([where, pct]) => `${where} ${formatNumber(pct)}%`);
    notes.push(`other processes took the server's core, at most: ${list.join(", ")}`);
  }
  return notes;
}
