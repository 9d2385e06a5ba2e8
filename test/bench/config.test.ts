import { describe, expect, it } from "vitest";
import { describeScale, parseFlags, scaleFor } from "../../bench/config.js";

describe("parseFlags", () => {
  it("defaults to a quick run of everything", () => {
    const flags = parseFlags([]);
    expect(flags).toMatchObject({
      full: false,
      soak: false,
      servers: [],
      scenarios: [],
      help: false,
    });
  });

  it("reads values given inline or as the next argument", () => {
    const flags = parseFlags(["--repeats=5", "--servers", "socketio,pushwire", "--scenarios=echo"]);
    expect(flags.repeats).toBe(5);
    expect(flags.servers).toEqual(["socketio", "pushwire"]);
    expect(flags.scenarios).toEqual(["echo"]);
  });

  it("refuses an unknown option, an unknown scenario and a non-positive count", () => {
    expect(() => parseFlags(["--fast"])).toThrow(/unknown option --fast/);
    expect(() => parseFlags(["--scenarios", "echo,latency"])).toThrow(/unknown scenario latency/);
    expect(() => parseFlags(["--repeats", "0"])).toThrow(/positive integer/);
    expect(() => parseFlags(["--soak-seconds", "ten"])).toThrow(/positive integer/);
  });
});

describe("scaleFor", () => {
  it("runs quick mode once per server, without the soak", () => {
    const scale = scaleFor(parseFlags([]));
    expect(scale.mode).toBe("quick");
    expect(scale.repeats).toBe(1);
    expect(scale.scenarios).toEqual(["broadcast", "echo", "idle", "polling"]);
  });

  it("runs full mode three times at full sizes, with the soak", () => {
    const scale = scaleFor(parseFlags(["--full"]));
    expect(scale.repeats).toBe(3);
    expect(scale.scenarios).toContain("soak");
    expect(scale.broadcast.clients).toBe(1000);
    expect(scale.echo).toMatchObject({ clients: 100, inflight: 10, rate: 5000 });
    expect(scale.idle).toMatchObject({ connections: 10_000, rooms: 100 });
    expect(scale.soak).toMatchObject({ connections: 10_000, seconds: 180 });
  });

  it("adds the soak to a quick run on --soak, with its length", () => {
    const scale = scaleFor(parseFlags(["--soak", "--soak-seconds", "60"]));
    expect(scale.scenarios).toContain("soak");
    expect(scale.soak.seconds).toBe(60);
  });

  it("keeps the running order when scenarios are picked", () => {
    expect(scaleFor(parseFlags(["--scenarios", "polling,broadcast"])).scenarios).toEqual([
      "broadcast",
      "polling",
    ]);
  });

  it("describes one line per scenario run", () => {
    const lines = describeScale(scaleFor(parseFlags(["--scenarios", "broadcast"])));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^broadcast: 1000 WebSocket clients, \d+ broadcasts of 64 B/);
  });
});
