import { describe, expect, it } from "vitest";
import { DeadlineScheduler } from "../../src/engine/scheduler.js";
import { AckTimers, PendingAck, type AckOwner } from "../../src/server/ack.js";
import { FakeClock } from "./fake.js";

function setup() {
  const clock = new FakeClock();
  const timers = new AckTimers(new DeadlineScheduler(clock));
  const expired: number[] = [];
  const owner: AckOwner = { _ackExpired: (ack) => expired.push(ack.id) };
  const ack = (id: number) => new PendingAck(owner, id, () => {}, true);
  return { clock, timers, expired, ack };
}

describe("ack timers", () => {
  it("expires acks at their deadline, in order, on one timer", () => {
    const { clock, timers, expired, ack } = setup();
    timers.schedule(ack(1), 100);
    timers.schedule(ack(2), 50);
    timers.schedule(ack(3), 100);
    expect(clock.timers.size).toBe(1);
    clock.advance(50);
    expect(expired).toEqual([2]);
    clock.advance(50);
    expect(expired).toEqual([2, 1, 3]);
  });

  it("forgets a cancelled ack", () => {
    const { clock, timers, expired, ack } = setup();
    const a = ack(1);
    timers.schedule(a, 10);
    timers.cancel(a);
    clock.advance(10);
    expect(expired).toEqual([]);
  });

  it("gives acks a plain timer beyond 32 distinct delays, and cancels it too", async () => {
    const { timers, expired, ack } = setup();
    for (let i = 0; i < 32; i++) timers.schedule(ack(i), 10_000 + i);
    const a = ack(100);
    const b = ack(101);
    timers.schedule(a, 1);
    timers.schedule(b, 1);
    expect(a.timer).not.toBeNull();
    timers.cancel(b);
    expect(b.timer).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(expired).toEqual([100]);
  });
});
