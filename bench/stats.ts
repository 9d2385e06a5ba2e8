/**
 * The benchmark's arithmetic: medians, percentiles, CPU ticks to microseconds, ratios.
 * Pure functions so that test/bench/stats.test.ts can pin them down.
 *
 * @module
 */

/** The median of some numbers (the mean of the two middle ones for an even count); NaN if none. */
export function median(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = finite.length;
  if (n === 0) return Number.NaN;
  const mid = n >> 1;
  return n % 2 === 1 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}

/**
 * The nearest-rank percentile `p` (0-100) of values sorted ascending: the smallest value
 * that at least p% of the samples do not exceed. NaN if there are no samples.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const rank = Math.ceil((Math.min(100, Math.max(0, p)) / 100) * n);
  return sorted[Math.max(0, rank - 1)]!;
}

/** What a latency sample set is reported as. */
export interface LatencySummary {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

/** Sorts the first `n` samples in place and summarises them (same unit as the samples). */
export function summarizeLatencies(samples: Float64Array, n: number): LatencySummary {
  const view = samples.subarray(0, n).sort();
  return {
    n,
    p50: percentile(view, 50),
    p99: percentile(view, 99),
    max: n === 0 ? Number.NaN : view[n - 1]!,
  };
}

/** CPU time from `/proc/PID/stat` clock ticks to microseconds. */
export function ticksToMicros(ticks: number, clockTicksPerSecond: number): number {
  return (ticks * 1e6) / clockTicksPerSecond;
}

/**
 * utime + stime (fields 14 and 15, in clock ticks) of a `/proc/PID/stat` line. The
 * command name (field 2) may contain spaces and parentheses, so fields are counted
 * from the last `)`.
 */
export function parseProcStatCpu(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state), so field k is fields[k - 3].
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) {
    throw new Error(`not a /proc/PID/stat line: ${stat.slice(0, 80)}`);
  }
  return utime + stime;
}

/** A value in kB from a `/proc/PID/status` field such as `VmHWM:\t  4076 kB`; NaN if absent. */
export function parseProcStatusKb(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status);
  return match ? Number(match[1]) : Number.NaN;
}

/** `value / base`, or NaN when either is missing or the base is zero. */
export function ratio(value: number, base: number): number {
  if (!Number.isFinite(value) || !Number.isFinite(base) || base === 0) return Number.NaN;
  return value / base;
}

/** The relative error of a CPU figure measured with a resolution of one clock tick. */
export function tickResolution(ticks: number): number {
  return ticks > 0 ? 1 / ticks : Number.POSITIVE_INFINITY;
}

/**
 * Busy time of one core from `/proc/stat` (user + nice + system of the `cpu<N>` line, in
 * clock ticks): set against the server's own ticks, it shows how much of the server's
 * core other processes took during a window. NaN if the core is not listed.
 */
export function parseProcStatCoreBusy(procStat: string, core: string): number {
  const line = procStat.split("\n").find((l) => l.startsWith(`cpu${core} `));
  if (!line) return Number.NaN;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  return f[0]! + f[1]! + f[2]!;
}
