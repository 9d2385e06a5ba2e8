import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { useFastListenerTable } from "../../src/engine/listener-table.js";

function emitterWithTable(): EventEmitter {
  const emitter = new EventEmitter();
  useFastListenerTable(emitter);
  return emitter;
}

describe("useFastListenerTable", () => {
  it("keeps on, once, emit, off and eventNames working", () => {
    const emitter = emitterWithTable();
    const seen: string[] = [];
    const a = (x: string): void => void seen.push(`a${x}`);
    emitter.on("a", a);
    emitter.once("b", (x: string) => seen.push(`b${x}`));
    expect(emitter.eventNames()).toEqual(["a", "b"]);
    emitter.emit("a", "1");
    emitter.emit("b", "2");
    emitter.emit("b", "3");
    emitter.off("a", a);
    emitter.emit("a", "4");
    expect(seen).toEqual(["a1", "b2"]);
    expect(emitter.eventNames()).toEqual([]);
    emitter.on("a", a);
    emitter.emit("a", "5");
    expect(seen).toEqual(["a1", "b2", "a5"]);
  });

  it("finds nothing under names that Object.prototype holds", () => {
    const emitter = emitterWithTable();
    for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
      expect(emitter.emit(name, 1)).toBe(false);
      expect(emitter.listenerCount(name)).toBe(0);
    }
    const got: unknown[] = [];
    emitter.on("__proto__", (x: unknown) => got.push(x));
    emitter.on("constructor", (x: unknown) => got.push(x));
    expect(emitter.emit("__proto__", 1)).toBe(true);
    expect(emitter.emit("constructor", 2)).toBe(true);
    expect(got).toEqual([1, 2]);
    expect(emitter.eventNames()).toEqual(["__proto__", "constructor"]);
  });

  it("leaves an emitter that already has listeners as it is", () => {
    const emitter = new EventEmitter();
    const listener = (): void => {};
    emitter.on("x", listener);
    useFastListenerTable(emitter);
    expect(emitter.listeners("x")).toEqual([listener]);
  });

  it("still throws on an error event nobody listens to", () => {
    const emitter = emitterWithTable();
    expect(() => emitter.emit("error", new Error("boom"))).toThrow("boom");
  });
});
