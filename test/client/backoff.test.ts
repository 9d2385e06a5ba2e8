import { describe, expect, it } from "vitest";
import { Backoff } from "../../src/client/backoff.js";

describe("backoff", () => {
  it("doubles from min up to max without jitter", () => {
    const b = new Backoff({ min: 100, max: 1000 });
    expect([1, 2, 3, 4, 5].map(() => b.duration())).toEqual([100, 200, 400, 800, 1000]);
    expect(b.attempts).toBe(5);
  });

  it("starts over after reset", () => {
    const b = new Backoff({ min: 100, max: 1000 });
    b.duration();
    b.duration();
    b.reset();
    expect(b.duration()).toBe(100);
  });

  it("moves each delay down or up by at most jitter times itself, by one random draw", () => {
    const b = new Backoff({ min: 1000, max: 10_000, jitter: 0.5 });
    // floor(0.05 * 10) = 0, even: down by floor(0.05 * 0.5 * 1000) = 25.
    expect(b.duration(0.05)).toBe(975);
    // floor(0.15 * 10) = 1, odd: up by floor(0.15 * 0.5 * 2000) = 150.
    expect(b.duration(0.15)).toBe(2150);
    for (let i = 0; i < 100; i++) {
      const fresh = new Backoff({ min: 1000, max: 10_000, jitter: 0.5 });
      const d = fresh.duration();
      expect(d).toBeGreaterThanOrEqual(500);
      expect(d).toBeLessThanOrEqual(1500);
    }
  });

  it("ignores a jitter outside (0, 1]", () => {
    expect(new Backoff({ jitter: 2 }).jitter).toBe(0);
    expect(new Backoff({ jitter: -1 }).jitter).toBe(0);
  });

  it("caps at max even after many attempts, as an integer", () => {
    const b = new Backoff({ min: 1000, max: 5000 });
    for (let i = 0; i < 100; i++) b.duration();
    expect(b.duration()).toBe(5000);
  });
});
