import { describe, expect, it } from "vitest";
import { Emitter } from "../../src/client/emitter.js";

type Events = { a: (n: number) => void; b: () => void };

describe("emitter", () => {
  it("calls listeners in order with the arguments", () => {
    const e = new Emitter<Events, Events>();
    const calls: string[] = [];
    e.on("a", (n) => calls.push(`1:${n}`));
    e.on("a", (n) => calls.push(`2:${n}`));
    e.emit("a", 5);
    expect(calls).toEqual(["1:5", "2:5"]);
  });

  it("calls a once listener one time, and lets off() remove it by the original function", () => {
    const e = new Emitter<Events, Events>();
    let count = 0;
    const listener = () => count++;
    e.once("b", listener);
    e.emit("b");
    e.emit("b");
    e.once("b", listener);
    e.off("b", listener);
    e.emit("b");
    expect(count).toBe(1);
  });

  it("keeps calling the listeners of one emit when one of them removes another", () => {
    const e = new Emitter<Events, Events>();
    const calls: string[] = [];
    const second = () => calls.push("second");
    e.on("b", () => {
      calls.push("first");
      e.off("b", second);
    });
    e.on("b", second);
    e.emit("b");
    e.emit("b");
    expect(calls).toEqual(["first", "second", "first"]);
  });

  it("removes all listeners of an event, or all of them", () => {
    const e = new Emitter<Events, Events>();
    e.on("a", () => {});
    e.on("b", () => {});
    e.off("a");
    expect(e.hasListeners("a")).toBe(false);
    expect(e.hasListeners("b")).toBe(true);
    e.off();
    expect(e.hasListeners("b")).toBe(false);
    expect(e.listeners("b")).toEqual([]);
  });
});
