// A clock driven by hand for the deadline scheduler (engine heartbeat, server timeouts):
// timers fire only when advance() passes their time, so tests never depend on wall time.
import type { Clock } from "../../src/engine/scheduler.js";

export class FakeClock implements Clock {
  time = 0;
  readonly timers = new Map<number, { at: number; callback: () => void }>();
  private nextId = 1;

  now(): number {
    return this.time;
  }

  setTimer(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + ms, callback });
    return id;
  }

  clearTimer(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Moves time forward by `ms`, firing due timers in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let first: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.timers) {
        if (entry[1].at <= end && (!first || entry[1].at < first[1].at)) first = entry;
      }
      if (!first) break;
      this.timers.delete(first[0]);
      this.time = Math.max(this.time, first[1].at); // a timer that runs late sees the late time
      first[1].callback();
    }
    this.time = end;
  }
}
