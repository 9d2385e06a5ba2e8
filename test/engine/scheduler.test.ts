import { describe, expect, it } from "vitest";
import type { DeadlineNode } from "../../src/engine/scheduler.js";
import { DeadlineScheduler } from "../../src/engine/scheduler.js";
import { FakeClock } from "../support/fake-clock.js";

function node(name: string): DeadlineNode & { name: string } {
  return { name, dlPrev: null, dlNext: null, dlList: null, dlDeadline: 0 };
}

describe("DeadlineScheduler", () => {
  it("expires nodes in insertion order once their delay has passed", () => {
    const clock = new FakeClock();
    const scheduler = new DeadlineScheduler(clock);
    const expired: string[] = [];
    const list = scheduler.list(100, (n) => expired.push((n as ReturnType<typeof node>).name));
    const a = node("a");
    const b = node("b");
    list.push(a);
    clock.advance(30);
    list.push(b);
    clock.advance(69);
    expect(expired).toEqual([]);
    clock.advance(1);
    expect(expired).toEqual(["a"]);
    clock.advance(30);
    expect(expired).toEqual(["a", "b"]);
    expect(list.size).toBe(0);
  });

  it("keeps a single timer armed however many nodes wait", () => {
    const clock = new FakeClock();
    const scheduler = new DeadlineScheduler(clock);
    const list = scheduler.list(100, () => {});
    for (let i = 0; i < 1000; i++) list.push(node(String(i)));
    expect(clock.timers.size).toBe(1);
  });

  it("re-arms earlier when a shorter list gets its first node", () => {
    const clock = new FakeClock();
    const scheduler = new DeadlineScheduler(clock);
    const expired: string[] = [];
    const onExpire = (n: DeadlineNode) => expired.push((n as ReturnType<typeof node>).name);
    const slow = scheduler.list(1000, onExpire);
    const fast = scheduler.list(10, onExpire);
    slow.push(node("slow"));
    fast.push(node("fast"));
    expect(clock.timers.size).toBe(1);
    clock.advance(10);
    expect(expired).toEqual(["fast"]);
    clock.advance(990);
    expect(expired).toEqual(["fast", "slow"]);
  });

  it("moves a node between lists, as a pong moves a session back to the ping list", () => {
    const clock = new FakeClock();
    const scheduler = new DeadlineScheduler(clock);
    const events: string[] = [];
    const pong = scheduler.list(20, () => events.push("timeout"));
    const ping = scheduler.list(50, (n) => {
      events.push("ping");
      pong.push(n);
    });
    const session = node("s");
    ping.push(session);
    clock.advance(50);
    expect(events).toEqual(["ping"]);
    expect(session.dlList).toBe(pong);
    clock.advance(10);
    ping.push(session); // the pong arrived
    expect(pong.size).toBe(0);
    clock.advance(49);
    expect(events).toEqual(["ping"]);
    clock.advance(1);
    expect(events).toEqual(["ping", "ping"]);
    clock.advance(20);
    expect(events).toEqual(["ping", "ping", "timeout"]);
  });

  it("forgets removed nodes", () => {
    const clock = new FakeClock();
    const scheduler = new DeadlineScheduler(clock);
    const expired: string[] = [];
    const list = scheduler.list(10, (n) => expired.push((n as ReturnType<typeof node>).name));
    const [a, b, c] = [node("a"), node("b"), node("c")];
    list.push(a);
    list.push(b);
    list.push(c);
    list.remove(b);
    list.remove(b);
    clock.advance(10);
    expect(expired).toEqual(["a", "c"]);
    expect(b.dlList).toBeNull();
  });

  it("fires again when the timer runs before the deadline", () => {
    const clock = new FakeClock();
    const scheduler = new DeadlineScheduler(clock);
    const expired: string[] = [];
    const list = scheduler.list(10, (n) => expired.push((n as ReturnType<typeof node>).name));
    list.push(node("a"));
    // A timer that fires early (Node's cached loop time): nothing is due yet.
    const [id, timer] = [...clock.timers][0]!;
    clock.timers.delete(id);
    clock.time = 9.5;
    timer.callback();
    expect(expired).toEqual([]);
    clock.advance(1);
    expect(expired).toEqual(["a"]);
  });

  it("stops firing once closed", () => {
    const clock = new FakeClock();
    const scheduler = new DeadlineScheduler(clock);
    const expired: string[] = [];
    const list = scheduler.list(10, () => expired.push("x"));
    list.push(node("a"));
    scheduler.close();
    expect(clock.timers.size).toBe(0);
    list.push(node("b"));
    clock.advance(100);
    expect(expired).toEqual([]);
  });
});

describe("DeadlineList.pushAt", () => {
  it("keeps the list sorted when a deadline is earlier than the tail's", () => {
    const clock = new FakeClock();
    const scheduler = new DeadlineScheduler(clock);
    const expired: string[] = [];
    const list = scheduler.list(100, (n) => expired.push((n as ReturnType<typeof node>).name));
    list.push(node("late")); // 100
    list.pushAt(node("early"), 40);
    list.pushAt(node("middle"), 70);
    list.pushAt(node("last"), 150);
    clock.advance(40);
    expect(expired).toEqual(["early"]);
    clock.advance(110);
    expect(expired).toEqual(["early", "middle", "late", "last"]);
  });

  it("tells the expiry callback when the node was due and what time it is", () => {
    const clock = new FakeClock();
    const scheduler = new DeadlineScheduler(clock);
    const seen: [number, number][] = [];
    const list = scheduler.list(10, (n, now) => seen.push([n.dlDeadline, now]));
    list.push(node("a"));
    clock.time = 25; // the timer runs late
    clock.advance(0);
    expect(seen).toEqual([[10, 25]]);
  });
});
