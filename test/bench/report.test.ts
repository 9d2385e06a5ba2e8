import { describe, expect, it } from "vitest";
import {
  FIGURES,
  describeTarget,
  formatNumber,
  formatRatio,
  meetsTarget,
  qualityNotes,
  renderTable,
  type FigureSpec,
} from "../../bench/report.js";

const spec = (key: string): FigureSpec => {
  const found = FIGURES.find((f) => f.key === key);
  if (!found) throw new Error(`no figure ${key}`);
  return found;
};

describe("formatNumber", () => {
  it("keeps three significant digits", () => {
    expect(formatNumber(13.74)).toBe("13.7");
    expect(formatNumber(0.3512)).toBe("0.351");
    expect(formatNumber(543.2)).toBe("543");
  });

  it("writes thousands as k and millions as M", () => {
    expect(formatNumber(71_300)).toBe("71.3k");
    expect(formatNumber(2_510_000)).toBe("2.51M");
    expect(formatNumber(4687.4)).toBe("4687");
  });

  it("writes integers whole and missing values as a dash", () => {
    expect(formatNumber(0)).toBe("0");
    expect(formatNumber(12)).toBe("12");
    expect(formatNumber(Number.NaN)).toBe("—");
  });
});

describe("formatRatio", () => {
  it("keeps two significant digits", () => {
    expect(formatRatio(0.7226)).toBe("0.72x");
    expect(formatRatio(0.0256)).toBe("0.026x");
    expect(formatRatio(13.2)).toBe("13x");
    expect(formatRatio(Number.POSITIVE_INFINITY)).toBe("—");
  });
});

describe("targets", () => {
  it("holds the target ratios", () => {
    expect(spec("broadcast.cpuPerDeliveryUs").target).toEqual({ kind: "ratioAtMost", max: 0.2 });
    expect(spec("broadcast.peakRssMiB").target).toEqual({ kind: "ratioAtMost", max: 0.5 });
    expect(spec("echo.cpuPerAckUs").target).toEqual({ kind: "ratioAtMost", max: 0.5 });
    expect(spec("echo.rateP99Ms").target).toEqual({ kind: "ratioAtMost", max: 1 });
    expect(spec("idle.heapPerConnKB").target).toEqual({ kind: "ratioAtMost", max: 0.33 });
    expect(spec("idle.rssPerConnKB").target).toEqual({ kind: "ratioAtMost", max: 0.5 });
    expect(spec("idle.setupCpuUs").target).toEqual({ kind: "ratioAtMost", max: 0.6 });
    expect(spec("polling.acksPerSec").target).toEqual({ kind: "ratioAtLeast", min: 1 });
  });

  it("describes each kind of target", () => {
    expect(describeTarget({ kind: "ratioAtMost", max: 0.2 })).toBe("<= 0.2x");
    expect(describeTarget({ kind: "ratioAtMost", max: 1 })).toBe("no worse (<= 1x)");
    expect(describeTarget({ kind: "ratioAtLeast", min: 1 })).toBe("no worse (>= 1x)");
    expect(describeTarget({ kind: "zero" })).toBe("0");
    expect(describeTarget({ kind: "atMost", max: 10 })).toBe("<= 10");
    expect(describeTarget(undefined)).toBe("");
  });

  it("meets a ratio ceiling at or under it", () => {
    const base = { "broadcast.cpuPerDeliveryUs": 13.7 };
    const s = spec("broadcast.cpuPerDeliveryUs");
    expect(meetsTarget(s, { "broadcast.cpuPerDeliveryUs": 2.74 }, base)).toBe(true);
    expect(meetsTarget(s, { "broadcast.cpuPerDeliveryUs": 2.75 }, base)).toBe(false);
  });

  it("meets a ratio floor at or over it", () => {
    const s = spec("polling.acksPerSec");
    const base = { "polling.acksPerSec": 20_000 };
    expect(meetsTarget(s, { "polling.acksPerSec": 20_000 }, base)).toBe(true);
    expect(meetsTarget(s, { "polling.acksPerSec": 19_999 }, base)).toBe(false);
  });

  it("needs both counts of a lost / reordered pair at 0", () => {
    const s = spec("broadcast.lost");
    expect(meetsTarget(s, { "broadcast.lost": 0, "broadcast.reordered": 0 }, {})).toBe(true);
    expect(meetsTarget(s, { "broadcast.lost": 0, "broadcast.reordered": 1 }, {})).toBe(false);
    expect(meetsTarget(s, { "broadcast.lost": 3, "broadcast.reordered": 0 }, {})).toBe(false);
  });

  it("cannot judge a ratio without the base figure or without a target", () => {
    expect(meetsTarget(spec("echo.cpuPerAckUs"), { "echo.cpuPerAckUs": 1 }, {})).toBeUndefined();
    expect(
      meetsTarget(spec("echo.acksPerSec"), { "echo.acksPerSec": 1 }, { "echo.acksPerSec": 1 }),
    ).toBeUndefined();
  });
});

describe("renderTable", () => {
  const columns = [
    { key: "socketio", label: "socket.io" },
    { key: "raw", label: "raw ws" },
    { key: "pushwire", label: "pushwire" },
  ];

  it("puts ratios against the base in brackets and says whether the subject meets each target", () => {
    const table = renderTable(
      columns,
      {
        socketio: { "echo.cpuPerAckUs": 25, "echo.lost": 0, "echo.reordered": 0 },
        raw: { "echo.cpuPerAckUs": 17.5, "echo.lost": 0, "echo.reordered": 0 },
        pushwire: { "echo.cpuPerAckUs": 10, "echo.lost": 0, "echo.reordered": 2 },
      },
      "socketio",
      "pushwire",
    );
    const lines = table.split("\n");
    expect(lines[0]).toMatch(
      /^\| figure +\| socket\.io \| raw ws +\| pushwire +\| target +\| pushwire meets it \|$/,
    );
    expect(lines[1]).toMatch(/^\| -+ \| -+ \| -+ \|/);
    const cpu = lines.find((l) => l.includes("CPU per ack"))!;
    expect(cpu.split("|").map((c) => c.trim())).toEqual([
      "",
      "echo: server CPU per ack (us)",
      "25",
      "17.5 (0.7x)",
      "10 (0.4x)",
      "<= 0.5x",
      "yes",
      "",
    ]);
    const lost = lines.find((l) => l.includes("lost / reordered"))!;
    expect(lost).toContain("0 / 2");
    expect(lost.split("|").map((c) => c.trim())).toEqual([
      "",
      "echo: lost / reordered",
      "0 / 0",
      "0 / 0",
      "0 / 2",
      "0",
      "NO",
      "",
    ]);
  });

  it("leaves out figures no server has and marks a missing server with dashes", () => {
    const table = renderTable(
      [
        columns[0]!,
        {
          key: "pushwire",
          label: "pushwire",
          missing: "not available yet (src/index.ts does not exist)",
        },
      ],
      { socketio: { "idle.rssPerConnKB": 15.7 }, pushwire: {} },
      "socketio",
      "pushwire",
    );
    const lines = table.split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[2]!.split("|").map((c) => c.trim())).toEqual([
      "",
      "idle: RSS per connection (KB)",
      "15.7",
      "—",
      "<= 0.5x",
      "—",
      "",
    ]);
  });

  it("writes n/a for a figure a server did not produce", () => {
    const table = renderTable(
      columns.slice(0, 2),
      { socketio: { "polling.acksPerSec": 30_000 }, raw: {} },
      "socketio",
      "pushwire",
    );
    expect(table.split("\n")[2]).toContain("| n/a ");
  });
});

describe("qualityNotes", () => {
  it("flags windows with few clock ticks and windows shared with other processes", () => {
    const notes = qualityNotes(
      {
        raw: {
          broadcast: [{ "broadcast.minTicks": 8, "broadcast.otherCpuPct": 1 }],
          echo: [{ "echo.minTicks": 400, "echo.otherCpuPct": 40 }],
        },
      },
      { raw: "raw ws" },
    );
    expect(notes).toEqual([
      "few clock ticks of server CPU in a window: broadcast on raw ws 8 (±12.5%)",
      "other processes took the server's core, at most: echo on raw ws 40%",
    ]);
  });

  it("names each scenario and server once, with its worst repeat", () => {
    const notes = qualityNotes(
      {
        a: {
          echo: [
            { "echo.otherCpuPct": 10, "echo.minTicks": 40 },
            { "echo.otherCpuPct": 20, "echo.minTicks": 20 },
          ],
        },
        b: { idle: [{ "idle.otherCpuPct": 30 }] },
      },
      { a: "A", b: "B" },
    );
    expect(notes).toEqual([
      "few clock ticks of server CPU in a window: echo on A 20 (±5%)",
      "other processes took the server's core, at most: echo on A 20%, idle on B 30%",
    ]);
  });

  it("says nothing about clean windows", () => {
    expect(
      qualityNotes({ s: { echo: [{ "echo.minTicks": 500, "echo.otherCpuPct": 0.5 }] } }, {}),
    ).toEqual([]);
  });
});
