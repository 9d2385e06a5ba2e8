import { describe, expect, it } from "vitest";
import { SequenceTracker, sumSequences } from "../../bench/load/sequence.js";

function track(first: number | undefined, seqs: number[]): SequenceTracker {
  const tracker = new SequenceTracker(first);
  for (const seq of seqs) tracker.see(seq);
  return tracker;
}

describe("SequenceTracker", () => {
  it("accepts consecutive numbers from the first expected", () => {
    const t = track(10, [10, 11, 12]);
    expect([t.received, t.reordered, t.skipped, t.next]).toEqual([3, 0, 0, 13]);
  });

  it("counts the numbers a forward jump skips", () => {
    const t = track(0, [0, 3, 4]);
    expect(t.skipped).toBe(2);
    expect(t.next).toBe(5);
  });

  it("counts a duplicate or a late packet as reordered", () => {
    const t = track(0, [0, 1, 1, 2, 0]);
    expect(t.reordered).toBe(2);
    expect(t.received).toBe(5);
  });

  it("adopts the first number it sees when joining a running stream", () => {
    const t = track(undefined, [57, 58]);
    expect([t.skipped, t.reordered, t.next]).toEqual([0, 0, 59]);
  });

  it("starts over on reset", () => {
    const t = track(0, [5]);
    t.reset(100);
    t.see(100);
    expect([t.received, t.skipped, t.next]).toEqual([1, 0, 101]);
  });
});

describe("sumSequences", () => {
  it("reports nothing lost when every receiver got everything in order", () => {
    const report = sumSequences([track(5, [5, 6, 7]), track(5, [5, 6, 7])], 3, 5);
    expect(report).toEqual({
      receivers: 2,
      expected: 6,
      received: 6,
      reordered: 0,
      skipped: 0,
      lost: 0,
      complete: 2,
    });
  });

  it("counts what is missing at the end and what was skipped as lost", () => {
    const report = sumSequences([track(0, [0, 2]), track(0, [0]), track(0, [])], 3, 0);
    expect(report.lost).toBe(1 + 2 + 3);
    expect(report.complete).toBe(0);
  });

  it("does not count arrivals past the expected end as negative loss", () => {
    const report = sumSequences([track(0, [0, 1, 2, 3])], 3, 0);
    expect(report.lost).toBe(0);
    expect(report.complete).toBe(1);
  });

  it("marks a receiver with a duplicate as incomplete", () => {
    const report = sumSequences([track(0, [0, 1, 1, 2])], 3, 0);
    expect(report.lost).toBe(0);
    expect(report.reordered).toBe(1);
    expect(report.complete).toBe(0);
  });
});
