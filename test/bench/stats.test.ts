import { describe, expect, it } from "vitest";
import {
  median,
  parseProcStatCoreBusy,
  parseProcStatCpu,
  parseProcStatusKb,
  percentile,
  ratio,
  summarizeLatencies,
  ticksToMicros,
  tickResolution,
} from "../../bench/stats.js";

describe("median", () => {
  it("takes the middle value of an odd count", () => {
    expect(median([3, 1, 2])).toBe(2);
  });

  it("averages the two middle values of an even count", () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("ignores runs that produced no number", () => {
    expect(median([Number.NaN, 5, 7, Number.NaN, 6])).toBe(6);
  });

  it("is NaN without values", () => {
    expect(median([])).toBeNaN();
  });

  it("does not reorder its input", () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe("percentile", () => {
  const sorted = Array.from({ length: 100 }, (_, i) => i + 1);

  it("uses the nearest rank", () => {
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([10, 20, 30], 50)).toBe(20);
    expect(percentile([10, 20, 30], 99)).toBe(30);
  });

  it("gives the smallest sample at p0 and clamps p outside 0-100", () => {
    expect(percentile(sorted, 0)).toBe(1);
    expect(percentile(sorted, -5)).toBe(1);
    expect(percentile(sorted, 150)).toBe(100);
  });

  it("is NaN without samples", () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe("summarizeLatencies", () => {
  it("summarises only the first n samples", () => {
    const samples = new Float64Array([5, 1, 4, 2, 3, 1000, 1000]);
    expect(summarizeLatencies(samples, 5)).toEqual({ n: 5, p50: 3, p99: 5, max: 5 });
  });

  it("reports NaN figures for no samples", () => {
    const summary = summarizeLatencies(new Float64Array(4), 0);
    expect(summary.n).toBe(0);
    expect(summary.p99).toBeNaN();
    expect(summary.max).toBeNaN();
  });
});

describe("/proc readers", () => {
  it("adds utime and stime of a stat line", () => {
    const stat =
      "4242 (node) S 1 4242 4242 0 -1 4194560 3036 0 0 0 1234 567 0 0 20 0 11 0 9876 1183297536 12000 18446744073709551615";
    expect(parseProcStatCpu(stat)).toBe(1234 + 567);
  });

  it("counts fields after the last parenthesis, so a command with spaces and parens parses", () => {
    const stat = "77 (my (odd) cmd) R 1 77 77 0 -1 0 0 0 0 0 10 20 0 0 20 0 1 0 5 100 10";
    expect(parseProcStatCpu(stat)).toBe(30);
  });

  it("refuses a line that is not /proc/PID/stat", () => {
    expect(() => parseProcStatCpu("garbage")).toThrow(/not a \/proc\/PID\/stat line/);
  });

  it("reads kB fields of /proc/PID/status", () => {
    const status = "Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t11\n";
    expect(parseProcStatusKb(status, "VmRSS")).toBe(102400);
    expect(parseProcStatusKb(status, "VmHWM")).toBe(204800);
    expect(parseProcStatusKb(status, "VmSwap")).toBeNaN();
  });

  it("takes user + nice + system of one core from /proc/stat", () => {
    const procStat =
      "cpu  100 5 50 9000 10 0 3 0 0 0\ncpu0 60 2 30 4500 5 0 2 0 0 0\ncpu1 40 3 20 4500 5 0 1 0 0 0\nintr 1\n";
    expect(parseProcStatCoreBusy(procStat, "0")).toBe(92);
    expect(parseProcStatCoreBusy(procStat, "1")).toBe(63);
    expect(parseProcStatCoreBusy(procStat, "7")).toBeNaN();
  });
});

describe("units and ratios", () => {
  it("turns clock ticks into microseconds", () => {
    expect(ticksToMicros(137, 100)).toBe(1_370_000);
    expect(ticksToMicros(1, 250)).toBe(4000);
  });

  it("gives the relative error of a tick count", () => {
    expect(tickResolution(50)).toBe(0.02);
    expect(tickResolution(0)).toBe(Number.POSITIVE_INFINITY);
  });

  it("divides by the base and is NaN for a missing or zero base", () => {
    expect(ratio(2.74, 13.7)).toBeCloseTo(0.2);
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(Number.NaN, 1)).toBeNaN();
    expect(ratio(1, Number.NaN)).toBeNaN();
  });
});
